#pragma once
// Tensors to the plain views that backends take (base/strided_view.hpp): the frontend's last
// step before a backend call. No allocation: the view is filled in place.
#include <algorithm>

#include "base/strided_view.hpp"
#include "tensor/tensor.hpp"

namespace mt {

inline StridedView strided_view(const Tensor& t) {
  StridedView view;
  view.data = t.raw_data();
  view.dtype = t.dtype();
  view.rank = t.dim();
  std::copy(t.shape().begin(), t.shape().end(), view.shape);
  std::copy(t.strides().begin(), t.strides().end(), view.strides);
  return view;
}

}  // namespace mt
