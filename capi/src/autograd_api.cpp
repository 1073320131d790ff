// Autodiff: parameters, gradients, backward, grad mode.
#include "boundary.hpp"

using namespace mt;
using namespace mt::capi;

extern "C" {

mt_status_t mt_set_requires_grad(mt_tensor* tensor, int32_t requires_grad) {
  return guarded("mt_set_requires_grad",
                 [&] { tensor_of(tensor, "tensor").set_requires_grad(requires_grad != 0); });
}

mt_status_t mt_requires_grad(const mt_tensor* tensor, int32_t* out) {
  return guarded("mt_requires_grad", [&] {
    const Tensor& t = tensor_of(tensor, "tensor");
    *require(out, "out") = t.requires_grad();
  });
}

mt_status_t mt_is_leaf(const mt_tensor* tensor, int32_t* out) {
  return guarded("mt_is_leaf", [&] {
    const Tensor& t = tensor_of(tensor, "tensor");
    *require(out, "out") = t.is_leaf();
  });
}

mt_status_t mt_grad(const mt_tensor* tensor, mt_tensor** out) {
  return guarded("mt_grad", [&] {
    const Tensor& t = tensor_of(tensor, "tensor");
    require(out, "out");
    give(out, t.grad());
  });
}

mt_status_t mt_zero_grad(mt_tensor* tensor) {
  return guarded("mt_zero_grad", [&] { tensor_of(tensor, "tensor").zero_grad(); });
}

mt_status_t mt_backward(mt_tensor* tensor, const mt_tensor* grad, int32_t retain_graph) {
  return guarded("mt_backward", [&] {
    tensor_of(tensor, "tensor").backward(optional_tensor(grad, "grad"), retain_graph != 0);
  });
}

const char* mt_grad_fn_name(const mt_tensor* tensor) {
  if (tensor == nullptr) return nullptr;
  // `tensor` is captured by value: captured by reference, the -Og build's DWARF places the
  // parameter in rax instead of rdi, which the ABI check reads as a changed register.
  return guarded_value("mt_grad_fn_name", static_cast<const char*>(nullptr),
                       [tensor]() -> const char* {
                         const auto& grad_fn = tensor_of(tensor, "tensor").grad_fn();
                         return grad_fn ? grad_fn->name() : nullptr;
                       });
}

int32_t mt_grad_enabled(void) { return grad_enabled(); }

int32_t mt_set_grad_enabled(int32_t enabled) {
  const bool previous = grad_enabled();
  set_grad_enabled(enabled != 0);
  return previous;
}

}  // extern "C"
