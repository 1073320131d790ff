#!/usr/bin/env bash
# Checks the real CUDA plugin that the dev build made with nvcc (CI has nvcc but no GPU): it
# exists, holds machine code for sm_80 and sm_90, links the CUDA runtime statically (only
# libcublas is a shared dependency) and exports nothing but its entry point; and likewise the
# NCCL engine plugin where it was built (libnccl its only CUDA dependency, no MPI). Its behaviour
# without a driver, and without libcublas, is tested by ctest (CudaFallback*).
# Usage: scripts/check-cuda-build.sh [BUILD_DIR]   (default build/dev)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/dev}
plugin=$build/capi/libminitensor_cuda.so
fail() {
  echo "check-cuda-build: $*" >&2
  exit 1
}

[[ -f $plugin ]] || fail "$plugin was not built (MT_CUDA=AUTO builds it where nvcc is on PATH)"
for arch in 80 90; do
  grep -q "arch=compute_$arch,code=\[compute_$arch,sm_$arch\]" "$build/build.ninja" ||
    fail "the plugin is not compiled for sm_$arch"
done
exports=$(nm -D --defined-only "$plugin" | awk '{print $3}')
[[ $exports == mt_cuda_plugin_entry ]] || fail "exports other than the entry point: $exports"
needed=$(objdump -p "$plugin" | awk '/NEEDED/ {print $2}')
grep -q '^libcublas' <<<"$needed" || fail "libcublas is not a dependency: $needed"
! grep -q '^libcudart' <<<"$needed" || fail "the CUDA runtime should be static: $needed"
echo "check-cuda-build: $plugin ($(du -h "$plugin" | cut -f1)) for sm_80 and sm_90," \
  "exports only mt_cuda_plugin_entry, needs $(tr '\n' ' ' <<<"$needed")"

nccl_plugin=$build/capi/libminitensor_dist_nccl.so
if [[ -f $nccl_plugin ]]; then
  exports=$(nm -D --defined-only "$nccl_plugin" | awk '{print $3}')
  [[ $exports == mt_dist_plugin_entry ]] || fail "the NCCL plugin exports more: $exports"
  needed=$(objdump -p "$nccl_plugin" | awk '/NEEDED/ {print $2}')
  grep -q '^libnccl' <<<"$needed" || fail "libnccl is not a dependency of the NCCL plugin: $needed"
  ! grep -Eq '^lib(cudart|mpi)' <<<"$needed" ||
    fail "the NCCL plugin should need neither a shared CUDA runtime nor MPI: $needed"
  echo "check-cuda-build: $nccl_plugin exports only mt_dist_plugin_entry, needs" \
    "$(tr '\n' ' ' <<<"$needed")"
fi
