#pragma once
// The iteration space of a strided op, shared by every backend (numpy's nditer and PyTorch's
// TensorIterator do the same job): N operands walked together over operand 0's shape (by
// convention the one written), simplified once on the host so that the per-element index math
// is as short as it can be:
//   1. broadcast: every operand is aligned on the right with operand 0, with stride 0 in the
//      dims where it has size 1 or no dim at all;
//   2. drop the dims of size 1 (their index is always 0);
//   3. order (LayoutOrder::Strides only): dims sorted so that operand 0's fastest dim is
//      innermost (ties broken by the next operand), which is the memory order that caches
//      want; LayoutOrder::Logical keeps the row-major order of the shape, which is what
//      counter-based random numbers and the CUDA kernels' one-thread-per-ordinal mapping need;
//   4. merge dim d into the dim before it wherever every operand steps over both as one
//      longer dim (stride[d - 1] == stride[d] * shape[d]).
// A contiguous tensor becomes one dim of stride 1; a transposed one stays two dims. Element
// ordinal i of the layout is the row-major ordinal over its (simplified) shape; in logical
// order that is also the ordinal over operand 0's shape.
//
// Works on any view type with `rank`, `shape[]` and `strides[]` (in elements): the backends'
// StridedView and the CUDA plugin's mt_cuda_view.
#include <cstdint>
#include <utility>

#include "base/dims.hpp"
#include "base/host_device.hpp"
#include "base/strided_view.hpp"

namespace mt {

enum class LayoutOrder { Logical, Strides };

template <int N> struct StridedLayout {
  int rank = 0;
  int64_t numel = 1;
  // Only the first `rank` entries are set. Passed to CUDA kernels by value (a few hundred
  // bytes of kernel parameters).
  int64_t shape[kMaxRank];
  int64_t strides[N][kMaxRank];  // in elements; 0 where an operand is broadcast

  MT_HD int64_t inner() const { return rank == 0 ? 1 : shape[rank - 1]; }
  MT_HD int64_t inner_stride(int k) const { return rank == 0 ? 0 : strides[k][rank - 1]; }

  // Storage offsets (in elements) of the element whose index over the first `dims` dims is the
  // row-major decoding of `ordinal` (the later dims at index 0), one per operand. The index of
  // dim d is ordinal's digit in the mixed radix of the shape: peel the dims from the last
  // (fastest); what is left after that is the index of dim 0, which needs no division.
  MT_HD void offsets(int64_t ordinal, int dims, int64_t (&offset)[N]) const {
    for (int k = 0; k < N; ++k)
      offset[k] = 0;
    for (int d = dims - 1; d > 0; --d) {
      const int64_t index = ordinal % shape[d];
      ordinal /= shape[d];
      for (int k = 0; k < N; ++k)
        offset[k] += index * strides[k][d];
    }
    if (dims > 0)
      for (int k = 0; k < N; ++k)
        offset[k] += ordinal * strides[k][0];
  }
  MT_HD void offsets(int64_t ordinal, int64_t (&offset)[N]) const {
    offsets(ordinal, rank, offset);
  }

  // Every operand is walked with stride 1 (or there is at most one element): element i of
  // each operand is at offset i.
  MT_HD bool contiguous() const {
    if (rank == 0) return true;
    if (rank > 1) return false;
    for (int k = 0; k < N; ++k)
      if (strides[k][0] != 1) return false;
    return true;
  }
};

namespace layout_detail {

// True when dim `a` (now outer) belongs inside dim `b`: the first operand whose strides differ
// there (ignoring broadcast zeros) has the smaller stride on `a`.
template <int N> bool belongs_inside(const StridedLayout<N>& l, int a, int b) {
  for (int k = 0; k < N; ++k) {
    const int64_t sa = l.strides[k][a], sb = l.strides[k][b];
    if (sa == 0 || sb == 0 || sa == sb) continue;
    return sa < sb;
  }
  return false;
}

template <int N> void swap_dims(StridedLayout<N>& l, int a, int b) {
  std::swap(l.shape[a], l.shape[b]);
  for (int k = 0; k < N; ++k)
    std::swap(l.strides[k][a], l.strides[k][b]);
}

template <class View> bool row_major_with_shape(const View& v, const View& out) {
  if (v.rank != out.rank) return false;
  for (int d = 0; d < v.rank; ++d)
    if (v.shape[d] != out.shape[d]) return false;
  return is_row_major(v.rank, v.shape, v.strides);
}

}  // namespace layout_detail

// The layout of `operands`, which broadcast to operands[0]'s shape (the caller has checked).
template <int N, class View>
StridedLayout<N> make_layout(const View* const (&operands)[N], LayoutOrder order) {
  using namespace layout_detail;
  const View& out = *operands[0];
  StridedLayout<N> l;
  for (int d = 0; d < out.rank; ++d)
    l.numel *= out.shape[d];
  // The common case first: every operand row-major in operand 0's shape is one flat run.
  bool flat = true;
  for (int k = 0; k < N && flat; ++k)
    flat = row_major_with_shape(*operands[k], out);
  if (flat) {
    l.rank = 1;
    l.shape[0] = l.numel;
    for (int k = 0; k < N; ++k)
      l.strides[k][0] = 1;
    return l;
  }
  // Steps 1 and 2.
  l.rank = 0;
  for (int d = 0; d < out.rank; ++d) {
    if (out.shape[d] == 1) continue;
    l.shape[l.rank] = out.shape[d];
    for (int k = 0; k < N; ++k) {
      const View& v = *operands[k];
      const int e = d - (out.rank - v.rank);  // v's dim that lines up with out's dim d
      l.strides[k][l.rank] = e < 0 || v.shape[e] == 1 ? 0 : v.strides[e];
    }
    ++l.rank;
  }
  // Step 3: insertion sort, outermost first; stable, so ties keep the logical order.
  if (order == LayoutOrder::Strides)
    for (int i = 1; i < l.rank; ++i)
      for (int j = i; j > 0 && belongs_inside(l, j - 1, j); --j)
        swap_dims(l, j - 1, j);
  // Step 4, in place: the merged dims (the first `merged`) never overtake the dim being read.
  int merged = 0;
  for (int d = 0; d < l.rank; ++d) {
    const int m = merged - 1;
    bool joins = m >= 0;
    for (int k = 0; k < N && joins; ++k)
      joins = l.strides[k][m] == l.strides[k][d] * l.shape[d];
    if (joins) {
      l.shape[m] *= l.shape[d];
      for (int k = 0; k < N; ++k)
        l.strides[k][m] = l.strides[k][d];
    } else {
      l.shape[merged] = l.shape[d];
      for (int k = 0; k < N; ++k)
        l.strides[k][merged] = l.strides[k][d];
      ++merged;
    }
  }
  l.rank = merged;
  return l;
}

// Calls row(offsets, n) for consecutive runs of the elements with ordinals [begin, end) in the
// layout's row-major order, where offsets[k] is operand k's element offset of the run's first
// element and each run lies within one innermost row (operand k steps by inner_stride(k)).
// Only the first `count` operands are kept in step (a caller that uses fewer than N saves
// stepping the others on every row, which costs more than a short row's work).
template <int N, class Row>
void for_each_run(const StridedLayout<N>& l, int64_t begin, int64_t end, Row&& row, int count = N) {
  if (begin >= end) return;  // also keeps an empty layout's zero sizes out of the divisions
  const int r = l.rank;
  if (r == 0) {
    int64_t offsets[N] = {};
    row(static_cast<const int64_t*>(offsets), int64_t{1});
    return;
  }
  const int64_t inner = l.inner();
  // Multi-index of `begin` over the outer dims, and the operands' offsets there.
  int64_t index[kMaxRank] = {};
  int64_t rest = begin / inner;
  for (int d = r - 2; d >= 0; --d) {
    index[d] = rest % l.shape[d];
    rest /= l.shape[d];
  }
  int64_t col = begin % inner;
  int64_t offsets[N];
  l.offsets(begin / inner, r - 1, offsets);
  for (int64_t at = begin; at < end;) {
    const int64_t n = inner - col < end - at ? inner - col : end - at;
    int64_t run[N];
    for (int k = 0; k < count; ++k)
      run[k] = offsets[k] + col * l.strides[k][r - 1];
    row(static_cast<const int64_t*>(run), n);
    at += n;
    col = 0;
    // Odometer step over the outer dims, keeping the offsets in step.
    for (int d = r - 2; d >= 0; --d) {
      for (int k = 0; k < count; ++k)
        offsets[k] += l.strides[k][d];
      if (++index[d] < l.shape[d]) break;
      for (int k = 0; k < count; ++k)
        offsets[k] -= index[d] * l.strides[k][d];
      index[d] = 0;
    }
  }
}

}  // namespace mt
