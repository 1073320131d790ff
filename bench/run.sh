#!/usr/bin/env bash
# One command: install the benchmark's Debian packages where missing, build mt_bench (Release),
# then compare minitensor with numpy and PyTorch at 1..THREADS threads (default 2); FILTER runs
# only the cases whose name contains it (the STREAM reference always runs). DIST=1 adds the
# distributed benchmark (bench/dist.py: minitensor's collectives against raw MPI and a
# data-parallel training step, under mpirun; about a minute); DIST=only runs just that.
#   bench/run.sh                 THREADS=1 bench/run.sh          FILTER=train_ bench/run.sh
# The fusion benchmark follows (bench/fusion.py: minitensor eager and compiled against numpy,
# numexpr and torch on element-wise chains, softmax and an Adam step; about 40 s; numexpr comes
# from PyPI into build/bench/venv, installed when missing); FUSION=0 leaves it out, FUSION=only
# runs just that (DIST=only FUSION=only: those two).
#   DIST=only bench/run.sh       FUSION=only bench/run.sh
# Prints a markdown table, then the C API's overhead on the training epoch (mt_bench_capi,
# capi_train.cpp) and per call (mt_bench_capi_calls, capi_calls.c), then the bindings'
# (bench/bindings.py: ops from Python against numpy and torch, the training demo in each
# language), then the fusion table; the raw results go to build/bench/results.json,
# build/bench/fusion.json (and build/bench/dist.json).
# About 5-10 minutes (FILTER=train_: about 1 minute, and the fusion benchmark).
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-2}
FILTER=${FILTER:-}
DIST=${DIST:-0}
FUSION=${FUSION:-1}
for setting in DIST FUSION; do
  if [[ ! ${!setting} =~ ^(0|1|only)$ ]]; then
    echo "bench/run.sh: $setting=${!setting} must be 0, 1 or only" >&2
    exit 2
  fi
done

scripts/install-deps.sh --bench

cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DMT_BUILD_TESTS=OFF \
  -DMT_BUILD_EXAMPLES=ON -DMT_BUILD_BENCH=ON -DMT_BINDINGS=ON \
  -DPython3_EXECUTABLE=/usr/bin/python3 >/dev/null
if [[ $DIST != only && $FUSION != only ]]; then
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
if [[ $FUSION != 0 ]]; then
  cmake --build build/bench --target mt_python
  # numexpr from PyPI in the benchmark's own environment, with Debian's numpy (pinned: a newer
  # one from PyPI would not match Debian's torch); without a network its column reads n/a.
  venv=build/bench/venv
  [[ -x $venv/bin/python ]] || /usr/bin/python3 -m venv --system-site-packages "$venv"
  if ! "$venv/bin/python" -c "import numexpr" 2>/dev/null; then
    numpy_pin="numpy==$(/usr/bin/python3 -c "import numpy; print(numpy.__version__)")"
    "$venv/bin/python" -m pip install --quiet --retries 1 --timeout 20 numexpr \
      --constraint /dev/stdin <<<"$numpy_pin" ||
      echo "bench/run.sh: pip could not install numexpr (offline?): numexpr will read n/a" >&2
  fi
  echo
  "$venv/bin/python" bench/fusion.py build/bench --threads "$THREADS" \
    --json build/bench/fusion.json
fi
if [[ $DIST != 0 ]]; then
  cmake --build build/bench --target mt_bench_dist_collectives mt_bench_dist_train
  echo
  /usr/bin/python3 bench/dist.py build/bench/bench --json build/bench/dist.json
fi
