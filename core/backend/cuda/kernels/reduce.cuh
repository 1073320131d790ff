#pragma once
// The reduction kernel. `out` has in's rank with size 1 in the reduced dims; each output
// element folds one "slice" of the input: the elements that differ from it only in the reduced
// dims. Two layouts describe the work (base/strided_layout.hpp): `slices` walks the output (where
// each slice starts in the input), `slice` walks the reduced dims (offsets within a slice).
//
// A group of threads folds each slice: every thread of the group folds a strided part of it
// (elements lane, lane + lanes, ...; any length, no limit on the reduced size), then the
// group combines its partial results with warp shuffles (and, for a block, shared memory).
// The group is one of (chosen per launch by choose_group below):
//   Thread: a thread per slice; no combining step at all.
//   Warp:   a warp per slice, 8 slices per block; combined by __shfl_down_sync, no barrier.
//   Block:  a block of 256 threads per slice; warps combine by shuffles, then warp 0 combines
//           the 8 warp results from shared memory.
// Only the op table's identity() and combine() are used: partial results are folded with the
// same combine() as elements (the table promises that the fold is associative up to rounding).
#include <cstdint>

#include "backend/cuda/kernels/launch.cuh"
#include "backend/cuda/kernels/launchers.hpp"
#include "backend/cuda/kernels/layout.cuh"
#include "op_tables/op_dispatch.hpp"

namespace mt::cuda {

enum class Group { Thread, Warp, Block };

template <class T> struct ReduceArgs {
  StridedLayout<2>
      slices;  // over out's shape: operand 0 is out, operand 1 the start of the slice in in
  StridedLayout<1> slice;  // over the reduced dims: in's offsets relative to the slice's start
  T* out;
  const T* in;
};

// Folds elements first, first + step, ... of the slice that starts at in + base.
template <class Op, class T>
__device__ T fold_part(const ReduceArgs<T>& args, int64_t base, int64_t first, int64_t step) {
  T acc = Op::template identity<T>();
  for (int64_t j = first; j < args.slice.numel; j += step) {
    int64_t offset[1];
    args.slice.offsets(j, offset);
    acc = Op::combine(acc, args.in[base + offset[0]]);
  }
  return acc;
}

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

template <Group G, class Op, class T> __global__ void reduce_kernel(ReduceArgs<T> args) {
  // Threads are numbered across the launch in groups of `lanes`, group g folding slices g,
  // g + (groups in the grid), ... A group's loop bound is the same for all its threads, so a
  // whole warp (or block) takes part in each shuffle (or barrier).
  const unsigned lanes = G == Group::Thread ? 1 : (G == Group::Warp ? kWarpSize : blockDim.x);
  const unsigned lane = threadIdx.x % lanes;
  const int64_t groups_per_block = blockDim.x / lanes;
  const int64_t step = groups_per_block * gridDim.x;
  for (int64_t s = blockIdx.x * groups_per_block + threadIdx.x / lanes; s < args.slices.numel;
       s += step) {
    int64_t offset[2];
    args.slices.offsets(s, offset);
    T acc = fold_part<Op>(args, offset[1], lane, lanes);
    if constexpr (G == Group::Warp) acc = warp_combine<Op>(acc);
    if constexpr (G == Group::Block) acc = block_combine<Op>(acc);
    if (lane == 0) args.out[offset[0]] = acc;
  }
}

// The mapping, by napkin math (H200: 132 SMs, 64 resident warps each):
// - slices of at most 32 elements: a thread per slice. A warp would leave most lanes idle, and
//   5 shuffle steps cost as much as folding 32 values in one thread.
// - the reduction runs across memory order (neighbouring outputs are closer in memory than
//   neighbouring elements of a slice, e.g. a sum over dim 0 of a row-major matrix) and there
//   are enough slices for a block of threads per SM: a thread per slice, so that the lanes of a
//   warp read neighbouring addresses (coalesced); a warp per slice would read 32 cache lines
//   per step.
// - slices of up to 1024 elements, or enough slices to give every resident warp its own: a
//   warp per slice (no barriers; each lane folds len/32 values).
// - otherwise (few, long slices): a block per slice, to spread each slice over 256 threads.
template <class T> Group choose_group(const ReduceArgs<T>& args) {
  const int64_t len = args.slice.numel, slices = args.slices.numel, sms = sm_count();
  const bool across_memory_order = args.slices.rank > 0 && args.slice.rank > 0 &&
                                   magnitude(args.slices.strides[1][args.slices.rank - 1]) <
                                       magnitude(args.slice.strides[0][args.slice.rank - 1]);
  if (len <= kWarpSize || (across_memory_order && slices >= kBlockThreads * sms))
    return Group::Thread;
  if (len <= 1024 || slices >= 64 * sms) return Group::Warp;
  return Group::Block;
}

template <class Op, class T> cudaError_t launch_reduce(const ReduceArgs<T>& args, cudaStream_t s) {
  const int64_t slices = args.slices.numel;
  switch (choose_group(args)) {
    case Group::Thread: {
      const unsigned threads = block_threads(slices);
      return launch(reduce_kernel<Group::Thread, Op, T>, dim3(grid_blocks(slices, threads)),
                    dim3(threads), 0, s, args);
    }
    case Group::Warp: {
      const unsigned threads = block_threads(slices * kWarpSize);
      return launch(reduce_kernel<Group::Warp, Op, T>,
                    dim3(grid_blocks(slices, threads / kWarpSize)), dim3(threads), 0, s, args);
    }
    case Group::Block:
      return launch(reduce_kernel<Group::Block, Op, T>, dim3(grid_blocks(slices, 1)),
                    dim3(kBlockThreads), 0, s, args);
  }
  return cudaErrorInvalidValue;
}

cudaError_t reduce(ReduceOp op, const mt_cuda_view& in, const mt_cuda_view& out, cudaStream_t s) {
  if (!valid_op(op, kReduceOpCount) || !same_dtype({&out, &in}) || in.rank != out.rank)
    return cudaErrorInvalidValue;
  // One slice: the reduced dims at in's strides, the kept dims cut to size 1.
  mt_cuda_view slice = in;
  for (int d = 0; d < in.rank; ++d) {
    if (out.shape[d] != 1 && out.shape[d] != in.shape[d]) return cudaErrorInvalidValue;
    slice.shape[d] = out.shape[d] == 1 ? in.shape[d] : 1;
  }
  if (numel(out) == 0) return cudaSuccess;
  return with_dtype(out.dtype, [&](auto zero) {
    using T = decltype(zero);
    // The reduced dims have size 1 in out, so the slices' layout drops them.
    const ReduceArgs<T> args{make_layout<2>({&out, &in}, LayoutOrder::Logical),
                             make_layout<1>({&slice}, LayoutOrder::Logical), data<T>(out),
                             data<T>(in)};
    return dispatch_reduce(op, [&](auto fn) { return launch_reduce<decltype(fn)>(args, s); });
  });
}

}  // namespace mt::cuda
