#include "nn/optim.hpp"

#include <cfloat>
#include <cmath>

#include "autograd/grad_mode.hpp"
#include "base/capture_state.hpp"
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

// `t` in `dtype`: itself, or a cast of it made once and kept in `cast`.
const Tensor& in_dtype(const Tensor& t, DType dtype, Tensor& cast) {
  if (t.dtype() == dtype) return t;
  if (!cast.defined()) cast = t.to(dtype);
  return cast;
}

}  // namespace

Optimizer::Optimizer(std::vector<Tensor> params)
    : params_(std::move(params)), scaled_(params_.size()) {
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

void Optimizer::subtract_scaled(size_t i, const Tensor& d, const Tensor& scale) {
  const Tensor& p = params_[i];
  if (capture_active()) {
    zip_out(BinaryOp::Sub, p, d * scale, p);
    return;
  }
  Tensor& scaled = scaled_[i];
  if (!scaled.defined()) scaled = Tensor::empty(p.shape(), p.dtype(), p.device());
  zip_out(BinaryOp::Mul, d, scale, scaled);
  zip_out(BinaryOp::Sub, p, scaled, p);
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
      momentum_(momentum),
      weight_decay_(weight_decay),
      nesterov_(nesterov) {
  check_hyperparameter("SGD", "lr", lr, 0, INFINITY);
  check_hyperparameter("SGD", "momentum", momentum, 0, DBL_MAX);
  check_hyperparameter("SGD", "weight_decay", weight_decay, 0, INFINITY);
  if (nesterov && momentum == 0)
    fail(ErrorCode::InvalidArgument, "SGD: nesterov needs a momentum above 0");
  for (const Tensor& p : params_) {
    // On the parameter's device: no copy to it each step, and a capture there can read it.
    lr_.push_back(scalar(lr, p.dtype()).to(p.device()));
    if (momentum != 0) velocity_.push_back(full(p.shape(), -0.0, p.dtype(), p.device()));
  }
}

void SGD::step() {
  NoGradGuard no_grad;
  for (size_t i = 0; i < params_.size(); ++i) {
    Tensor g = decayed_grad(i, weight_decay_);
    if (!g.defined()) continue;
    if (momentum_ != 0) {
      const Tensor& v = velocity_[i];
      blend_into(v, momentum_, g, 1);
      g = nesterov_ ? g + v * momentum_ : v;
    }
    subtract_scaled(i, g, lr_[i]);
  }
}

Adam::Adam(std::vector<Tensor> params, double lr, double beta1, double beta2, double eps,
           double weight_decay)
    : Optimizer(std::move(params)),
      lr_(lr),
      beta1_(beta1),
      beta2_(beta2),
      eps_(eps),
      weight_decay_(weight_decay) {
  check_hyperparameter("Adam", "lr", lr, 0, INFINITY);
  check_hyperparameter("Adam", "beta1", beta1, 0, std::nextafter(1.0, 0.0));
  check_hyperparameter("Adam", "beta2", beta2, 0, std::nextafter(1.0, 0.0));
  check_hyperparameter("Adam", "eps", eps, 0, INFINITY);
  check_hyperparameter("Adam", "weight_decay", weight_decay, 0, INFINITY);
  const Dims count{static_cast<int64_t>(params_.size())};
  steps_ = zeros(count, DType::Float64);
  step_size_ = zeros(count, DType::Float64);
  bias_sqrt_ = zeros(count, DType::Float64);
  for (const Tensor& p : params_) {
    m_.push_back(zeros(p.shape(), p.dtype(), p.device()));
    v_.push_back(zeros(p.shape(), p.dtype(), p.device()));
  }
}

std::vector<Tensor> Adam::state() const {
  std::vector<Tensor> state{steps_};
  for (size_t i = 0; i < params_.size(); ++i) {
    state.push_back(m_[i]);
    state.push_back(v_[i]);
  }
  return state;
}

void Adam::step() {
  NoGradGuard no_grad;
  std::vector<size_t> stepped;  // the parameters with a gradient
  for (size_t i = 0; i < params_.size(); ++i)
    if (params_[i].grad().defined()) stepped.push_back(i);
  if (stepped.empty()) return;
  const Tensor one = scalar(1, DType::Float64);
  if (stepped.size() == params_.size()) {
    zip_out(BinaryOp::Add, steps_, one, steps_);
  } else {
    for (size_t i : stepped) {
      const Tensor t = steps_.select(0, static_cast<int64_t>(i));
      zip_out(BinaryOp::Add, t, one, t);
    }
  }
  // Every parameter's corrections in a few ops (those of the skipped ones go unused), into
  // kept tensors: a plan then stores them once rather than computing pow in every update.
  const Tensor correction1 = 1.0 - pow(scalar(beta1_, DType::Float64), steps_);
  const Tensor correction2 = 1.0 - pow(scalar(beta2_, DType::Float64), steps_);
  zip_out(BinaryOp::Div, scalar(lr_, DType::Float64), correction1, step_size_);
  map_out(UnaryOp::Sqrt, correction2, bias_sqrt_);
  Tensor step_size_cast, bias_sqrt_cast;  // for float32 parameters
  for (size_t i : stepped) {
    const Tensor& p = params_[i];
    const auto index = static_cast<int64_t>(i);
    const Tensor g = decayed_grad(i, weight_decay_);
    blend_into(m_[i], beta1_, g, 1 - beta1_);
    blend_into(v_[i], beta2_, square(g), 1 - beta2_);
    // torch.optim.Adam: p -= lr / c1 * m / (sqrt(v) / sqrt(c2) + eps)
    const Tensor bias_sqrt = in_dtype(bias_sqrt_, p.dtype(), bias_sqrt_cast).select(0, index);
    const Tensor denom = sqrt(v_[i]) / bias_sqrt + eps_;
    subtract_scaled(i, m_[i] / denom,
                    in_dtype(step_size_, p.dtype(), step_size_cast).select(0, index));
  }
}

}  // namespace mt::nn
