#pragma once
// The reference backend's walks, MiniTorch style: every loop visits a shape's elements in
// row-major order, turns the ordinal into a multi-index (to_index), maps that index into each
// input (broadcast_index) and reads the input through its strides (index_to_position). Shared
// by the primitives (cpu_seq.cpp) and the fused-kernel executor (fused.cpp).
#include "base/index.hpp"
#include "base/strided_view.hpp"

namespace mt::cpu_seq {

// Element access to a tensor of element type T through its strides.
template <class T> class Strided {
 public:
  explicit Strided(const StridedView& v)
      : data_(data_as<T>(v)), shape_(shape_of(v)), strides_(strides_of(v)) {}

  T& at(const Dims& index) const { return data_[index_to_position(index, strides_)]; }
  const Dims& shape() const { return shape_; }

  // The element that `out_index` of an output of shape `out_shape` reads when this tensor is
  // broadcast to that shape.
  T& at_broadcast(const Dims& out_index, const Dims& out_shape) const {
    Dims index;
    broadcast_index(out_index, out_shape, shape_, index);
    return at(index);
  }

 private:
  T* data_;
  Dims shape_;
  Dims strides_;
};

// Element `index` of the product a @ b of `shape` (matrices in the last two dims, batch dims
// broadcast): the sum over k of a[..., i, k] * b[..., k, j] in order of k, with no (i, k, j)
// intermediate. One function for matmul and the fused matmul kernels, so that their bits agree.
template <class T>
T matmul_element(const Strided<T>& a, const Strided<T>& b, const Dims& index, const Dims& shape) {
  const int rank = shape.size();
  const int64_t inner = a.shape()[rank - 1];
  Dims ai, bi;  // broadcast_index maps the batch dims; the contracted one is then set to k
  broadcast_index(index, shape, a.shape(), ai);
  broadcast_index(index, shape, b.shape(), bi);
  T acc = T(0);
  for (int64_t k = 0; k < inner; ++k) {
    ai[rank - 1] = k;
    bi[rank - 2] = k;
    acc += a.at(ai) * b.at(bi);
  }
  return acc;
}

// Calls body(ordinal, index) for every element of `shape`, in row-major order.
template <class Body> void for_each_index(const Dims& shape, Body&& body) {
  const int64_t count = checked_numel(shape);
  Dims index;
  for (int64_t i = 0; i < count; ++i) {
    to_index(i, shape, index);
    body(i, index);
  }
}

// The reduction of an input of `in_shape` to `out_shape` (size 1 in the reduced dims) with the
// reduce-op table entry Op: for each output index in row-major order, folds read(in_index) over
// the sub-shape of the reduced dims (row-major) and calls write(out_index, result).
template <class T, class Op, class Read, class Write>
void fold_each_output(const Dims& in_shape, const Dims& out_shape, Read&& read, Write&& write) {
  const int rank = in_shape.size();
  Dims reduced_shape = Dims::filled(rank, 1);
  for (int d = 0; d < rank; ++d)
    if (out_shape[d] == 1) reduced_shape[d] = in_shape[d];
  const int64_t reduced_count = checked_numel(reduced_shape);
  for_each_index(out_shape, [&](int64_t, const Dims& out_index) {
    T acc = Op::template identity<T>();
    Dims in_index = out_index, offset;
    for (int64_t j = 0; j < reduced_count; ++j) {
      to_index(j, reduced_shape, offset);
      for (int d = 0; d < rank; ++d)
        in_index[d] = out_shape[d] == 1 ? offset[d] : out_index[d];
      acc = Op::combine(acc, read(in_index));
    }
    write(out_index, acc);
  });
}

}  // namespace mt::cpu_seq
