#!/usr/bin/env bash
# Makes every package of minitensor the way its ecosystem installs it, installs each somewhere
# fresh and runs that language's smoke test against the installed package alone:
#   C       libminitensor0 + libminitensor-dev .debs, installed with apt-get  packaging/debian.sh
#   Python  a manylinux wheel (auditwheel), installed into a fresh venv       packaging/python.sh
#   Java    a self-contained jar + pom, sources and javadoc jars              packaging/java.sh
#   C#      a NuGet package, restored into a fresh project, run with mono    packaging/csharp.sh
# then checks that every package carries the version defined in VERSION
# (tests/packaging/check_versions.py). The packages are left in OUT_DIR.
# Usage: scripts/check-packages.sh [BUILD_DIR [OUT_DIR]]   (default build/dev build/packages;
#        BUILD_DIR is a configured tree with the bindings, as scripts/test.sh makes it)
# Needs what scripts/install-deps.sh --ci installs, root or sudo (apt-get), and PyPI (the
# wheel's build backend and auditwheel).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/dev}
out=${2:-build/packages}
rm -rf "$out"
mkdir -p "$out"

for part in debian python java csharp; do
  echo "--- scripts/packaging/$part.sh $build $out"
  start=$SECONDS
  scripts/packaging/$part.sh "$build" "$out"
  echo "($part: $((SECONDS - start)) s)"
done

echo "--- the version in every package"
/usr/bin/python3 tests/packaging/check_versions.py --root . --require deb,whl,jar,pom,nupkg "$out"
echo "check-packages: OK"
