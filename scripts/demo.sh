#!/usr/bin/env bash
# README command 1: install what is missing, build, run the demo: the tour of the C++ engine,
# then the C demo (examples/c/train.c), which trains MiniTorch's classifier on xor through the
# C API, prints a line per epoch and writes the decision boundary to
# build/dev/decision_boundary.svg. Arguments go to the C demo:
#   scripts/demo.sh --dataset spiral --points 100 --hidden 100 --epochs 2000 --lr 0.1
# (build/dev/examples/c/mt_train_c --help lists its options).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset dev >/dev/null
cmake --build --preset dev --target mt_tour mt_train_c
build/dev/examples/mt_tour
echo
build/dev/examples/c/mt_train_c --svg build/dev/decision_boundary.svg "$@"
