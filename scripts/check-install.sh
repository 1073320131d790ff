#!/usr/bin/env bash
# Installs a build into a temporary prefix and uses it the way a user would:
#   1. the installed tree holds only the header, the shared library (and its links, and the
#      CUDA, MPI and NCCL plugins where built), the pkg-config file and the CMake package files;
#   2. the CMake package files name only minitensor::minitensor, nothing of the build (the
#      static core, TBB, the source or build tree);
#   3. tests/packaging/consumer/consumer.c builds as C99 with -pedantic -Werror through
#      pkg-config, and through find_package(minitensor) in its own CMake project, and both
#      programs run and print OK;
#   4. in a build with the bindings (MT_BINDINGS), the installed Python package, jar and dll
#      run the README's examples (tests/packaging/consumer/consumer.py, Consumer.java,
#      Consumer.cs) from the prefix alone: their native libraries find libminitensor.so.0
#      through their RPATHs (the jar carries its own), without LD_LIBRARY_PATH.
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
allowed="^(include/minitensor/(minitensor|version)\.h"
allowed+="|$libdir/libminitensor\.so(\.[0-9]+)*"
allowed+="|$libdir/pkgconfig/minitensor\.pc"
allowed+="|$libdir/cmake/minitensor/minitensor(-config|-config-version|Targets|Targets-[a-z]+)\.cmake"
cuda_plugin=$([[ -f $build/capi/libminitensor_cuda.so ]] && echo 1 || echo 0)
if [[ $cuda_plugin == 1 ]]; then
  allowed+="|$libdir/libminitensor_cuda\.so"
fi
if [[ -f $build/capi/libminitensor_dist_mpi.so ]]; then # the MPI plugin, where MPI was found
  allowed+="|$libdir/libminitensor_dist_mpi\.so"
fi
if [[ -f $build/capi/libminitensor_dist_nccl.so ]]; then # the NCCL plugin, with the CUDA one
  allowed+="|$libdir/libminitensor_dist_nccl\.so"
fi
bindings=$(grep -qx 'MT_BINDINGS:BOOL=ON' "$build/CMakeCache.txt" && echo 1 || echo 0)
if [[ $bindings == 1 ]]; then
  allowed+="|$libdir/python3/dist-packages/minitensor/([a-z_]+\.py|py\.typed|_minitensor_native\.so)"
  # The jar with its native libraries, pom, sources and javadoc (Maven's layout), and a link
  project_version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
  maven=share/maven-repo/org/minitensor/minitensor/${project_version//./\\.}
  allowed+="|$maven/minitensor-${project_version//./\\.}((-sources|-javadoc)?\.jar|\.pom)"
  allowed+="|share/java/minitensor\.jar"
  allowed+="|$libdir/cli/minitensor/(Minitensor\.dll|libminitensor_csharp\.so)"
fi
allowed+=")\$"
if grep -vE "$allowed" "$work/installed" >"$work/unexpected"; then
  fail "unexpected files installed:"
  sed 's/^/  /' "$work/unexpected" >&2
fi
for required in include/minitensor/minitensor.h include/minitensor/version.h \
  "$libdir/libminitensor.so" \
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

# 3. C: pkg-config and find_package(minitensor) consumers, and the CUDA plugin where built.
tests/packaging/consumer/build-and-run.sh "$prefix" "$libdir" "$work" ||
  fail "the C consumers (above)"

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
  jar=$prefix/share/java/minitensor.jar  # it extracts its native libraries into java.io.tmpdir
  mkdir "$work/java-tmp"
  if javac -d "$work/java" -cp "$jar" "$consumer_src/Consumer.java"; then
    expect_output Java "$(cat "$consumer_src/Consumer.java.expected")" \
      java -Djava.io.tmpdir="$work/java-tmp" -cp "$jar:$work/java" Consumer
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
