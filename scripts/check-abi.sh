#!/usr/bin/env bash
# The ABI guard of libminitensor: the library being built must stay binary- and
# source-compatible with every released ABI recorded in capi/abi/.
#   1. builds libminitensor.so with -g -Og (preset abi: the target minitensor alone),
#   2. dumps its ABI with abi-dumper, limited to the public header (capi/include),
#   3. compares it with each baseline capi/abi/minitensor-<version>.dump using
#      abi-compliance-checker in strict mode (any change to a released function, its
#      parameters or return type, or a removed function fails; added functions are fine).
#      A new name for the same type passes (-skip-typedef-uncover), as does a const on a
#      by-value parameter: minitensor.h names its int32_t enum kinds and status (typedef
#      int32_t mt_dtype_t, ...), which C treats as the very same type, so no caller's code or
#      binary can tell. A change of the type behind a name still fails, in size or signedness,
#   4. checks the constants of each baseline header capi/abi/minitensor-<version>.header (enum
#      values, MT_MAX_RANK, MT_VERSION_MAJOR) keep their values in the current header, and that
#      MT_ABI_VERSION did not go down. DWARF does not carry these, so abi-dumper cannot see them.
#
# Usage:
#   scripts/check-abi.sh                 check (what .ci/run does)
#   scripts/check-abi.sh --update        record the current ABI as the baseline of the version in
#                                        the header (MT_VERSION_STRING): only when releasing it
#   scripts/check-abi.sh --lib PATH [--headers DIR]
#                                        check an already built library (and its include dir)
# Needs abi-dumper, abi-compliance-checker and universal-ctags (scripts/install-deps.sh --ci).
set -euo pipefail
root=$(realpath "$(dirname "$0")/..")
abi_dir=$root/capi/abi

# Paths given as arguments are relative to where the script is called from.
mode=check
lib=""
headers=$root/capi/include
while [[ $# -gt 0 ]]; do
  case $1 in
    --update) mode=update ;;
    --lib)
      lib=$(realpath "$2")
      shift
      ;;
    --headers)
      headers=$(realpath "$2")
      shift
      ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "check-abi: unknown argument '$1' (see --help)" >&2
      exit 2
      ;;
  esac
  shift
done

cd "$root"

for tool in abi-dumper abi-compliance-checker ctags eu-readelf vtable-dumper; do
  command -v "$tool" >/dev/null || {
    echo "check-abi: $tool is missing (scripts/install-deps.sh --ci)" >&2
    exit 2
  }
done

header=$headers/minitensor/minitensor.h
version=$(sed -nE 's/^#define MT_VERSION_STRING "(.*)"/\1/p' "$header")
[[ -n $version ]] || {
  echo "check-abi: no MT_VERSION_STRING in $header" >&2
  exit 2
}

if [[ -z $lib ]]; then
  echo "--- cmake --build --preset abi (libminitensor.so with -g -Og)"
  cmake --preset abi >/dev/null
  cmake --build --preset abi
  lib=$root/build/abi/capi/libminitensor.so
fi
lib=$(readlink -f "$lib")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "--- abi-dumper $lib (version $version, public headers $headers)"
abi-dumper "$lib" -o "$work/current.dump" -vnum "$version" -public-headers "$headers" -sort \
  >"$work/dumper.log" 2>&1 || {
  cat "$work/dumper.log" >&2
  echo "check-abi: abi-dumper failed" >&2
  exit 2
}
if grep -q 'incompatible build option' "$work/dumper.log"; then
  grep 'incompatible build option' "$work/dumper.log" >&2
  echo "check-abi: the library must be built with -g -Og (preset abi)" >&2
  exit 2
fi
symbols=$(grep -c "'ShortName' => 'mt_" "$work/current.dump" || true)
echo "dumped $symbols mt_* functions"

if [[ $mode == update ]]; then
  mkdir -p "$abi_dir"
  cp "$work/current.dump" "$abi_dir/minitensor-$version.dump"
  cp "$header" "$abi_dir/minitensor-$version.header"
  echo "check-abi: recorded the ABI of $version in capi/abi/minitensor-$version.{dump,header}" \
    "($(du -k "$abi_dir/minitensor-$version.dump" | cut -f1) KiB): commit them with the release"
  exit 0
fi

# The constants of a baseline header, printed by a C program compiled against a header.
# Lists the enum constants of the baseline and its integer macros, then prints each as
# "NAME VALUE" through the header in include dir $2.
print_constants() {
  local baseline_h=$1 include_dir=$2 out=$3
  {
    echo '#include <stdio.h>'
    echo '#include <minitensor/minitensor.h>'
    echo 'int main(void) {'
    # Enum constants: lines "  MT_NAME = value," or "  MT_NAME," inside enum { ... } blocks,
    # and the one-line enums "enum { MT_A = 0, MT_B = 1 };".
    awk '/^enum *\{/ {inside = 1} inside {print} /\}/ {inside = 0}' "$baseline_h" |
      sed 's#/\*.*\*/##' | grep -oE '\bMT_[A-Z0-9_]+\b' | sort -u |
      sed 's/.*/  printf("enum & %lld\\n", (long long)&);/'
    for macro in MT_MAX_RANK MT_VERSION_MAJOR MT_ABI_VERSION; do
      grep -qE "^#define $macro " "$baseline_h" &&
        printf '  printf("macro %s %%lld\\n", (long long)%s);\n' "$macro" "$macro"
    done
    echo '  return 0;'
    echo '}'
  } >"$work/constants.c"
  cc -std=c99 -I"$include_dir" "$work/constants.c" -o "$work/constants" 2>"$work/constants.log" ||
    return 1
  "$work/constants" >"$out"
}

failed=0
baselines=("$abi_dir"/minitensor-*.dump)
[[ -e ${baselines[0]} ]] || {
  echo "check-abi: no baseline in capi/abi (record one with --update)" >&2
  exit 2
}
for dump in "${baselines[@]}"; do
  old=$(basename "$dump" .dump)
  old_version=${old#minitensor-}
  echo "--- abi-compliance-checker -strict: $old_version (capi/abi) -> $version ($lib)"
  status=0
  abi-compliance-checker -l minitensor -old "$dump" -new "$work/current.dump" -strict \
    -skip-typedef-uncover -report-path "$work/$old.xml" -report-format xml \
    >"$work/$old.log" 2>&1 || status=$?
  grep -E '^(Binary|Source) compatibility|^Total' "$work/$old.log" || true
  if [[ $status -ne 0 ]]; then
    failed=1
    echo "check-abi: FAIL: the ABI of $old_version is broken (abi-compliance-checker exit" \
      "$status); the problems:" >&2
    # The problems of the binary and the source report: removed symbols, changed symbols and
    # types, without the empty lists around them.
    awk '/<report kind=/ {print} /<\/problem_summary>/ {on = 1; next} /<\/report>/ {on = 0} on' \
      "$work/$old.xml" | grep -vE '^\s*$|^\s*</?(problems_with_[a-z]+|added_symbols|removed_symbols)( severity="[A-Za-z]+")?>\s*$' |
      head -200 >&2 || true # head may close the pipe early: the status is failed already
  fi

  old_header=$abi_dir/$old.header
  if [[ ! -f $old_header ]]; then
    echo "check-abi: FAIL: $old_header is missing (the constants of $old_version)" >&2
    failed=1
    continue
  fi
  echo "--- constants of $old_version's header (enum values, MT_MAX_RANK, MT_VERSION_MAJOR)"
  mkdir -p "$work/old/minitensor"
  cp "$old_header" "$work/old/minitensor/minitensor.h"
  print_constants "$old_header" "$work/old" "$work/old.txt" || {
    cat "$work/constants.log" >&2
    echo "check-abi: internal error: the constants of $old_header do not compile" >&2
    exit 2
  }
  if ! print_constants "$old_header" "$headers" "$work/new.txt"; then
    grep -E 'error' "$work/constants.log" >&2 || cat "$work/constants.log" >&2
    echo "check-abi: FAIL: constants of $old_version are missing from the current header" >&2
    failed=1
    continue
  fi
  # Every constant keeps its value, except MT_ABI_VERSION, which may only grow.
  while read -r kind name value; do
    new_value=$(awk -v n="$name" '$2 == n {print $3}' "$work/new.txt")
    if [[ $name == MT_ABI_VERSION ]]; then
      [[ $new_value -ge $value ]] || {
        echo "check-abi: FAIL: MT_ABI_VERSION went down from $value to $new_value" >&2
        failed=1
      }
    elif [[ $new_value != "$value" ]]; then
      echo "check-abi: FAIL: $kind $name was $value in $old_version, is $new_value now" >&2
      failed=1
    fi
  done <"$work/old.txt"
  echo "$(wc -l <"$work/old.txt") constants checked"
done

if [[ $failed -ne 0 ]]; then
  exit 1
fi
echo "check-abi: OK: compatible with ${#baselines[@]} released ABI(s)"
