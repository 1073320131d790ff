#!/usr/bin/env bash
# Installs the Debian 12 packages minitensor needs that are missing; quiet when all are there.
# Idempotent. Needs root (or sudo) only when something must be installed.
#   scripts/install-deps.sh           what the build and the tests need
#   scripts/install-deps.sh --bench   that, plus what the benchmarks compare against
#   scripts/install-deps.sh --ci      that, plus the tools of .ci/run's extra checks (valgrind,
#                                     the ABI check, pkg-config, clang-14's libFuzzer, the
#                                     bindings' Python format and lint checkers)
# The flags combine. ctest needs only the plain set; the --ci tools serve the scripts .ci/run
# calls (scripts/valgrind.sh, check-install.sh, check-abi.sh, fuzz.sh).
set -euo pipefail

packages=(
  build-essential  # g++ 12, make
  cmake            # 3.25: workflow presets
  ninja-build
  libgtest-dev     # GoogleTest
  libtbb-dev       # parallel CPU backend
  libdlpack-dev    # dlpack.h, for the C API's DLPack exchange
  libopenmpi-dev openmpi-bin  # the MPI engine plugin (core/dist/mpi) and its mpirun tests
  clang-format
  # The bindings (bindings/): SWIG and the three languages, with what their tests use
  swig4.0                     # swig 4.1
  python3-dev python3-numpy   # Debian's /usr/bin/python3 (3.11) and numpy
  python3-torch               # the Python tests check results against PyTorch too
  python3-pytest
  python3-venv python3-pip python3-setuptools python3-wheel  # pip install of the package
  default-jdk-headless junit5  # Java 17, JUnit 5's console launcher
  mono-devel                  # mcs and mono for C#
)
for flag in "$@"; do
  case $flag in
    --bench)
      packages+=(
        libopenblas0-pthread  # else numpy and torch (the libraries compared with) use the
                              # reference BLAS
      )
      ;;
    --ci)
      packages+=(
        valgrind                # scripts/valgrind.sh: memcheck over the C programs
        pkgconf                 # scripts/check-install.sh: pkg-config for the consumer build
        abi-dumper              # scripts/check-abi.sh: the library's ABI from its DWARF
        abi-compliance-checker  #   ... compared with the released one
        universal-ctags         #   ... abi-dumper -public-headers reads the header with it
        clang-14                # scripts/fuzz.sh: libFuzzer needs clang
        libclang-rt-14-dev      #   ... its fuzzer and sanitizer runtimes
        llvm-14                 #   ... llvm-symbolizer, for readable crash stacks
        patchelf                # tests/cuda: the CUDA plugin with libcublas made unfindable;
                                #   the NuGet package's libraries: RUNPATH $ORIGIN
        nuget                   # scripts/packaging/csharp.sh: nuget pack and restore (2.8.7)
        unzip                   #   ... the .nupkg's files and .nuspec
        black pyflakes3         # .ci/run: the format and lint checks of the bindings' Python
      )
      ;;
    *)
      echo "install-deps: unknown flag '$flag' (--bench, --ci)" >&2
      exit 2
      ;;
  esac
done

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
