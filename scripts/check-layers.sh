#!/usr/bin/env bash
# The layering guard: every #include "..." line (and SWIG %include) must point along the
# layers, never against them. Prints each one that does (file:line: the include: the rule) and
# exits 1; exits 0 when there is none.
#
# Directories under core/ and what each may include (its own directory always):
#   base                                   random, op_tables: base
#   backend: base, random, op_tables       tensor: base
#   fusion: base, random, op_tables, backend, tensor
#   ops: base, random, op_tables, backend, tensor, fusion
#   autograd: base, op_tables, tensor, ops
#   data: base, random, tensor, ops        nn: base, random, op_tables, tensor, ops, autograd, data
#   dist: base, random, op_tables, backend, tensor, ops, autograd
# core/mt.hpp (the umbrella header) may include anything; core never includes the C API;
# capi/ may include core (not bindings/); bindings/ use only the C header (minitensor/...).
# An include without a directory ("cuda_emulation.hpp") is a file of the same directory.
#
# Usage: scripts/check-layers.sh [ROOT]   ROOT holds core/ (and capi/, bindings/ when present);
#                                         by default this repository.
set -euo pipefail

root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
if [[ ! -d $root/core ]]; then
  echo "check-layers: $root has no core/ directory" >&2
  exit 2
fi
cd "$root"

dirs=()
for dir in core capi bindings; do
  [[ -d $dir ]] && dirs+=("$dir")
done
mapfile -t files < <(find "${dirs[@]}" -type f \( -name '*.[ch]' -o -name '*.[ch]pp' \
  -o -name '*.cu' -o -name '*.cuh' -o -name '*.i' \) | LC_ALL=C sort)

# grep prints file:line:text; /dev/null keeps the file name when there is one file.
grep -nE '^[[:space:]]*[#%][[:space:]]*include[[:space:]]*"' /dev/null "${files[@]}" | awk -F: '
BEGIN {
  allowed["base"] = "base"
  allowed["random"] = "base random"
  allowed["op_tables"] = "base op_tables"
  allowed["backend"] = "base random op_tables backend"
  allowed["tensor"] = "base tensor"
  allowed["fusion"] = "base random op_tables backend tensor fusion"
  allowed["ops"] = "base random op_tables backend tensor fusion ops"
  allowed["autograd"] = "base op_tables tensor ops autograd"
  allowed["data"] = "base random tensor ops data"
  allowed["nn"] = "base random op_tables tensor ops autograd data nn"
  allowed["dist"] = "base random op_tables backend tensor ops autograd dist"
  for (layer in allowed) {
    n = split(allowed[layer], to, " ")
    for (i = 1; i <= n; ++i) ok[layer, to[i]] = 1
  }
  bad = 0
}
function report(rule) {
  printf "%s:%s: #include \"%s\": %s\n", file, line, target, rule
  bad = 1
}
{
  file = $1; line = $2; text = $0
  sub(/^[^:]*:[^:]*:/, "", text)
  match(text, /"[^"]*"/)
  target = substr(text, RSTART + 1, RLENGTH - 2)
  slash = index(target, "/")
  first = slash ? substr(target, 1, slash - 1) : ""
  n = split(file, part, "/")
  if (part[1] == "core") {
    if (file == "core/mt.hpp") next
    layer = n > 2 ? part[2] : ""
    if (!(layer in allowed)) { report("core/" layer " is not a layer (core/mt.hpp aside, files live in a layer directory)"); next }
    if (first == "") next
    if (first == "minitensor" || first == "capi") { report("core never includes the C API"); next }
    if (!((layer, first) in ok)) {
      rule = allowed[layer]; gsub(/ /, ", ", rule)
      report(layer " may include only " rule)
    }
  } else if (part[1] == "capi") {
    if (first == "bindings") report("capi may include core and its own headers, not bindings")
  } else if (part[1] == "bindings") {
    if (target == "mt.hpp" || first in allowed) report("bindings use only the C header (minitensor/...)")
  }
}
END { exit bad }
' && exit 0
echo "check-layers: includes against the layers (see the rules at the top of scripts/check-layers.sh)" >&2
exit 1
