#!/usr/bin/env bash
# The checks that need a GPU (CI has none): builds the real CUDA plugin (MT_CUDA=ON), runs the
# core's device tests and the generated fused kernels' tests on the GPU through it, then the
# CUDA benchmark, which first checks the kernel's and cuBLAS's matmuls against the CPU on several
# layouts and ends with fused plans (against unfused plans and a device copy, with their build
# times cold: NVRTC compiles; then again in a second process: disk-cache hits), then (where the
# build has MPI and NCCL) the NCCL engine under mpirun -np 1.
# Usage: scripts/gpu-check.sh [--build-only | --no-build] [--memcheck] [BUILD_DIR]
#   BUILD_DIR     default build/gpu
#   --build-only  configure and build, run nothing (on a machine with nvcc but no GPU)
#   --no-build    run what BUILD_DIR holds (built elsewhere with --build-only)
#   --memcheck    also run the device tests under compute-sanitizer (much slower)
# Environment: MT_CUDA_ARCHITECTURES (default "80;90"; "native" builds for this machine's GPU
# only, and faster), MT_BENCH_RUNS (runs per benchmark case, default 20).
set -euo pipefail
cd "$(dirname "$0")/.."

build_step=1 run_step=1 memcheck=0 build=build/gpu
for arg in "$@"; do
  case $arg in
    --build-only) run_step=0 ;;
    --no-build) build_step=0 ;;
    --memcheck) memcheck=1 ;;
    -*) sed -n '2,11p' "$0" >&2; exit 2 ;;
    *) build=$arg ;;
  esac
done
[[ $build == /* ]] || build=$PWD/$build

plugin=$build/capi/libminitensor_cuda.so
device_tests=$build/tests/cuda/device/mt_cuda_device_tests
fused_tests=$build/tests/cuda/fused/mt_cuda_fused_tests
bench=$build/bench/cuda/mt_cuda_bench
nccl_tensors=$build/tests/dist/mt_dist_nccl_tensors

if ((build_step)); then
  start=$SECONDS
  cmake --preset dev -B "$build" -DMT_CUDA=ON -DMT_BINDINGS=OFF -DMT_BUILD_EXAMPLES=OFF \
    -DMT_BUILD_BENCH=ON -DCMAKE_CUDA_ARCHITECTURES="${MT_CUDA_ARCHITECTURES:-80;90}"
  cmake --build "$build" --target minitensor_cuda mt_cuda_device_tests mt_cuda_fused_tests \
    mt_cuda_bench
  if grep -q '^build mt_dist_nccl_tensors:' "$build/build.ninja"; then # MPI and NCCL found
    cmake --build "$build" --target mt_dist_nccl_init mt_dist_nccl_tensors
  fi
  echo "gpu-check: built in $((SECONDS - start)) s"
fi
((run_step)) || exit 0

if ! nvidia-smi -L >/dev/null 2>&1; then
  echo "gpu-check: no GPU here (nvidia-smi finds none); build with --build-only instead" >&2
  exit 2
fi
nvidia-smi -L

# The tests normally run the emulated plugin (ctest sets MINITENSOR_CUDA_PLUGIN to it); here
# they run the real one, and MT_REQUIRE_CUDA turns a plugin that cannot start into a failure.
export MINITENSOR_CUDA_PLUGIN=$plugin MT_REQUIRE_CUDA=1
failed=0
echo "--- device tests on the GPU"
"$device_tests" || failed=1
if ((memcheck)); then
  echo "--- device and fused tests under compute-sanitizer memcheck"
  for tests in "$device_tests" "$fused_tests"; do
    compute-sanitizer --tool memcheck --error-exitcode 1 "$tests" --gtest_brief=1 || failed=1
  done
fi
echo "--- generated fused kernels on the GPU"
"$fused_tests" || failed=1
# A kernel cache of this run's own: the first benchmark compiles every fused kernel (cold), the
# second process finds them on disk (warm).
MINITENSOR_KERNEL_CACHE=$(mktemp -d)
export MINITENSOR_KERNEL_CACHE
trap 'rm -rf "$MINITENSOR_KERNEL_CACHE"' EXIT
echo "--- benchmark (fused plans built cold: NVRTC compiles each kernel)"
"$bench" "${MT_BENCH_RUNS:-20}" || failed=1
echo "--- fused plans again, in a new process (build times: disk-cache hits)"
"$bench" "${MT_BENCH_RUNS:-20}" --fused-only || failed=1
# The NCCL engine at one rank (NCCL puts each rank on a GPU of its own): its init, bootstrapped
# by the MPI plugin, then the communicator's collectives on CUDA tensors through it.
if [[ -x $nccl_tensors ]] && command -v mpirun >/dev/null; then
  echo "--- the NCCL engine under mpirun -np 1"
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 MINITENSOR_DIST_TIMEOUT=60
  mpirun -np 1 "$build/tests/dist/mt_dist_nccl_init" "$build/capi/libminitensor_dist_mpi.so" \
    "$build/capi/libminitensor_dist_nccl.so" || failed=1
  MINITENSOR_DIST_ENGINE=nccl mpirun -np 1 "$nccl_tensors" || failed=1
else
  echo "--- the NCCL engine: not built (no MPI or NCCL found), or no mpirun here"
fi
if ((failed)); then
  echo "gpu-check: FAILED" >&2
  exit 1
fi
echo "gpu-check: passed"
