#include "backend/cpu_par/matmul.hpp"

#include <vector>

#include "base/index.hpp"
#include "base/strided_layout.hpp"

namespace mt::cpu_par {
namespace {

// The batch dims of v alone: its matrix dims set to size 1, which the layout drops.
StridedView batch_part(const StridedView& v) {
  StridedView batch = v;
  batch.shape[v.rank - 2] = batch.shape[v.rank - 1] = 1;
  return batch;
}

}  // namespace

const char* matmul(const StridedView& a, const StridedView& b, const StridedView& out,
                   const FinishedBlock* finished) {
  const int r = out.rank;
  const int64_t m = out.shape[r - 2], n = out.shape[r - 1], k = a.shape[r - 1];
  // Element offsets of each batch item of out, a and b, from a layout over the batch dims
  // (broadcast batch dims of a or b repeat their offset). Plain matrices skip the layout.
  Dims batch_shape = shape_of(out);
  batch_shape[r - 2] = batch_shape[r - 1] = 1;
  const int64_t batch = checked_numel(batch_shape);
  std::vector<int64_t> co(batch), ao(batch), bo(batch);
  if (batch > 1) {
    const StridedView ob = batch_part(out), ab = batch_part(a), bb = batch_part(b);
    const StridedLayout<3> layout = make_layout<3>({&ob, &ab, &bb}, LayoutOrder::Strides);
    for (int64_t item = 0; item < batch; ++item) {
      int64_t at[3];
      layout.offsets(item, at);
      co[item] = at[0];
      ao[item] = at[1];
      bo[item] = at[2];
    }
  }
  return dispatch_dtype(out.dtype, [&](auto zero) {
    using T = decltype(zero);
    gemm_batched<T>(batch, m, n, k, data_as<T>(a), ao.data(), a.strides[r - 2], a.strides[r - 1],
                    data_as<T>(b), bo.data(), b.strides[r - 2], b.strides[r - 1], data_as<T>(out),
                    co.data(), out.strides[r - 2], out.strides[r - 1], finished);
    return gemm_kernel_name(sizeof(T) == 8);
  });
}

}  // namespace mt::cpu_par
