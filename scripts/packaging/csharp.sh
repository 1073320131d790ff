#!/usr/bin/env bash
# The NuGet package Minitensor, built from a build tree and used the way a mono project uses it:
#   1. the build's target minitensor_csharp_nuget makes the package's layout and its .nuspec
#      (bindings/csharp/CMakeLists.txt says what goes where); nuget pack writes
#      OUT_DIR/Minitensor.<version>.nupkg;
#   2. the package's version is the project's, and it holds exactly the expected files: the
#      assembly with its XML documentation and mono's dllmap in lib/net45/, the P/Invoke library,
#      libminitensor.so.0, the TBB it needs and the CUDA plugin (where the build has one) in
#      runtimes/linux-x64/native/;
#   3. a fresh project in a temporary folder restores it (packages.config, from OUT_DIR only),
#      builds tests/packaging/consumer/Consumer.cs with mcs against the restored assembly and runs
#      it with mono, with no LD_LIBRARY_PATH and MONO_PATH naming only the restored lib/net45/:
#      it must print 12, with every native library loaded from the restored package.
# Usage: scripts/packaging/csharp.sh BUILD_DIR OUT_DIR   (e.g. build/dev build/packages)
# BUILD_DIR: configured and built with the C# bindings, as scripts/test.sh leaves build/dev.
# Installs nuget, patchelf and unzip when they are missing (scripts/install-deps.sh --ci).
set -euo pipefail
# shellcheck source=scripts/packaging/arguments.sh
source "$(dirname "$0")/arguments.sh"
start=$SECONDS
die() {
  echo "packaging/csharp: $*" >&2
  exit 1
}

cache=$build/CMakeCache.txt
[[ -f $cache ]] || die "$build is not a configured build"
cached() { sed -n "s/^$1:[A-Z]*=//p" "$cache"; }
[[ $(cached MT_BINDINGS) == ON && ";$(cached MT_BINDINGS_LANGUAGES);" == *";csharp;"* ]] ||
  die "$build has no C# bindings: configure it with -DMT_BINDINGS=ON (the dev preset)"
[[ -z $(cached MT_SANITIZE) ]] ||
  die "$build is a sanitizer build (MT_SANITIZE=$(cached MT_SANITIZE)): package a plain one"
version=$(cached CMAKE_PROJECT_VERSION)
[[ -n $version ]] || die "$build has no CMAKE_PROJECT_VERSION"
for tool in nuget patchelf unzip; do
  command -v $tool >/dev/null || {
    scripts/install-deps.sh --ci
    break
  }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# nuget keeps its settings and a package cache under HOME: a fresh one, so that nothing of the
# user's (nor an earlier package of the same version) takes part.
export HOME=$work/home

# 1. The layout, then the package.
echo "--- nuget pack (version $version)"
cmake --build "$build" --target minitensor_csharp_nuget >"$work/build.log" 2>&1 || {
  cat "$work/build.log" >&2
  die "the target minitensor_csharp_nuget (the package's layout) failed"
}
layout=$build/bindings/csharp/nuget
nupkg=$out/Minitensor.$version.nupkg
rm -f "$nupkg"
if ! nuget pack "$layout/Minitensor.nuspec" -BasePath "$layout" -OutputDirectory "$out" \
  -NonInteractive >"$work/pack.log" 2>&1 || [[ ! -f $nupkg ]]; then
  cat "$work/pack.log" >&2
  die "nuget pack did not write $nupkg"
fi

# 2. Its version and its files (less the zip's own parts: _rels/, package/, [Content_Types]).
python3 tests/packaging/check_versions.py --root . --require nupkg "$nupkg" \
  >"$work/versions.log" 2>&1 || {
  cat "$work/versions.log" >&2
  die "$nupkg's Minitensor.nuspec does not say version $version (above)"
}
native=runtimes/linux-x64/native
# The TBB to vendor is the one the library needs (its soname).
tbb=$(readelf -d "$layout/$native/libminitensor.so.0" |
  sed -n 's/.*(NEEDED).*\[\(libtbb[^]]*\)\]/\1/p')
[[ -n $tbb ]] || die "libminitensor.so.0 does not need libtbb: what should be vendored?"
expected=(Minitensor.nuspec lib/net45/Minitensor.dll lib/net45/Minitensor.dll.config
  lib/net45/Minitensor.xml "$native/libminitensor.so.0" "$native/libminitensor_csharp.so"
  "$native/$tbb")
for plugin in libminitensor_cuda.so libminitensor_dist_mpi.so libminitensor_dist_nccl.so; do
  if [[ -f $build/capi/$plugin ]]; then
    expected+=("$native/$plugin")
  fi
done
printf '%s\n' "${expected[@]}" | sort >"$work/expected"
unzip -Z1 "$nupkg" | grep -vE '^(_rels/|package/|\[Content_Types\]\.xml$)' | sort >"$work/packed"
diff -u "$work/expected" "$work/packed" >&2 ||
  die "$nupkg does not hold the expected files (above: - missing, + unexpected)"

# 3. A fresh project restores it and runs the consumer.
echo "--- a fresh project: nuget restore from $out, mcs, mono"
project=$work/project
mkdir -p "$project"
cat >"$project/packages.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<packages>
  <package id="Minitensor" version="$version" targetFramework="net45" />
</packages>
EOF
(cd "$project" && nuget restore packages.config -PackagesDirectory packages -Source "$out" \
  -NonInteractive) >"$work/restore.log" 2>&1 || {
  cat "$work/restore.log" >&2
  die "nuget restore of Minitensor $version from $out failed"
}
package=$project/packages/Minitensor.$version
mcs -nologo -warn:4 -warnaserror -r:"$package/lib/net45/Minitensor.dll" \
  -out:"$project/Consumer.exe" "$root/tests/packaging/consumer/Consumer.cs" ||
  die "Consumer.cs does not build against the restored Minitensor.dll"
# LD_DEBUG=files logs the path of every library the dynamic loader initializes.
printed=$(cd "$project" && env -u LD_LIBRARY_PATH MONO_PATH="$package/lib/net45" LD_DEBUG=files \
  LD_DEBUG_OUTPUT="$work/ld" mono Consumer.exe 2>&1) ||
  die "the consumer failed: $printed"
[[ $printed == 12 ]] || die "the consumer printed '$printed', not 12"
for library in libminitensor_csharp.so libminitensor.so.0 "$tbb"; do
  loaded=$(sed -n "s|.*calling init: \(.*/$library\)\$|\1|p" "$work"/ld.* | head -1)
  [[ -n $loaded && $(realpath "$loaded") == "$package/$native/$library" ]] ||
    die "mono loaded $library from '${loaded:-nowhere}', not from the restored package"
done

size_kib=$(($(stat -c %s "$nupkg") / 1024))
echo "packaging/csharp: OK: $nupkg ($size_kib KiB, ${#expected[@]} files) restored into a fresh" \
  "project; Consumer.cs printed 12 with the package's natives ($((SECONDS - start)) s)"
