#!/usr/bin/env bash
# Memcheck over the C programs of a build (default build/dev, as scripts/test.sh leaves it):
# the C API test suite (processes included: communicator, collectives, sampler, DDP), its
# threads test, a short run of the C demo (eager and --compile: captured steps, fused plans),
# the collectives' program and the demo's
# --distributed in a world of one (no launcher), then the C API's device tests and the demo on
# a CUDA device, both through the emulated CUDA plugin (the device code paths of the core and
# the plugin's host code, with the kernels on host threads). Fails on any memory error and on
# definite or indirect leaks. ("Possibly lost" blocks are not errors: TBB's worker
# threads keep their thread-local state until exit, which memcheck reports as possibly lost.)
# Usage: scripts/valgrind.sh [BUILD_DIR]
# Needs valgrind (scripts/install-deps.sh --ci).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/dev}

command -v valgrind >/dev/null || {
  echo "valgrind.sh: valgrind is missing (scripts/install-deps.sh --ci)" >&2
  exit 2
}
programs=(tests/capi/mt_capi_tests tests/capi/mt_capi_threads_test examples/c/mt_train_c
  tests/capi/mt_capi_device_tests tests/dist/mt_dist_collectives)
cmake --build "$build" --target "${programs[@]##*/}" minitensor_cuda_emu
emulated_cuda=$PWD/$build/cuda/libminitensor_cuda_emu.so
# The single-process paths of processes: a world of one, whatever shell runs this (launched
# ranks are covered by ASan: the asan preset runs the dist tests).
unset OMPI_COMM_WORLD_SIZE PMI_SIZE PMIX_RANK SLURM_NTASKS

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck disable=SC2054  # the commas are valgrind's list syntax
memcheck=(valgrind --tool=memcheck --error-exitcode=1 --leak-check=full
  --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
  --num-callers=30 --quiet --max-threads=1100)  # the emulation: a thread per CUDA thread

failed=0
run() {
  local name=$1
  shift
  echo "--- valgrind $name $*"
  local start=$SECONDS
  if (cd "$work" && "${memcheck[@]}" "$@" >"$work/$name.out" 2>"$work/$name.err"); then
    echo "$name: clean ($((SECONDS - start)) s)"
  else
    failed=1
    echo "valgrind.sh: FAIL: $name (exit status $?)" >&2
    tail -n 40 "$work/$name.out" >&2
    cat "$work/$name.err" >&2
  fi
}

run mt_capi_tests "$PWD/$build/tests/capi/mt_capi_tests"
# Two threads at least, whatever the machine: the test is about sharing tensors.
MINITENSOR_NUM_THREADS=2 run mt_capi_threads_test "$PWD/$build/tests/capi/mt_capi_threads_test"
run mt_train_c "$PWD/$build/examples/c/mt_train_c" --epochs 3 --quiet --svg "$work/boundary.svg" \
  --curves "$work/curves.svg"
run mt_train_c_compile "$PWD/$build/examples/c/mt_train_c" --compile --epochs 2 --quiet \
  --svg "$work/boundary_compiled.svg" --curves "$work/curves_compiled.svg"
run mt_dist_collectives_alone "$PWD/$build/tests/dist/mt_dist_collectives" alone
run mt_train_c_distributed "$PWD/$build/examples/c/mt_train_c" --distributed --epochs 2 --quiet \
  --svg "$work/boundary_distributed.svg" --curves "$work/curves_distributed.svg"
MINITENSOR_CUDA_PLUGIN=$emulated_cuda run mt_capi_device_tests \
  "$PWD/$build/tests/capi/mt_capi_device_tests" emulated
MINITENSOR_CUDA_PLUGIN=$emulated_cuda run mt_train_c_cuda "$PWD/$build/examples/c/mt_train_c" \
  --device cuda --epochs 2 --quiet --svg "$work/boundary_cuda.svg" --curves "$work/curves_cuda.svg"

if [[ $failed -ne 0 ]]; then
  exit 1
fi
echo "valgrind.sh: OK"
