#pragma once
// What a tensor carries for autodiff.
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "autograd/node.hpp"

namespace mt {

struct AutogradMeta {
  bool requires_grad = false;
  Tensor grad;                              // leaves: the accumulated gradient
  std::shared_ptr<autograd::Node> grad_fn;  // non-leaves: the op that made the tensor
  // leaves: autograd::add_grad_ready_hook's callbacks, with their ids, in the order added
  std::vector<std::pair<int64_t, std::function<void(const Tensor&)>>> grad_ready_hooks;
};

namespace autograd {
// The tensor's autodiff state, made when it has none.
AutogradMeta& meta_of(const Tensor& t);
}  // namespace autograd

}  // namespace mt
