#pragma once
// What a tensor carries for autodiff.
#include <memory>

#include "autograd/node.hpp"

namespace mt {

struct AutogradMeta {
  bool requires_grad = false;
  Tensor grad;                              // leaves: the accumulated gradient
  std::shared_ptr<autograd::Node> grad_fn;  // non-leaves: the op that made the tensor
};

}  // namespace mt
