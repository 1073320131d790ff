#!/bin/sh
# Runs a plan test twice over one disk cache, damaging every cached file in between: the second
# run must ignore the damaged files (they are never trusted), compile its kernels again and write
# the files anew. Usage: damaged_cache.sh TEST_PROGRAM CACHE_DIR (the test's environment names
# the same CACHE_DIR in MINITENSOR_KERNEL_CACHE).
set -eu
program=$1 cache=$2
rm -rf "$cache"
"$program"
found=0
for f in "$cache"/*; do
  [ -e "$f" ] || continue
  printf damaged >"$f"
  found=1
done
[ "$found" = 1 ] || { echo "damaged_cache.sh: the first run cached nothing in $cache" >&2; exit 1; }
"$program"
for f in "$cache"/*; do
  if printf damaged | cmp -s - "$f"; then
    echo "damaged_cache.sh: $f was not written again" >&2
    exit 1
  fi
done
