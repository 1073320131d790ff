#pragma once
#include "backend/backend.hpp"

namespace mt::cpu_par {

// The reduce primitive of the parallel backend (Backend::reduce's contract). Returns the path
// that ran: "inner" (the reduced elements of each output are contiguous: vector lanes per
// output), "outer" (the kept elements are contiguous: vectors across outputs), "strided"
// (neither), "copy" (nothing to fold) or "empty".
const char* reduce(ReduceOp op, const StridedView& in, const StridedView& out);

// Where a reduction reads its input when that is not simply memory: a fused kernel's prologue,
// evaluated block by block as the folds need it (fused.cpp). Elements are named by their
// offset in a contiguous row-major tensor of the input's shape.
class ReduceInput {
 public:
  virtual ~ReduceInput() = default;
  // The elements offset + i * row_stride + j for i < rows, j < cols, at a pointer p where
  // element (i, j) is p[i * row_stride + j] on return (row_stride is updated). The pointer
  // stays valid on the calling thread until its next call.
  virtual const void* block(int64_t offset, int64_t rows, int64_t cols,
                            int64_t& row_stride) const = 0;
  // All the elements, contiguous; valid while this input lives. For the paths whose blocks
  // are not worth evaluating one by one ("strided", "copy"): they run on this copy as eager.
  virtual const void* all() const = 0;
};

// The reduction of `input` (of in's shape; in's strides must be row-major and its data is not
// read) into `out`: the same folds in the same order as reduce() on a contiguous tensor that
// holds the input's values, so the same bits.
const char* reduce(ReduceOp op, const StridedView& in, const StridedView& out,
                   const ReduceInput& input);

}  // namespace mt::cpu_par
