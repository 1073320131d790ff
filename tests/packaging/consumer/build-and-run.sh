#!/usr/bin/env bash
# Uses an installed minitensor from C the two ways a C user does, and runs the programs, which
# must print OK (tests/packaging/consumer/consumer.c):
#   a. cc -std=c99 -pedantic -Werror consumer.c $(pkg-config --cflags --libs minitensor); the
#      .pc file must describe the prefix it is installed in;
#   a'. where a CUDA plugin is installed beside the library, the library loads it;
#   a''. where the MPI plugin is installed beside it, mpi_check.c under mpirun -np 2 joins the
#      world through it;
#   b. find_package(minitensor) in the consumer's own CMake project (CMakeLists.txt here).
# Usage: build-and-run.sh PREFIX LIBDIR WORK_DIR
#   PREFIX/LIBDIR holds libminitensor.so. For PREFIX /usr (the .debs) nothing points the tools
#   at it: pkg-config, CMake and the dynamic linker must find it by their defaults. For any
#   other prefix (scripts/check-install.sh) PKG_CONFIG_PATH, CMAKE_PREFIX_PATH and an RPATH do.
# Called by scripts/check-install.sh and scripts/packaging/debian.sh.
set -euo pipefail
prefix=$1 libdir=$2 work=$3
consumer_src=$(realpath "$(dirname "$0")")
failed=0
fail() {
  echo "consumer: FAIL: $*" >&2
  failed=1
}
rpath=() cmake_prefix=()
if [[ $prefix != /usr ]]; then
  export PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig
  rpath=("-Wl,-rpath,$prefix/$libdir")
  cmake_prefix=(-DCMAKE_PREFIX_PATH="$prefix")
fi

# 3a. pkg-config: the .pc file must describe this prefix (wherever the tree was installed).
pc_include=$(pkg-config --variable=includedir minitensor)
pc_libdir=$(pkg-config --variable=libdir minitensor)
if [[ $(realpath -m "$pc_include") != "$prefix/include" ||
  $(realpath -m "$pc_libdir") != "$prefix/$libdir" ]]; then
  fail "minitensor.pc points at includedir=$pc_include libdir=$pc_libdir, not into the" \
    "prefix it was installed to ($prefix): the .pc file holds the configure-time prefix" \
    "instead of one relative to its own place (\${pcfiledir}), so cmake --install --prefix" \
    "and moved trees get a broken pkg-config file"
fi
[[ $(pkg-config --modversion minitensor) == "$(sed -nE \
  's/^#define MT_VERSION_STRING "(.*)"/\1/p' "$prefix/include/minitensor/version.h")" ]] ||
  fail "pkg-config --modversion differs from MT_VERSION_STRING"
cc=${CC:-cc}
echo "--- $cc -std=c99 -pedantic -Werror consumer.c \$(pkg-config --cflags --libs minitensor)"
# shellcheck disable=SC2046  # word splitting of pkg-config's output is intended
if $cc -std=c99 -pedantic -Wall -Wextra -Werror "$consumer_src/consumer.c" -o "$work/consumer_pc" \
  $(pkg-config --cflags --libs minitensor) "${rpath[@]}"; then
  out=$("$work/consumer_pc") || fail "the pkg-config consumer failed: $out"
  [[ $out == OK ]] || fail "the pkg-config consumer printed '$out', not OK"
  echo "pkg-config consumer: $out"
else
  fail "the consumer does not build with pkg-config's flags"
fi

# 3a'. The CUDA plugin, where the build has one: the installed library finds it next to itself
# (so CUDA is unavailable here only for want of a driver or GPU, never of the plugin).
if [[ -f $prefix/$libdir/libminitensor_cuda.so ]]; then
  echo "--- the installed CUDA plugin, loaded by the installed library"
  cat >"$work/cuda_check.c" <<'C'
#include <minitensor/minitensor.h>
#include <stdio.h>
#include <string.h>
int main(void) {
  const char* reason = mt_device_unavailable_reason(MT_DEVICE_CUDA);
  printf("%s\n", reason[0] ? reason : "CUDA available");
  return strstr(reason, "cannot load") != NULL;
}
C
  # shellcheck disable=SC2046  # word splitting of pkg-config's output is intended
  $cc -std=c99 "$work/cuda_check.c" -o "$work/cuda_check" $(pkg-config --cflags --libs minitensor) \
    "${rpath[@]}" || fail "the CUDA check does not build"
  out=$(env -u MINITENSOR_CUDA_PLUGIN "$work/cuda_check") ||
    fail "the installed library does not load the installed CUDA plugin: $out"
  echo "CUDA from the prefix: $out"
fi

# 3a''. The MPI plugin, where installed: under mpirun the installed library loads it from next
# to itself (no MINITENSOR_DIST_MPI_PLUGIN) and two ranks all-reduce.
if [[ -f $prefix/$libdir/libminitensor_dist_mpi.so ]]; then
  echo "--- the installed MPI plugin, under mpirun -np 2"
  # shellcheck disable=SC2046  # word splitting of pkg-config's output is intended
  if $cc -std=c99 "$consumer_src/mpi_check.c" -o "$work/mpi_check" \
    $(pkg-config --cflags --libs minitensor) "${rpath[@]}"; then
    out=$(env -u MINITENSOR_DIST_MPI_PLUGIN OMPI_ALLOW_RUN_AS_ROOT=1 \
      OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 \
      mpirun -np 2 "$work/mpi_check" 2>&1) ||
      fail "the installed library does not join 2 ranks with the installed plugin: $out"
    echo "MPI from the prefix: $(echo "$out" | tr '\n' ' ')"
  else
    fail "the MPI check does not build"
  fi
fi

# 3b. CMake: find_package(minitensor) in a project of its own.
echo "--- cmake -S tests/packaging/consumer ${cmake_prefix[*]}"
if cmake -S "$consumer_src" -B "$work/consumer_build" -G Ninja "${cmake_prefix[@]}" \
  -DCMAKE_BUILD_TYPE=Release >"$work/consumer_cmake.log" 2>&1 &&
  cmake --build "$work/consumer_build" >>"$work/consumer_cmake.log" 2>&1; then
  grep -q "minitensor_DIR:PATH=$prefix/" "$work/consumer_build/CMakeCache.txt" ||
    fail "find_package(minitensor) found another copy: $(grep minitensor_DIR \
      "$work/consumer_build/CMakeCache.txt")"
  out=$("$work/consumer_build/consumer") || fail "the CMake consumer failed: $out"
  [[ $out == OK ]] || fail "the CMake consumer printed '$out', not OK"
  echo "find_package consumer: $out"
else
  cat "$work/consumer_cmake.log" >&2
  fail "the consumer does not build with find_package(minitensor)"
fi

exit $failed
