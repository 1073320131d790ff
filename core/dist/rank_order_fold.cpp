#include "dist/rank_order_fold.hpp"

#include <algorithm>

#include "op_tables/op_dispatch.hpp"
#include "ops/tensor_ops.hpp"

namespace mt::dist {
namespace {

// Rank by rank over the whole row (vectorisable), which combines each element in rank order.
template <class Op, class T>
void fold(const char* rows, int64_t stride, int64_t ranks, int64_t count, T* out) {
  std::copy_n(reinterpret_cast<const T*>(rows), count, out);
  for (int64_t r = 1; r < ranks; ++r) {
    const T* row = reinterpret_cast<const T*>(rows + r * stride);
    for (int64_t i = 0; i < count; ++i)
      out[i] = Op::combine(out[i], row[i]);
  }
}

BinaryOp elementwise(ReduceOp op) {
  switch (op) {
    case ReduceOp::Sum: return BinaryOp::Add;
    case ReduceOp::Prod: return BinaryOp::Mul;
    case ReduceOp::Max: return BinaryOp::Max;
    case ReduceOp::Min: return BinaryOp::Min;
  }
  fail(ErrorCode::InvalidArgument, "unknown reduce op ", static_cast<int32_t>(op));
}

}  // namespace

void fold_in_rank_order(ReduceOp op, const Tensor& gathered, const Tensor& out) {
  const int64_t ranks = gathered.shape()[0], count = gathered.shape()[1];
  if (!out.device().is_cpu()) {
    const Tensor flat = out.view(Dims{count});
    map_out(UnaryOp::Id, gathered.select(0, 0), flat);
    for (int64_t r = 1; r < ranks; ++r)
      zip_out(elementwise(op), flat, gathered.select(0, r), flat);
    return;
  }
  fold_rows_in_rank_order(op, out.dtype(), static_cast<const char*>(gathered.raw_data()),
                          count * itemsize(out.dtype()), static_cast<int32_t>(ranks), count,
                          out.raw_data());
}

void fold_rows_in_rank_order(ReduceOp op, DType dtype, const char* first_row, int64_t row_stride,
                             int32_t ranks, int64_t count, void* out) {
  dispatch_reduce(op, [&](auto reduction) {
    using Op = decltype(reduction);
    if (dtype == DType::Float32)
      fold<Op>(first_row, row_stride, ranks, count, static_cast<float*>(out));
    else
      fold<Op>(first_row, row_stride, ranks, count, static_cast<double*>(out));
  });
}

}  // namespace mt::dist
