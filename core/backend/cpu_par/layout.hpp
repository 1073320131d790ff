#pragma once
// The iteration space of a strided op (numpy's nditer, PyTorch's TensorIterator, reduced to
// what this backend needs): operand strides after broadcasting, with size-1 dims dropped, dims
// ordered so that the first operand's fastest dim is innermost, and dims merged wherever they
// are contiguous for every operand. A (4096, 4096) contiguous add becomes one dim of 2^24.
#include <algorithm>
#include <cstdint>
#include <initializer_list>

#include "base/strided_view.hpp"

namespace mt::cpu_par {

inline constexpr int kMaxOperands = 4;

struct Layout {
  int rank = 0;
  int operands = 0;
  Dims shape;
  Dims strides[kMaxOperands];  // in elements; 0 where an operand is broadcast
  char* base[kMaxOperands];    // each operand's element (0, ..., 0)
  int64_t itemsize[kMaxOperands];

  int64_t inner() const { return rank == 0 ? 1 : shape[rank - 1]; }
  int64_t stride(int operand, int d) const { return strides[operand][d]; }
  int64_t inner_stride(int operand) const { return rank == 0 ? 0 : strides[operand][rank - 1]; }
};

// The layout of `views` (the first is the output, the others broadcast to `shape`).
Layout make_layout(const Dims& shape, std::initializer_list<const StridedView*> views);

// The operands' offsets of the element whose index over dims [0, dims) is the row-major
// decoding of `ordinal` (the dims from `dims` on at 0).
inline void offsets_of(const Layout& l, int64_t ordinal, int dims, int64_t* offsets) {
  for (int k = 0; k < l.operands; ++k)
    offsets[k] = 0;
  for (int d = dims - 1; d >= 0; --d) {
    const int64_t i = ordinal % l.shape[d];
    ordinal /= l.shape[d];
    for (int k = 0; k < l.operands; ++k)
      offsets[k] += i * l.stride(k, d);
  }
}

// Calls row(offsets, n) for consecutive runs of the elements with ordinals [begin, end) in the
// layout's (row-major) order, where offsets[k] is operand k's element offset of the run's first
// element and each run lies within one innermost row.
template <class Row>
void for_each_run(const Layout& layout, int64_t begin, int64_t end, Row&& row) {
  const int r = layout.rank;
  if (r == 0) {
    int64_t offsets[kMaxOperands] = {};
    if (begin < end) row(offsets, int64_t{1});
    return;
  }
  const int64_t inner = layout.inner();
  // Multi-index of `begin` over the outer dims, and the operands' offsets there.
  Dims index = Dims::filled(r, 0);
  int64_t rest = begin / inner;
  for (int d = r - 2; d >= 0; --d) {
    index[d] = rest % layout.shape[d];
    rest /= layout.shape[d];
  }
  int64_t col = begin % inner;
  int64_t offsets[kMaxOperands];
  offsets_of(layout, begin / inner, r - 1, offsets);
  for (int64_t at = begin; at < end;) {
    const int64_t n = std::min(inner - col, end - at);
    int64_t run[kMaxOperands];
    for (int k = 0; k < layout.operands; ++k)
      run[k] = offsets[k] + col * layout.stride(k, r - 1);
    row(run, n);
    at += n;
    col = 0;
    // Odometer step over the outer dims, keeping the offsets in step.
    for (int d = r - 2; d >= 0; --d) {
      for (int k = 0; k < layout.operands; ++k)
        offsets[k] += layout.stride(k, d);
      if (++index[d] < layout.shape[d]) break;
      for (int k = 0; k < layout.operands; ++k)
        offsets[k] -= index[d] * layout.stride(k, d);
      index[d] = 0;
    }
  }
}

}  // namespace mt::cpu_par
