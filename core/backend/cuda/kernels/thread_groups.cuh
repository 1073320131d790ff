#pragma once
// How the reductions fold a slice with a group of threads, shared by the plugin's reduce kernel
// (reduce.cuh) and the fused reductions generated at run time (codegen/): both fold in exactly
// this order, so a fused reduction gives the bits of the unfused one (issue 17).
//
// Device code only, and NVRTC-clean (no standard header): whoever includes it has already
// included the CUDA runtime or its emulation (emu/cuda_compat.hpp) on the host side, and the op
// tables (for int64_t under NVRTC).
#include "backend/cuda/kernels/thread_group.hpp"

namespace mt::cuda {

// Combines the values of a warp's 32 lanes into lane 0: each step folds the upper half of the
// lanes still in play onto the lower half (lane l takes lane l + delta's value), 5 steps.
template <class Op, class T> __device__ T warp_combine(T value) {
  for (int delta = kWarpSize / 2; delta > 0; delta /= 2)
    value = Op::combine(value, __shfl_down_sync(0xffffffffu, value, delta));
  return value;
}

// Combines the values of a block's threads (at most kBlockThreads) into thread 0.
template <class Op, class T> __device__ T block_combine(T value) {
  __shared__ T warp_results[kBlockThreads / kWarpSize];
  const unsigned lane = threadIdx.x % kWarpSize, warp = threadIdx.x / kWarpSize;
  value = warp_combine<Op>(value);
  if (lane == 0) warp_results[warp] = value;
  __syncthreads();
  if (warp == 0) {
    value = lane < blockDim.x / kWarpSize ? warp_results[lane] : Op::template identity<T>();
    value = warp_combine<Op>(value);
  }
  // Warp 0 must have read warp_results before any warp writes the next slice's.
  __syncthreads();
  return value;
}

// Folds `slices` slices of `len` elements each with groups of G. `slice` says what a slice is:
//   begin(s)          where slice s is (any value the other two take);
//   element(at, j)    element j of that slice (row-major over the reduced dims);
//   finish(at, acc)   what to do with the slice's result (run by the group's first thread).
// Threads are numbered across the launch in groups of `lanes`, group g folding slices g,
// g + (groups in the grid), ...; each lane folds elements lane, lane + lanes, ... (any length),
// then the group combines its partial results. A group's loop bound is the same for all its
// threads, so a whole warp (or block) takes part in each shuffle (or barrier). Only the op
// table's identity() and combine() are used: partial results fold with the same combine() as
// elements (the table promises that the fold is associative up to rounding).
template <Group G, class Op, class T, class Index, class Slice>
__device__ void fold_slices(Index slices, Index len, const Slice& slice) {
  const unsigned lanes = G == Group::Thread ? 1 : (G == Group::Warp ? kWarpSize : blockDim.x);
  const unsigned lane = threadIdx.x % lanes;
  const Index groups_per_block = blockDim.x / lanes;
  const Index step = groups_per_block * gridDim.x;
  for (Index s = blockIdx.x * groups_per_block + threadIdx.x / lanes; s < slices; s += step) {
    const auto at = slice.begin(s);
    T acc = Op::template identity<T>();
    for (Index j = lane; j < len; j += lanes)
      acc = Op::combine(acc, slice.element(at, j));
    if constexpr (G == Group::Warp) acc = warp_combine<Op>(acc);
    if constexpr (G == Group::Block) acc = block_combine<Op>(acc);
    if (lane == 0) slice.finish(at, acc);
  }
}

}  // namespace mt::cuda
