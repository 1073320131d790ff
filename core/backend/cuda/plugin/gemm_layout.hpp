#pragma once
// How a matmul of strided views maps onto one strided batched GEMM of cuBLAS, where it does.
// cuBLAS reads column-major matrices; a row-major matrix is its transpose in column-major
// order. So out = a b with a row-major out is computed as out^T = b^T a^T, each operand
// transposed or not by what its memory holds.
#include <climits>
#include <cstdint>
#include <optional>

#include "backend/cuda/plugin_abi.h"

namespace mt::cuda {

// A matrix as cuBLAS reads it: column-major with leading dimension `ld`; `transposed` when the
// memory holds the matrix's transpose in that order (a row-major matrix).
struct ColumnMajor {
  bool transposed = false;
  int64_t ld = 1;
};

// The layout of a rows x cols matrix with the given strides (elements) when one of them is 1
// and the other leaves the rows (or columns) apart; a stride of a dim of size 1 is irrelevant.
inline std::optional<ColumnMajor> column_major(int64_t rows, int64_t cols, int64_t row_stride,
                                               int64_t col_stride) {
  const auto at_least = [](int64_t n) { return n > 1 ? n : int64_t{1}; };
  if (cols == 1 || col_stride == 1) {  // row-major: the transpose, column-major
    const int64_t ld = rows == 1 ? at_least(cols) : row_stride;
    if (ld >= at_least(cols)) return ColumnMajor{true, ld};
  }
  if (rows == 1 || row_stride == 1) {
    const int64_t ld = cols == 1 ? at_least(rows) : col_stride;
    if (ld >= at_least(rows)) return ColumnMajor{false, ld};
  }
  return std::nullopt;
}

// The element offset of matrix `i` of the batch (row-major over out's batch dims) when it is
// i * stride for one stride: returns that stride. A dim that `view` broadcasts has stride 0 in
// effect, so a fully broadcast operand has batch stride 0.
inline std::optional<int64_t> batch_stride(const mt_cuda_view& view, const mt_cuda_view& out) {
  int64_t stride = 0;
  int64_t span = 1;  // matrices in the dims inside the current one
  for (int d = out.rank - 3; d >= 0; --d) {
    const int64_t n = out.shape[d];
    if (n == 1) continue;
    const int64_t s = view.shape[d] == 1 ? 0 : view.strides[d];
    int64_t expected = 0;
    if (span == 1)
      stride = s;  // the innermost dim of more than one matrix sets the stride
    else if (__builtin_mul_overflow(stride, span, &expected) || s != expected)
      return std::nullopt;
    span *= n;  // at most out's element count: no overflow
  }
  return stride;
}

// One operand of the GEMM: data, leading dimension and batch stride, in elements.
struct GemmOperand {
  const void* data = nullptr;
  int ld = 1;
  int64_t batch_stride = 0;
  bool transpose = false;  // op(X) = X^T
};

// C = op(A) op(B) for `batch` column-major m x n matrices C, in cuBLAS's terms.
struct StridedGemm {
  int m = 0, n = 0, k = 0, batch = 0;
  GemmOperand a, b;
  void* c = nullptr;
  int ldc = 1;
  int64_t c_batch_stride = 0;
};

// The GEMM for out = a b (shapes [..., M, K] x [..., K, N] -> [..., M, N], the batch dims of a
// and b broadcasting to out's), or nothing when a layout does not fit cuBLAS: a matrix that is
// neither row- nor column-major, batch offsets that are not a multiple of one stride, sizes
// beyond int. Empty products (M, N, K or the batch 0) are left to the kernel as well.
inline std::optional<StridedGemm> strided_gemm(const mt_cuda_view& a, const mt_cuda_view& b,
                                               const mt_cuda_view& out) {
  const int r = out.rank;
  const int64_t m = out.shape[r - 2], n = out.shape[r - 1], k = a.shape[r - 1];
  int64_t batch = 1;
  for (int d = 0; d < r - 2; ++d)
    batch *= out.shape[d];
  const auto fits = [](int64_t v) { return v > 0 && v <= INT_MAX; };
  if (!fits(m) || !fits(n) || !fits(k) || !fits(batch)) return std::nullopt;

  const auto am = column_major(m, k, a.strides[r - 2], a.strides[r - 1]);
  const auto bm = column_major(k, n, b.strides[r - 2], b.strides[r - 1]);
  const auto cm = column_major(m, n, out.strides[r - 2], out.strides[r - 1]);
  const auto as = batch_stride(a, out), bs = batch_stride(b, out), cs = batch_stride(out, out);
  if (!am || !bm || !cm || !as || !bs || !cs) return std::nullopt;
  if (!fits(am->ld) || !fits(bm->ld) || !fits(cm->ld)) return std::nullopt;

  // A column-major out is a b as it stands; a row-major out (its transpose in memory) is
  // b^T a^T. An operand is transposed when what its memory holds differs from what that
  // product needs.
  const bool swap = cm->transposed;
  const GemmOperand ga{a.data, static_cast<int>(am->ld), *as, am->transposed != swap};
  const GemmOperand gb{b.data, static_cast<int>(bm->ld), *bs, bm->transposed != swap};
  StridedGemm gemm;
  gemm.m = static_cast<int>(swap ? n : m);
  gemm.n = static_cast<int>(swap ? m : n);
  gemm.k = static_cast<int>(k);
  gemm.batch = static_cast<int>(batch);
  gemm.a = swap ? gb : ga;
  gemm.b = swap ? ga : gb;
  gemm.c = out.data;
  gemm.ldc = static_cast<int>(cm->ld);
  gemm.c_batch_stride = *cs;
  return gemm;
}

}  // namespace mt::cuda
