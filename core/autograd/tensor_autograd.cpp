// The autodiff members of Tensor.
#include "autograd/engine.hpp"
#include "autograd/meta.hpp"
#include "base/error.hpp"

namespace mt {

bool Tensor::requires_grad() const {
  const auto& meta = impl().autograd;
  return meta != nullptr && meta->requires_grad;
}

const Tensor& Tensor::set_requires_grad(bool requires_grad) const {
  if (!is_leaf())
    fail(ErrorCode::InvalidArgument, "set_requires_grad: the tensor was made by ",
         grad_fn()->name(), ", not a leaf; only leaves can change requires_grad (use detach())");
  auto& meta = impl_->autograd;
  if (!meta) meta = std::make_shared<AutogradMeta>();
  meta->requires_grad = requires_grad;
  return *this;
}

const std::shared_ptr<autograd::Node>& Tensor::grad_fn() const {
  static const std::shared_ptr<autograd::Node> none;
  const auto& meta = impl().autograd;
  return meta ? meta->grad_fn : none;
}

Tensor Tensor::grad() const {
  const auto& meta = impl().autograd;
  return meta ? meta->grad : Tensor();
}

void Tensor::set_grad(const Tensor& grad) const {
  if (grad.defined() && grad.shape() != shape())
    fail(ErrorCode::ShapeMismatch, "set_grad: the gradient has shape ", grad.shape(),
         " but the tensor has shape ", shape());
  if (grad.defined() && grad.dtype() != dtype())
    fail(ErrorCode::DTypeMismatch, "set_grad: the gradient is ", grad.dtype(),
         " but the tensor is ", dtype());
  auto& meta = impl_->autograd;
  if (!meta) {
    if (!grad.defined()) return;
    meta = std::make_shared<AutogradMeta>();
  }
  meta->grad = grad;
}

void Tensor::zero_grad() const { set_grad(Tensor()); }

void Tensor::backward(const Tensor& grad, bool retain_graph) const {
  autograd::backward(*this, grad, retain_graph);
}

Tensor Tensor::detach() const {
  const Impl& self = impl();
  return Tensor(std::make_shared<Impl>(
      Impl{self.storage, self.offset, self.shape, self.strides, self.numel, self.dtype, nullptr}));
}

bool Tensor::is_sole_owner() const {
  return impl_ != nullptr && impl_.use_count() == 1 && impl_->storage.use_count() == 1;
}

}  // namespace mt
