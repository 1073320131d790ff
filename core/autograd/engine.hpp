#pragma once
// Reverse-mode differentiation over the recorded graph.
#include "tensor/tensor.hpp"

namespace mt::autograd {

// Tensor::backward: see tensor.hpp.
void backward(const Tensor& root, const Tensor& grad, bool retain_graph);

// `grad` summed over the dims that broadcasting added or stretched, so that it has `shape`
// (the inverse of broadcasting `shape` to grad's shape).
Tensor sum_to(const Tensor& grad, const Dims& shape);

}  // namespace mt::autograd
