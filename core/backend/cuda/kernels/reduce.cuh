#pragma once
// The reduction kernel. `out` has in's rank with size 1 in the reduced dims; each output
// element folds one "slice" of the input: the elements that differ from it only in the reduced
// dims. Two layouts describe the work (base/strided_layout.hpp): `slices` walks the output (where
// each slice starts in the input), `slice` walks the reduced dims (offsets within a slice).
//
// A group of threads folds each slice (fold_slices, thread_groups.cuh, which the fused
// reductions of codegen/ share): every thread of the group folds a strided part of it
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

template <class T> struct ReduceArgs {
  StridedLayout<2>
      slices;  // over out's shape: operand 0 is out, operand 1 the start of the slice in in
  StridedLayout<1> slice;  // over the reduced dims: in's offsets relative to the slice's start
  T* out;
  const T* in;
};

// A slice of the reduction for fold_slices (thread_groups.cuh): its start in out and in.
template <class T> struct ReduceSlice {
  struct At {
    int64_t out, in;
  };
  const ReduceArgs<T>& args;
  __device__ At begin(int64_t s) const {
    int64_t offset[2];
    args.slices.offsets(s, offset);
    return {offset[0], offset[1]};
  }
  __device__ T element(const At& at, int64_t j) const {
    int64_t offset[1];
    args.slice.offsets(j, offset);
    return args.in[at.in + offset[0]];
  }
  __device__ void finish(const At& at, T acc) const { args.out[at.out] = acc; }
};

template <Group G, class Op, class T> __global__ void reduce_kernel(ReduceArgs<T> args) {
  fold_slices<G, Op, T>(args.slices.numel, args.slice.numel, ReduceSlice<T>{args});
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
Group choose_group(const StridedLayout<2>& slices, const StridedLayout<1>& slice) {
  const int64_t len = slice.numel, count = slices.numel, sms = sm_count();
  const bool across_memory_order =
      slices.rank > 0 && slice.rank > 0 &&
      magnitude(slices.strides[1][slices.rank - 1]) < magnitude(slice.strides[0][slice.rank - 1]);
  if (len <= kWarpSize || (across_memory_order && count >= kBlockThreads * sms))
    return Group::Thread;
  if (len <= 1024 || count >= 64 * sms) return Group::Warp;
  return Group::Block;
}

// The layouts of a reduction of `in` into `out` (checked by the caller): the slices walk out
// (the reduced dims have size 1 there, so the layout drops them), a slice walks the reduced dims
// at in's strides (the kept dims cut to size 1).
struct ReduceLayouts {
  StridedLayout<2> slices;
  StridedLayout<1> slice;
};
ReduceLayouts reduce_layouts(const mt_cuda_view& in, const mt_cuda_view& out) {
  mt_cuda_view slice = in;
  for (int d = 0; d < in.rank; ++d)
    slice.shape[d] = out.shape[d] == 1 ? in.shape[d] : 1;
  return {make_layout<2>({&out, &in}, LayoutOrder::Logical),
          make_layout<1>({&slice}, LayoutOrder::Logical)};
}

ReducePlan plan_for(const ReduceLayouts& layouts) {
  const int64_t slices = layouts.slices.numel;
  switch (const Group group = choose_group(layouts.slices, layouts.slice)) {
    case Group::Thread: {
      const unsigned threads = block_threads(slices);
      return {group, dim3(grid_blocks(slices, threads)), dim3(threads)};
    }
    case Group::Warp: {
      const unsigned threads = block_threads(slices * kWarpSize);
      return {group, dim3(grid_blocks(slices, threads / kWarpSize)), dim3(threads)};
    }
    case Group::Block: return {group, dim3(grid_blocks(slices, 1)), dim3(kBlockThreads)};
  }
  return {};
}

ReducePlan reduce_plan(const mt_cuda_view& in, const mt_cuda_view& out) {
  return plan_for(reduce_layouts(in, out));
}

template <class Op, class T>
cudaError_t launch_reduce(const ReducePlan& plan, const ReduceArgs<T>& args, cudaStream_t s) {
  switch (plan.group) {
    case Group::Thread:
      return launch(reduce_kernel<Group::Thread, Op, T>, plan.grid, plan.block, 0, s, args);
    case Group::Warp:
      return launch(reduce_kernel<Group::Warp, Op, T>, plan.grid, plan.block, 0, s, args);
    case Group::Block:
      return launch(reduce_kernel<Group::Block, Op, T>, plan.grid, plan.block, 0, s, args);
  }
  return cudaErrorInvalidValue;
}

cudaError_t reduce(ReduceOp op, const mt_cuda_view& in, const mt_cuda_view& out, cudaStream_t s) {
  if (!valid_op(op, kReduceOpCount) || !same_dtype({&out, &in}) || in.rank != out.rank)
    return cudaErrorInvalidValue;
  for (int d = 0; d < in.rank; ++d)
    if (out.shape[d] != 1 && out.shape[d] != in.shape[d]) return cudaErrorInvalidValue;
  if (numel(out) == 0) return cudaSuccess;
  const ReduceLayouts layouts = reduce_layouts(in, out);
  const ReducePlan plan = plan_for(layouts);
  return with_dtype(out.dtype, [&](auto zero) {
    using T = decltype(zero);
    const ReduceArgs<T> args{layouts.slices, layouts.slice, data<T>(out), data<T>(in)};
    return dispatch_reduce(op, [&](auto fn) { return launch_reduce<decltype(fn)>(plan, args, s); });
  });
}

}  // namespace mt::cuda
