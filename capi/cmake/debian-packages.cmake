# The Debian packages of the C library, made by `cpack -G DEB` in a build tree (scripts/
# packaging/debian.sh does it and installs them with apt-get):
#   libminitensor0     the install component "runtime": libminitensor.so.0, and the CUDA, MPI
#                      and NCCL plugins where the build has them (the library loads them from
#                      next to itself);
#   libminitensor-dev  the component "dev": minitensor.h, version.h, the libminitensor.so link,
#                      the pkg-config file and the CMake package; it depends on the exact
#                      libminitensor0 it was built with.
# The bindings' install rules have no component of these two, so they stay out of the .debs:
# Python, Java and C# ship as a wheel, a jar and a NuGet package.
set(CPACK_PACKAGE_NAME minitensor)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "the minitensor developers")
set(CPACK_PACKAGE_CONTACT "minitensor developers <minitensor@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "small, fast strided tensor library with autodiff, behind a stable C ABI")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev)
set(CPACK_COMPONENT_DEV_DEPENDS runtime)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON) # dev: Depends libminitensor0 (= version)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)         # name_version_arch.deb
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME libminitensor0)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_DEV_PACKAGE_NAME libminitensor-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
# Depends: what dpkg-shlibdeps finds the libraries need (libtbb12, libstdc++6, libc6, and
# libopenmpi3 for the MPI plugin: the library itself never loads it outside mpirun). The CUDA
# plugin's libcublas and the NCCL plugin's libnccl are no Debian packages, so cpack's
# --ignore-missing-info leaves them out: the plugins load only where the CUDA toolkit is
# installed, and the library says why CUDA is unavailable where it cannot.
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${PROJECT_BINARY_DIR}/capi)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON) # the debug info stays in the build tree
include(CPack)
