#pragma once
// Index math: the functions MiniTorch calls index_to_position, to_index, broadcast_index and
// shape_broadcast, plus the overflow-checked size computations every shape goes through.
#include <cstdint>

#include "base/dims.hpp"
#include "base/host_device.hpp"

namespace mt {

// Storage position (in elements, relative to the tensor's offset) of a multi-index.
MT_HD inline int64_t index_to_position(const Dims& index, const Dims& strides) {
  int64_t position = 0;
  for (int d = 0; d < index.size(); ++d)
    position += index[d] * strides[d];
  return position;
}

// The multi-index of the `ordinal`-th element of `shape` in row-major order (last dim fastest).
// `out_index` takes the rank of `shape`.
MT_HD inline void to_index(int64_t ordinal, const Dims& shape, Dims& out_index) {
  out_index = shape;
  for (int d = shape.size() - 1; d >= 0; --d) {
    const int64_t extent = shape[d];
    out_index[d] = extent == 0 ? 0 : ordinal % extent;
    ordinal = extent == 0 ? 0 : ordinal / extent;
  }
}

// Maps an index into the broadcast shape `big_shape` back to an index into `shape`, which
// broadcasts to `big_shape` under numpy's rules: shapes align on the right, and a dim of size 1
// in `shape` always reads its element 0.
MT_HD inline void broadcast_index(const Dims& big_index, const Dims& big_shape, const Dims& shape,
                                  Dims& out_index) {
  out_index = shape;
  const int lead = big_shape.size() - shape.size();
  for (int d = 0; d < shape.size(); ++d)
    out_index[d] = shape[d] == 1 ? 0 : big_index[d + lead];
}

// The shape that `a` and `b` broadcast to under numpy's rules; throws ShapeMismatch naming both
// shapes when they do not broadcast.
Dims shape_broadcast(const Dims& a, const Dims& b);

// Row-major (C order) strides for `shape`.
Dims contiguous_strides(const Dims& shape);

// Number of elements of `shape`; throws InvalidArgument on a negative size and Overflow when
// the product does not fit in int64.
int64_t checked_numel(const Dims& shape);

// a * b and a + b, throwing Overflow (with `what` in the message) when the result does not fit.
int64_t checked_mul(int64_t a, int64_t b, const char* what);
int64_t checked_add(int64_t a, int64_t b, const char* what);

// Normalizes a possibly negative dim (-1 is the last) for a tensor of rank `rank`; throws
// IndexOutOfRange naming the dim and the valid range.
int normalize_dim(int64_t dim, int rank);

}  // namespace mt
