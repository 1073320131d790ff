#!/usr/bin/env bash
# The C library's Debian packages, made from a build and used from the system:
#   1. cpack -G DEB makes libminitensor0 (the library, the CUDA, MPI and NCCL plugins where
#      built) and libminitensor-dev (header, pkg-config, CMake package) into OUT_DIR
#      (capi/cmake/debian-packages.cmake says what goes where);
#   2. each package holds only its own files, and -dev depends on the exact libminitensor0;
#   3. apt-get installs both, then the C consumers build against /usr with no paths given
#      (pkg-config, find_package and the dynamic linker find it by their defaults) and run
#      (tests/packaging/consumer/build-and-run.sh);
#   4. apt-get purges both again, also when a step failed.
# Usage: scripts/packaging/debian.sh BUILD_DIR OUT_DIR   (BUILD_DIR: a built tree, e.g. build/dev)
# Needs root or sudo (apt-get), and refuses to run where a libminitensor package is installed
# already, which it would replace and then remove.
set -euo pipefail
# shellcheck source=scripts/packaging/arguments.sh
source "$(dirname "$0")/arguments.sh"
[[ -f $build/CPackConfig.cmake ]] || {
  echo "debian: $build is not a configured build (no CPackConfig.cmake)" >&2
  exit 2
}
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || {
    echo "debian: installing the .debs needs root or sudo" >&2
    exit 2
  }
  sudo=(sudo)
fi
packages=(libminitensor0 libminitensor-dev)
if installed=$(dpkg-query -W -f '${Package} ${Status}\n' "${packages[@]}" 2>/dev/null |
  grep ' installed$'); then
  echo "debian: already installed, not touching it: $installed" >&2
  exit 2
fi

work=$(mktemp -d)
cleanup() {
  "${sudo[@]}" apt-get purge -y -qq "${packages[@]}" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
failed=0
fail() {
  echo "debian: FAIL: $*" >&2
  failed=1
}

# 1. The packages.
echo "--- cpack -G DEB ($build)"
cmake --build "$build" >/dev/null # cpack installs every target of the two components
(cd "$work" && cpack --config "$build/CPackConfig.cmake" -B "$work/cpack" >"$work/cpack.log") || {
  cat "$work/cpack.log" >&2
  echo "debian: cpack failed" >&2
  exit 1
}
version=$(cat "$root/VERSION")
debs=()
for package in "${packages[@]}"; do
  deb=$(find "$work/cpack" -maxdepth 1 -name "${package}_${version}_*.deb")
  [[ -n $deb ]] || {
    echo "debian: cpack made no ${package}_${version}_*.deb" >&2
    exit 1
  }
  cp "$deb" "$out/"
  debs+=("$out/$(basename "$deb")")
done

# 2. What each holds and needs.
contents() { dpkg-deb -c "$1" | awk '$1 !~ /^d/ {print $6}' | sed 's#^\./##'; }
runtime_files='^usr/lib/(libminitensor\.so\.0(\.[0-9]+)*'
runtime_files+='|libminitensor_(cuda|dist_mpi|dist_nccl)\.so)$'
dev_files='^usr/(include/minitensor/(minitensor|version)\.h|lib/libminitensor\.so'
dev_files+='|lib/pkgconfig/minitensor\.pc|lib/cmake/minitensor/[A-Za-z-]+\.cmake)$'
for check in "${debs[0]}:$runtime_files" "${debs[1]}:$dev_files"; do
  deb=${check%%:*} allowed=${check#*:}
  if unexpected=$(contents "$deb" | grep -vE "$allowed"); then
    fail "$(basename "$deb") holds files that are not its own: $unexpected"
  fi
  echo "$(basename "$deb"): $(contents "$deb" | tr '\n' ' ')"
done
contents "${debs[0]}" | grep -qx 'usr/lib/libminitensor.so.0' || fail "no libminitensor.so.0"
runtime_depends=$(dpkg-deb -f "${debs[0]}" Depends)
[[ $runtime_depends == *libtbb12* ]] || fail "libminitensor0 does not depend on libtbb12"
if contents "${debs[0]}" | grep -qx 'usr/lib/libminitensor_dist_mpi.so'; then
  [[ $runtime_depends == *libopenmpi3* ]] ||
    fail "libminitensor0 holds the MPI plugin but does not depend on libopenmpi3"
fi
dev_depends=$(dpkg-deb -f "${debs[1]}" Depends)
[[ $dev_depends == "libminitensor0 (= $version)" ]] ||
  fail "libminitensor-dev depends on '$dev_depends', not 'libminitensor0 (= $version)'"
echo "Depends: libminitensor0: $runtime_depends; libminitensor-dev: $dev_depends"

# 3. Installed on the system, used by its defaults.
echo "--- apt-get install ${debs[*]}"
"${sudo[@]}" apt-get install -y -qq "${debs[@]}" >"$work/apt.log" 2>&1 || {
  cat "$work/apt.log" >&2
  echo "debian: apt-get install failed" >&2
  exit 1
}
(unset PKG_CONFIG_PATH CMAKE_PREFIX_PATH LD_LIBRARY_PATH &&
  "$root/tests/packaging/consumer/build-and-run.sh" /usr lib "$work") ||
  fail "the C consumers of the installed packages (above)"

# 4. Removed again (the trap purges too, when a step above exits early).
"${sudo[@]}" apt-get purge -y -qq "${packages[@]}" >/dev/null 2>&1 ||
  fail "apt-get purge ${packages[*]} failed"
[[ ! -e /usr/lib/libminitensor.so.0 ]] || fail "apt-get purge left /usr/lib/libminitensor.so.0"

[[ $failed -eq 0 ]] || exit 1
echo "debian: OK: ${debs[*]##*/}"
