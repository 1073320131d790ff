# shellcheck shell=bash disable=SC2034  # build, out and root are for the sourcing script
# Sourced by each script of scripts/packaging/, with the script's own arguments: checks that
# they are BUILD_DIR OUT_DIR, then sets root (the source tree, also the working directory),
# build (BUILD_DIR, absolute) and out (OUT_DIR, absolute; created).
[[ $# -eq 2 ]] || {
  echo "usage: $0 BUILD_DIR OUT_DIR" >&2
  exit 2
}
build=$(realpath -m "$1")
mkdir -p "$2"
out=$(realpath "$2")
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
root=$PWD
