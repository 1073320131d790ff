#!/usr/bin/env bash
# Installs a build into a temporary prefix and uses it the way a user would:
#   1. the installed tree holds only the header, the shared library (and its links), the
#      pkg-config file and the CMake package files;
#   2. the CMake package files name only minitensor::minitensor, nothing of the build (the
#      static core, TBB, the source or build tree);
#   3. tests/packaging/consumer/consumer.c builds as C99 with -pedantic -Werror through
#      pkg-config, and through find_package(minitensor) in its own CMake project, and both
#      programs run and print OK;
#   4. in a build with the bindings (MT_BINDINGS), the installed Python package, jar and dll
#      run the README's examples (tests/packaging/consumer/consumer.py, Consumer.java,
#      Consumer.cs) from the prefix alone: their native libraries find libminitensor.so.0
#      through their RPATHs, without LD_LIBRARY_PATH.
# Usage: scripts/check-install.sh [BUILD_DIR]   (default build/dev, as scripts/test.sh makes it)
# Needs pkg-config (scripts/install-deps.sh --ci).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=$(realpath "${1:-build/dev}")
consumer_src=$root/tests/packaging/consumer

[[ -f $build/CMakeCache.txt ]] || {
  echo "check-install: $build is not a configured build" >&2
  exit 2
}
command -v pkg-config >/dev/null || {
  echo "check-install: pkg-config is missing (scripts/install-deps.sh --ci)" >&2
  exit 2
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
failed=0
fail() {
  echo "check-install: FAIL: $*" >&2
  failed=1
}

echo "--- cmake --install $build --prefix $prefix"
cmake --build "$build" >/dev/null  # install(TARGETS) needs every installed target built
cmake --install "$build" --prefix "$prefix" >"$work/install.log"

# 1. The installed tree, file by file. libdir is lib, or lib64 / lib/<multiarch> elsewhere.
lib=$(find "$prefix" -name 'libminitensor.so' -printf '%h\n' | head -1)
[[ -n $lib ]] || {
  echo "check-install: FAIL: no libminitensor.so installed" >&2
  exit 1
}
libdir=${lib#"$prefix"/}
(cd "$prefix" && find . -mindepth 1 \( -type f -o -type l \) -printf '%P\n' | sort) \
  >"$work/installed"
allowed="^(include/minitensor/minitensor\.h"
allowed+="|$libdir/libminitensor\.so(\.[0-9]+)*"
allowed+="|$libdir/pkgconfig/minitensor\.pc"
allowed+="|$libdir/cmake/minitensor/minitensor(-config|-config-version|Targets|Targets-[a-z]+)\.cmake"
cuda_plugin=$([[ -f $build/capi/libminitensor_cuda.so ]] && echo 1 || echo 0)
if [[ $cuda_plugin == 1 ]]; then
  allowed+="|$libdir/libminitensor_cuda\.so"
fi
bindings=$(grep -qx 'MT_BINDINGS:BOOL=ON' "$build/CMakeCache.txt" && echo 1 || echo 0)
if [[ $bindings == 1 ]]; then
  allowed+="|$libdir/python3/dist-packages/minitensor/([a-z_]+\.py|py\.typed|_minitensor_native\.so)"
  allowed+="|share/java/minitensor\.jar|$libdir/jni/libminitensor_java\.so"
  allowed+="|$libdir/cli/minitensor/(Minitensor\.dll|libminitensor_csharp\.so)"
fi
allowed+=")\$"
if grep -vE "$allowed" "$work/installed" >"$work/unexpected"; then
  fail "unexpected files installed:"
  sed 's/^/  /' "$work/unexpected" >&2
fi
for required in include/minitensor/minitensor.h "$libdir/libminitensor.so" \
  "$libdir/pkgconfig/minitensor.pc" "$libdir/cmake/minitensor/minitensor-config.cmake" \
  "$libdir/cmake/minitensor/minitensor-config-version.cmake" \
  "$libdir/cmake/minitensor/minitensorTargets.cmake"; do
  grep -qxF "$required" "$work/installed" || fail "$required is not installed"
done
real_so=$(readlink -f "$prefix/$libdir/libminitensor.so")
[[ $(readlink "$prefix/$libdir/libminitensor.so") == libminitensor.so.0 ]] ||
  fail "libminitensor.so should link to libminitensor.so.0"
readelf -d "$real_so" | grep -q 'Library soname: \[libminitensor.so.0\]' ||
  fail "the installed library's SONAME is not libminitensor.so.0"
for so in "$real_so" $(find "$prefix" -name '*minitensor*.so' ! -name libminitensor.so); do
  if readelf -d "$so" | grep -E 'R(UN)?PATH' | grep -F -e "$root" -e "$build"; then
    fail "the installed $so keeps an RPATH into the build or source tree (above)"
  fi
done
echo "installed: $(tr '\n' ' ' <"$work/installed")"

# 2. The CMake package: only the imported target, no trace of the build.
cmake_files=("$prefix/$libdir"/cmake/minitensor/*.cmake)
for pattern in minitensor_core mt_warnings 'TBB' 'oneapi' 'dlpack' "$root" "$build"; do
  if grep -nF "$pattern" "${cmake_files[@]}"; then
    fail "the installed CMake package mentions '$pattern' (above)"
  fi
done

# 3a. pkg-config: the .pc file must describe this prefix (wherever the tree was installed).
export PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig
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
  's/^#define MT_VERSION_STRING "(.*)"/\1/p' "$prefix/include/minitensor/minitensor.h")" ]] ||
  fail "pkg-config --modversion differs from MT_VERSION_STRING"
cc=${CC:-cc}
echo "--- $cc -std=c99 -pedantic -Werror consumer.c \$(pkg-config --cflags --libs minitensor)"
# shellcheck disable=SC2046  # word splitting of pkg-config's output is intended
if $cc -std=c99 -pedantic -Wall -Wextra -Werror "$consumer_src/consumer.c" -o "$work/consumer_pc" \
  $(pkg-config --cflags --libs minitensor) -Wl,-rpath,"$prefix/$libdir"; then
  out=$("$work/consumer_pc") || fail "the pkg-config consumer failed: $out"
  [[ $out == OK ]] || fail "the pkg-config consumer printed '$out', not OK"
  echo "pkg-config consumer: $out"
else
  fail "the consumer does not build with pkg-config's flags"
fi

# 3a'. The CUDA plugin, where the build has one: the installed library finds it next to itself
# (so CUDA is unavailable here only for want of a driver or GPU, never of the plugin).
if [[ $cuda_plugin == 1 ]]; then
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
    -Wl,-rpath,"$prefix/$libdir" || fail "the CUDA check does not build"
  out=$(env -u MINITENSOR_CUDA_PLUGIN "$work/cuda_check") ||
    fail "the installed library does not load the installed CUDA plugin: $out"
  echo "CUDA from the prefix: $out"
fi

# 3b. CMake: find_package(minitensor) in a project of its own.
echo "--- cmake -S tests/packaging/consumer -DCMAKE_PREFIX_PATH=$prefix"
if cmake -S "$consumer_src" -B "$work/consumer_build" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
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

# 4. The bindings, each running its README example from the prefix.
# expect_output NAME EXPECTED COMMAND...: runs the command, which must print EXPECTED.
expect_output() {
  local name=$1 expected=$2 out
  shift 2
  if out=$("$@" 2>&1) && [[ $out == "$expected" ]]; then
    echo "$name consumer: $(echo "$out" | tail -1)"
  else
    fail "the $name consumer printed '$out', not '$expected'"
  fi
}
if [[ $bindings == 1 ]]; then
  echo "--- the bindings from $prefix: python, java, C#"
  unset LD_LIBRARY_PATH
  expect_output Python "52.0 [[8.0, 12.0], [8.0, 12.0]]" \
    env PYTHONPATH="$prefix/$libdir/python3/dist-packages" /usr/bin/python3 -B \
    "$consumer_src/consumer.py"
  jar=$prefix/share/java/minitensor.jar
  if javac -d "$work/java" -cp "$jar" "$consumer_src/Consumer.java"; then
    java_expected=$(printf '%s\n' "tensor([[1., 2., 3.]," "        [1., 2., 3.]], dtype=float32)" \
      "sum 12.0")
    expect_output Java "$java_expected" \
      java -Djava.library.path="$prefix/$libdir/jni" -cp "$jar:$work/java" Consumer
  else
    fail "Consumer.java does not build against $jar"
  fi
  cli=$prefix/$libdir/cli/minitensor
  if mcs -r:"$cli/Minitensor.dll" -out:"$work/Consumer.exe" "$consumer_src/Consumer.cs" >/dev/null
  then
    expect_output C# 12 env MONO_PATH="$cli" mono "$work/Consumer.exe"
  else
    fail "Consumer.cs does not build against $cli/Minitensor.dll"
  fi
fi

if [[ $failed -ne 0 ]]; then
  exit 1
fi
echo "check-install: OK"
