#include "nn/optim.hpp"

#include <cmath>

#include "autograd/grad_mode.hpp"
#include "base/error.hpp"
#include "ops/creation.hpp"
#include "ops/tensor_ops.hpp"

namespace mt::nn {
namespace {

// x = x * decay + other * weight, in place.
void blend_into(const Tensor& x, double decay, const Tensor& other, double weight) {
  zip_out(BinaryOp::Mul, x, scalar(decay, x.dtype()), x);
  zip_out(BinaryOp::Add, x, weight == 1 ? other : other * weight, x);
}

void check_hyperparameter(const char* optimizer, const char* name, double value, double low,
                          double high) {
  if (!(value >= low && value <= high))
    fail(ErrorCode::InvalidArgument, optimizer, ": ", name, " = ", value, " is outside [", low,
         ", ", high, "]");
}

}  // namespace

Optimizer::Optimizer(std::vector<Tensor> params)
    : params_(std::move(params)), scratch_(params_.size()) {
  for (size_t i = 0; i < params_.size(); ++i) {
    if (!params_[i].defined())
      fail(ErrorCode::InvalidArgument, "optimizer: parameter ", i, " is undefined");
    if (!params_[i].requires_grad() || !params_[i].is_leaf())
      fail(ErrorCode::InvalidArgument, "optimizer: parameter ", i, " (shape ", params_[i].shape(),
           ") is not a leaf that requires grad");
    // A parameter listed twice would be stepped twice per step().
    for (size_t j = 0; j < i; ++j)
      if (params_[j].is_same(params_[i]))
        fail(ErrorCode::InvalidArgument, "optimizer: parameter ", i, " is parameter ", j, " again");
  }
}

void Optimizer::subtract_scaled(size_t i, const Tensor& d, double scale) {
  const Tensor& p = params_[i];
  Scratch& scratch = scratch_[i];
  if (!scratch.scaled.defined()) {
    scratch.scaled = Tensor::empty(p.shape(), p.dtype(), p.device());
    scratch.scale = Tensor::empty({}, p.dtype());
  }
  scratch.scale.set({}, scale);
  zip_out(BinaryOp::Mul, d, scratch.scale, scratch.scaled);
  zip_out(BinaryOp::Sub, p, scratch.scaled, p);
}

Tensor Optimizer::decayed_grad(size_t i, double weight_decay) const {
  const Tensor g = params_[i].grad();
  return g.defined() && weight_decay != 0 ? g + params_[i] * weight_decay : g;
}

void Optimizer::zero_grad() {
  for (const Tensor& p : params_)
    p.zero_grad();
}

SGD::SGD(std::vector<Tensor> params, double lr, double momentum, double weight_decay, bool nesterov)
    : Optimizer(std::move(params)),
      lr_(lr),
      momentum_(momentum),
      weight_decay_(weight_decay),
      nesterov_(nesterov),
      velocity_(params_.size()) {
  check_hyperparameter("SGD", "lr", lr, 0, INFINITY);
  check_hyperparameter("SGD", "momentum", momentum, 0, INFINITY);
  check_hyperparameter("SGD", "weight_decay", weight_decay, 0, INFINITY);
  if (nesterov && momentum == 0)
    fail(ErrorCode::InvalidArgument, "SGD: nesterov needs a momentum above 0");
}

void SGD::step() {
  NoGradGuard no_grad;
  for (size_t i = 0; i < params_.size(); ++i) {
    Tensor g = decayed_grad(i, weight_decay_);
    if (!g.defined()) continue;
    if (momentum_ != 0) {
      Tensor& v = velocity_[i];
      if (!v.defined())
        v = g.clone();
      else
        blend_into(v, momentum_, g, 1);
      g = nesterov_ ? g + v * momentum_ : v;
    }
    subtract_scaled(i, g, lr_);
  }
}

Adam::Adam(std::vector<Tensor> params, double lr, double beta1, double beta2, double eps,
           double weight_decay)
    : Optimizer(std::move(params)),
      lr_(lr),
      beta1_(beta1),
      beta2_(beta2),
      eps_(eps),
      weight_decay_(weight_decay),
      steps_(params_.size(), 0),
      m_(params_.size()),
      v_(params_.size()) {
  check_hyperparameter("Adam", "lr", lr, 0, INFINITY);
  check_hyperparameter("Adam", "beta1", beta1, 0, std::nextafter(1.0, 0.0));
  check_hyperparameter("Adam", "beta2", beta2, 0, std::nextafter(1.0, 0.0));
  check_hyperparameter("Adam", "eps", eps, 0, INFINITY);
  check_hyperparameter("Adam", "weight_decay", weight_decay, 0, INFINITY);
}

void Adam::step() {
  NoGradGuard no_grad;
  for (size_t i = 0; i < params_.size(); ++i) {
    const Tensor& p = params_[i];
    const Tensor g = decayed_grad(i, weight_decay_);
    if (!g.defined()) continue;
    const auto step = static_cast<double>(++steps_[i]);
    const double correction1 = 1 - std::pow(beta1_, step);
    const double correction2 = 1 - std::pow(beta2_, step);
    if (!m_[i].defined()) {
      m_[i] = zeros(p.shape(), p.dtype(), p.device());
      v_[i] = zeros(p.shape(), p.dtype(), p.device());
    }
    blend_into(m_[i], beta1_, g, 1 - beta1_);
    blend_into(v_[i], beta2_, square(g), 1 - beta2_);
    // torch.optim.Adam: p -= lr / c1 * m / (sqrt(v) / sqrt(c2) + eps)
    const Tensor denom = sqrt(v_[i]) / std::sqrt(correction2) + eps_;
    subtract_scaled(i, m_[i] / denom, lr_ / correction1);
  }
}

}  // namespace mt::nn
