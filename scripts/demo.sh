#!/usr/bin/env bash
# README command 1: install what is missing, build, run the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset dev >/dev/null
cmake --build --preset dev --target mt_tour mt_train
build/dev/examples/mt_tour
build/dev/examples/mt_train xor 10 500 0.05
