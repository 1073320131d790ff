#!/usr/bin/env bash
# The Java package, built and used the way a Java user gets it (issue 19):
#   1. cmake --install BUILD_DIR --component java into a temporary prefix; the artifacts of its
#      Maven layout (share/maven-repo/org/minitensor/minitensor/<v>/) are copied to OUT_DIR:
#      minitensor-<v>.jar (the classes and the native libraries), -sources.jar, -javadoc.jar
#      and minitensor-<v>.pom, <v> being the build's project version;
#   2. the pom names org.minitensor:minitensor:<v>; the sources and javadoc jars hold Tensor's
#      source and page;
#   3. from an empty directory, tests/packaging/consumer/Consumer.java compiles and runs with only
#      -cp OUT_DIR/minitensor-<v>.jar (no LD_LIBRARY_PATH, no java.library.path) and a fresh
#      java.io.tmpdir, where the jar extracts its native libraries: they must be there, in a
#      0700 directory, without an RPATH into the build or source tree.
# Not done: mvn install:install-file into a local repository (Debian's maven has no install
# plugin to run offline).
# Usage: scripts/packaging/java.sh BUILD_DIR OUT_DIR   (e.g. build/dev build/packages)
set -euo pipefail
start=$SECONDS
# shellcheck source=scripts/packaging/arguments.sh
source "$(dirname "$0")/arguments.sh"
die() {
  echo "packaging/java: FAIL: $*" >&2
  exit 1
}
[[ -f $build/CMakeCache.txt ]] || die "$build is not a configured build"
if ! grep -qx 'MT_BINDINGS:BOOL=ON' "$build/CMakeCache.txt" ||
  ! grep -qE '^MT_BINDINGS_LANGUAGES:STRING=(.*;)?java(;.*)?$' "$build/CMakeCache.txt"; then
  die "$build does not build the Java bindings (MT_BINDINGS=ON, java in MT_BINDINGS_LANGUAGES)"
fi
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
[[ -n $version ]] || die "no CMAKE_PROJECT_VERSION in $build/CMakeCache.txt"
scripts/install-deps.sh  # the JDK (javac, jar), binutils (readelf), python3

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. The artifacts, as cmake --install lays them out.
cmake --build "$build" --target minitensor_jar minitensor_java_docs >/dev/null
cmake --install "$build" --component java --prefix "$work/prefix" >/dev/null
maven_dir=$work/prefix/share/maven-repo/org/minitensor/minitensor/$version
artifact=minitensor-$version
for suffix in .jar -sources.jar -javadoc.jar .pom; do
  [[ -s $maven_dir/$artifact$suffix ]] || die "cmake --install made no $artifact$suffix"
  cp "$maven_dir/$artifact$suffix" "$out/"
done
[[ $(readlink -f "$work/prefix/share/java/minitensor.jar") == "$maven_dir/$artifact.jar" ]] ||
  die "share/java/minitensor.jar does not link to $artifact.jar"
jar=$out/$artifact.jar

# 2. The pom's coordinates and the manifest's version (check_versions.py reads both), the
# sources and the javadoc.
python3 tests/packaging/check_versions.py --root . --require pom,jar "$out/$artifact.pom" \
  "$jar" >"$work/versions.log" 2>&1 || {
  cat "$work/versions.log" >&2
  die "the pom's coordinates or a version differ (above)"
}
jar tf "$out/$artifact-sources.jar" | grep -qx 'org/minitensor/Tensor.java' ||
  die "$artifact-sources.jar has no org/minitensor/Tensor.java"
jar tf "$out/$artifact-javadoc.jar" | grep -qx 'org/minitensor/Tensor.html' ||
  die "$artifact-javadoc.jar has no org/minitensor/Tensor.html"

# 3. A program of the user's, with nothing but the jar.
mkdir "$work/app" "$work/tmp"
cp tests/packaging/consumer/Consumer.java "$work/app/"
cd "$work/app"
unset LD_LIBRARY_PATH CLASSPATH JAVA_TOOL_OPTIONS _JAVA_OPTIONS JDK_JAVA_OPTIONS
javac -Xlint:all -Werror -cp "$jar" Consumer.java || die "Consumer.java does not build against $jar"
printed=$(java -Djava.io.tmpdir="$work/tmp" -cp "$jar:." Consumer 2>&1) ||
  die "the consumer failed: $printed"
[[ $printed == "$(cat "$root/tests/packaging/consumer/Consumer.java.expected")" ]] ||
  die "the consumer printed '$printed', not tests/packaging/consumer/Consumer.java.expected"
extracted=$(find "$work/tmp" -name 'libminitensor_java.so' -printf '%h\n')
[[ -n $extracted ]] || die "the jar extracted nothing into java.io.tmpdir"
[[ $(stat -c %a "$extracted") == 700 ]] || die "$extracted is not 0700"
for so in "$extracted"/*.so*; do
  if readelf -d "$so" | grep -E 'R(UN)?PATH' | grep -F -e "$root" -e "$build"; then
    die "the jar's $(basename "$so") has an RPATH into the build or source tree (above)"
  fi
done

echo "packaging/java: OK in $((SECONDS - start)) s: $out/$artifact{,-sources,-javadoc}.jar," \
  "$artifact.pom; Consumer.java ran with -cp $artifact.jar only, which extracted" \
  "$(cd "$extracted" && echo *.so*)"
