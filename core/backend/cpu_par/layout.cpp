#include "backend/cpu_par/layout.hpp"

#include <utility>

namespace mt::cpu_par {
namespace {

// True when dim `a` (now outer) should be inside dim `b`: the first operand whose strides
// differ (ignoring broadcast zeros) has the smaller stride on `a`.
bool belongs_inside(const Layout& l, int a, int b) {
  for (int k = 0; k < l.operands; ++k) {
    const int64_t sa = l.stride(k, a), sb = l.stride(k, b);
    if (sa == 0 || sb == 0 || sa == sb) continue;
    return sa < sb;
  }
  return false;
}

void swap_dims(Layout& l, int a, int b) {
  std::swap(l.shape[a], l.shape[b]);
  for (int k = 0; k < l.operands; ++k)
    std::swap(l.strides[k][a], l.strides[k][b]);
}

// Whether `view` has exactly `shape`.
bool has_shape(const StridedView& view, const Dims& shape) {
  if (view.rank != shape.size()) return false;
  for (int d = 0; d < view.rank; ++d)
    if (view.shape[d] != shape[d]) return false;
  return true;
}

}  // namespace

Layout make_layout(const Dims& shape, std::initializer_list<const StridedView*> views) {
  Layout l;
  l.operands = static_cast<int>(views.size());
  int operand = 0;
  for (const StridedView* v : views) {
    l.base[operand] = static_cast<char*>(v->data);
    l.itemsize[operand++] = itemsize(v->dtype);
  }
  // The common case first: every operand contiguous in the output's shape is one flat run.
  bool flat = true;
  for (const StridedView* v : views)
    flat = flat && has_shape(*v, shape) && is_contiguous(*v);
  if (flat) {
    l.rank = 1;
    l.shape.push_back(numel(**views.begin()));
    for (int k = 0; k < l.operands; ++k)
      l.strides[k].push_back(1);
    return l;
  }
  // Broadcast: align each operand on the right; missing or size-1 dims get stride 0.
  // Dims of size 1 in the output are dropped (they contribute nothing to any offset).
  for (int d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    l.shape.push_back(shape[d]);
    int k = 0;
    for (const StridedView* v : views) {
      const int vd = d - (shape.size() - v->rank);
      const bool present = vd >= 0 && v->shape[vd] != 1;
      l.strides[k++].push_back(present ? v->strides[vd] : 0);
    }
  }
  l.rank = l.shape.size();
  // Insertion sort, outermost first: stable, so ties keep the logical order.
  for (int i = 1; i < l.rank; ++i)
    for (int j = i; j > 0 && belongs_inside(l, j - 1, j); --j)
      swap_dims(l, j - 1, j);
  // Merge dim d into d + 1 where every operand steps through d as one run of d + 1. In place:
  // the merged dims (first `merged` of them) never overtake the dim being read.
  int merged = 0;
  for (int d = 0; d < l.rank; ++d) {
    const int m = merged - 1;
    bool contiguous = m >= 0;
    for (int k = 0; contiguous && k < l.operands; ++k)
      contiguous = l.strides[k][m] == l.stride(k, d) * l.shape[d];
    if (contiguous) {
      l.shape[m] *= l.shape[d];
      for (int k = 0; k < l.operands; ++k)
        l.strides[k][m] = l.stride(k, d);
    } else {
      l.shape[merged] = l.shape[d];
      for (int k = 0; k < l.operands; ++k)
        l.strides[k][merged] = l.stride(k, d);
      ++merged;
    }
  }
  const auto first = [merged](const Dims& dims) { return Dims(std::span(dims.data(), merged)); };
  l.rank = merged;
  l.shape = first(l.shape);
  for (int k = 0; k < l.operands; ++k)
    l.strides[k] = first(l.strides[k]);
  return l;
}

}  // namespace mt::cpu_par
