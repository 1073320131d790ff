#pragma once
// The arithmetic of the ordered all-reduce: every rank folds the same gathered contributions in
// the same order, so every rank gets the same bits, run after run.
#include <cstdint>

#include "base/dtype.hpp"
#include "op_tables/reduce_ops.hpp"

namespace mt::dist {

// out[i] = combine(...combine(combine(c[0][i], c[1][i]), c[2][i])..., c[ranks - 1][i]) for
// i < count, where c[r] = gathered + r * count elements of `dtype` (ranks >= 1). `out` may be
// any buffer of count elements, also c[0] itself.
void fold_in_rank_order(ReduceOp op, DType dtype, const void* gathered, int32_t ranks,
                        int64_t count, void* out);

}  // namespace mt::dist
