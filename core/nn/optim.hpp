#pragma once
// Optimizers, as torch.optim: they update their parameters in place, under no-grad.
//
// Every tensor an optimizer keeps (SGD's velocities, Adam's step counts and moments) is made
// at construction and every step runs the same ops, so a step captured into a plan
// (fusion/capture.hpp) from the very first step replays correctly: each run advances the state
// as an eager step does, bit for bit.
#include <vector>

#include "tensor/tensor.hpp"

namespace mt::nn {

class Optimizer {
 public:
  // Throws InvalidArgument when a parameter is undefined or does not require grad.
  explicit Optimizer(std::vector<Tensor> params);
  virtual ~Optimizer() = default;
  // Zeroes every parameter's gradient.
  void zero_grad();
  // One update from the gradients; parameters without a gradient are skipped.
  virtual void step() = 0;
  const std::vector<Tensor>& params() const { return params_; }
  // The tensors kept from step to step (torch's optimizer state), updated in place by step().
  virtual std::vector<Tensor> state() const = 0;

 protected:
  // Parameter i's gradient plus weight_decay * p (L2), or undefined when it has none.
  Tensor decayed_grad(size_t i, double weight_decay) const;
  // Parameter i -= scale * d, in place; `scale` is a rank-0 tensor of the parameter's dtype.
  void subtract_scaled(size_t i, const Tensor& d, const Tensor& scale);

  std::vector<Tensor> params_;

 private:
  // Eagerly scale * d goes into a buffer kept from step to step (no allocation per step).
  // Under a capture it is a temporary instead: kept, the buffer would outlive the capture and
  // every run of the plan would store it.
  std::vector<Tensor> scaled_;
};

// torch.optim.SGD: g = grad + weight_decay p; v = momentum v + g (v = g on the first step);
// p -= lr (nesterov ? g + momentum v : v), with v = g when momentum is 0.
// The velocity starts as -0.0, the identity of addition, and every step computes
// v = momentum v + g: on the first step that is g bit for bit (-0.0 + x is x for every number
// x, +0.0, -0.0 and infinities included), so no step differs from another and a capture may
// start at step 0. Differences from torch: a NaN in a first gradient stays NaN but its payload
// is what the addition returns (a signalling NaN comes out quieted on the CPU; a GPU may give
// its canonical NaN) where torch copies the bits; an infinite momentum is refused
// (inf * -0.0 would be NaN).
class SGD final : public Optimizer {
 public:
  SGD(std::vector<Tensor> params, double lr, double momentum = 0, double weight_decay = 0,
      bool nesterov = false);
  void step() override;
  // The velocities (none without momentum).
  std::vector<Tensor> state() const override { return velocity_; }

 private:
  double momentum_, weight_decay_;
  bool nesterov_;
  std::vector<Tensor> lr_;  // per parameter, rank 0 in its dtype
  std::vector<Tensor> velocity_;
};

// torch.optim.Adam (L2 weight decay added to the gradient, no amsgrad); each parameter counts
// its own steps (those where it had a gradient) for the bias corrections.
// The counts are a float64 tensor (one per parameter) that each step increments in place, and
// the corrections are computed from it with tensor ops in float64 (the same bits as torch's
// host arithmetic), then cast to the parameters' dtype: a plan counts steps as eager does.
class Adam final : public Optimizer {
 public:
  Adam(std::vector<Tensor> params, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
       double eps = 1e-8, double weight_decay = 0);
  void step() override;
  // The step counts (float64, one per parameter), then each parameter's m and v.
  std::vector<Tensor> state() const override;

 private:
  double lr_, beta1_, beta2_, eps_, weight_decay_;
  Tensor steps_;                  // float64, (parameters)
  Tensor step_size_, bias_sqrt_;  // float64, (parameters): lr / (1 - beta1^t), sqrt(1 - beta2^t)
  std::vector<Tensor> m_, v_;
};

}  // namespace mt::nn
