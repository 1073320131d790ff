#!/usr/bin/env bash
# One command: install the benchmark's Debian packages where missing, build mt_bench (Release),
# then compare minitensor with numpy and PyTorch at 1..THREADS threads (default 2); FILTER runs
# only the cases whose name contains it (the STREAM reference always runs). DIST=1 adds the
# distributed benchmark (bench/dist.py: minitensor's collectives against raw MPI and a
# data-parallel training step, under mpirun; about a minute); DIST=only runs just that.
#   bench/run.sh                 THREADS=1 bench/run.sh          FILTER=train_ bench/run.sh
#   DIST=only bench/run.sh
# Prints a markdown table, then the C API's overhead on the training epoch (mt_bench_capi,
# capi_train.cpp) and per call (mt_bench_capi_calls, capi_calls.c), then the bindings'
# (bench/bindings.py: ops from Python against numpy and torch, the training demo in each
# language); the raw results go to build/bench/results.json (and build/bench/dist.json).
# About 5-10 minutes (FILTER=train_: about 1 minute).
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-2}
FILTER=${FILTER:-}
DIST=${DIST:-0}
if [[ ! $DIST =~ ^(0|1|only)$ ]]; then
  echo "bench/run.sh: DIST=$DIST must be 0, 1 or only" >&2
  exit 2
fi

scripts/install-deps.sh --bench

cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DMT_BUILD_TESTS=OFF \
  -DMT_BUILD_EXAMPLES=ON -DMT_BUILD_BENCH=ON -DMT_BINDINGS=ON \
  -DPython3_EXECUTABLE=/usr/bin/python3 >/dev/null
if [[ $DIST != only ]]; then
  cmake --build build/bench --target mt_bench mt_bench_capi mt_bench_capi_calls mt_train_c \
    mt_python minitensor_java_example minitensor_csharp_Train_exe

  # compare.py gives numpy and torch each their own environment (OpenBLAS threads and presets,
  # torch's malloc tunables) in subprocesses; see its docstring.
  /usr/bin/python3 bench/compare.py build/bench/bench/mt_bench --threads "$THREADS" \
    --filter "$FILTER" --json build/bench/results.json
  build/bench/bench/mt_bench_capi_calls | tail -n 1
  echo
  MINITENSOR_NUM_THREADS=$THREADS /usr/bin/python3 bench/bindings.py build/bench
fi
if [[ $DIST != 0 ]]; then
  cmake --build build/bench --target mt_bench_dist_collectives mt_bench_dist_train
  echo
  /usr/bin/python3 bench/dist.py build/bench/bench --json build/bench/dist.json
fi
