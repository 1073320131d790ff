#include "dist/rank_order_fold.hpp"

namespace mt::dist {
namespace {

template <class Op, class T> void fold(const T* gathered, int32_t ranks, int64_t count, T* out) {
  for (int64_t i = 0; i < count; ++i) {
    T acc = gathered[i];
    for (int32_t r = 1; r < ranks; ++r)
      acc = Op::combine(acc, gathered[r * count + i]);
    out[i] = acc;
  }
}

}  // namespace

void fold_in_rank_order(ReduceOp op, DType dtype, const void* gathered, int32_t ranks,
                        int64_t count, void* out) {
  op_list::dispatch(
      ReduceOpList{}, op,
      [&](auto reduction) {
        using Op = decltype(reduction);
        if (dtype == DType::Float32)
          fold<Op>(static_cast<const float*>(gathered), ranks, count, static_cast<float*>(out));
        else
          fold<Op>(static_cast<const double*>(gathered), ranks, count, static_cast<double*>(out));
      },
      "reduce op");
}

}  // namespace mt::dist
