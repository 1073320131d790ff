#!/usr/bin/env bash
# Checks what libminitensor.so exports against the public header:
#   - the dynamic symbol table defines only mt_* functions and the version node MINITENSOR_0,
#   - every function declared with MT_API in the header is exported (and nothing else is),
#   - every mt_* symbol carries the version MINITENSOR_0,
#   - the SONAME is libminitensor.so.0.
# Usage: scripts/check-exports.sh LIBRARY HEADER   (the ctest PackagingExports runs it)
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 path/to/libminitensor.so path/to/minitensor.h" >&2
  exit 2
fi
lib=$1
header=$2
expected_soname=libminitensor.so.0
version_node=MINITENSOR_0
failed=0
fail() {
  echo "check-exports: FAIL: $*" >&2
  failed=1
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The header's functions: every declaration "MT_API <type> mt_name(" (it may span lines, but
# the name and its "(" are on the MT_API line).
grep -E '^MT_API ' "$header" | grep -oE '\bmt_[A-Za-z0-9_]+\(' | tr -d '(' | sort >"$work/declared"
# The library's exports: "ADDRESS TYPE NAME@@VERSION" (the version node is "0 A MINITENSOR_0").
nm -D --defined-only --with-symbol-versions "$lib" >"$work/nm"
awk '{print $NF}' "$work/nm" | sed -E 's/@@?.*//' | grep -v "^${version_node}\$" | sort \
  >"$work/exported" || true

n_declared=$(wc -l <"$work/declared")
n_exported=$(wc -l <"$work/exported")
[[ $n_declared -gt 0 ]] || fail "no MT_API declarations found in $header"

# Only mt_* names, all of them functions (T), all versioned MINITENSOR_0.
if grep -vE '^mt_' "$work/exported" >"$work/foreign"; then
  fail "symbols outside the mt_ namespace are exported:"
  sed 's/^/  /' "$work/foreign" >&2
fi
if awk -v node="$version_node" '$NF != node && $(NF-1) != "T"' "$work/nm" | grep .; then
  fail "exported symbols that are not functions in .text (above)"
fi
if awk -v node="$version_node" '$NF != node && $NF !~ ("@@" node "$")' "$work/nm" | grep .; then
  fail "exported symbols without the default version $version_node (above)"
fi
grep -qE " A ${version_node}\$" "$work/nm" || fail "version node $version_node is not defined"

# The header and the library agree, name by name.
if ! diff <(sort -u "$work/declared") "$work/declared" >/dev/null; then
  fail "functions declared twice in the header: $(uniq -d "$work/declared" | tr '\n' ' ')"
fi
missing=$(comm -23 "$work/declared" "$work/exported")
extra=$(comm -13 "$work/declared" "$work/exported")
[[ -z $missing ]] || fail "declared in the header but not exported: ${missing//$'\n'/ }"
[[ -z $extra ]] || fail "exported but not declared in the header: ${extra//$'\n'/ }"

soname=$(readelf -d "$lib" | sed -nE 's/.*\(SONAME\).*\[(.*)\]/\1/p')
[[ $soname == "$expected_soname" ]] || fail "SONAME is '$soname', expected '$expected_soname'"

if [[ $failed -ne 0 ]]; then
  exit 1
fi
echo "check-exports: OK: $n_exported mt_* functions exported = $n_declared MT_API declarations," \
  "version $version_node, SONAME $soname"
