#pragma once
// Reverse-mode differentiation over the recorded graph.
#include <cstdint>
#include <functional>

#include "tensor/tensor.hpp"

namespace mt::autograd {

// Tensor::backward: see tensor.hpp.
void backward(const Tensor& root, const Tensor& grad, bool retain_graph);

// Gradient-ready hooks. During a backward, once a leaf's gradient is final for that backward
// (every contribution of the walk summed and added to its .grad), backward calls the leaf's
// hooks with the leaf, in the order they were added, on its own thread; a leaf that receives
// no gradient gets no call. Leaves nearer the root become final first, often long before the
// walk ends: data-parallel training starts reducing their gradients then. A hook that throws
// fails the backward. Should a backward fail, it puts back the .grad of every leaf it had
// stored, hooks called or not. Adding or removing hooks during a backward that reaches the
// leaf is not allowed. Without hooks, a leaf costs one check.
using GradReadyHook = std::function<void(const Tensor& leaf)>;
// Adds a hook to `leaf` (a tensor no recorded op made; InvalidArgument otherwise) and returns
// its id for remove_grad_ready_hook.
int64_t add_grad_ready_hook(const Tensor& leaf, GradReadyHook hook);
// Removes the hook `id` from `leaf`; an id it does not have is ignored.
void remove_grad_ready_hook(const Tensor& leaf, int64_t id);

// `grad` summed over the dims that broadcasting added or stretched, so that it has `shape`
// (the inverse of broadcasting `shape` to grad's shape).
Tensor sum_to(const Tensor& grad, const Dims& shape);

}  // namespace mt::autograd
