#pragma once
// The arithmetic of the ordered all-reduce: every rank folds the same gathered contributions in
// the same order, so every rank gets the same bits, run after run.
#include "op_tables/reduce_ops.hpp"
#include "tensor/tensor.hpp"

namespace mt::dist {

// out[i] = combine(...combine(combine(c[0][i], c[1][i]), c[2][i])..., c[ranks - 1][i]), where
// c = gathered, a contiguous (ranks, count) tensor, and out a contiguous tensor of count elements
// of the same dtype and device (on a CUDA device, by one elementwise kernel per rank).
void fold_in_rank_order(ReduceOp op, const Tensor& gathered, const Tensor& out);

}  // namespace mt::dist
