#pragma once
// Optimizers, as torch.optim: they update their parameters in place, under no-grad.
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

 protected:
  // Parameter i's gradient plus weight_decay * p (L2), or undefined when it has none.
  Tensor decayed_grad(size_t i, double weight_decay) const;
  // Parameter i -= scale * d, in place, through buffers kept from step to step.
  void subtract_scaled(size_t i, const Tensor& d, double scale);

  std::vector<Tensor> params_;

 private:
  struct Scratch {
    Tensor scaled;  // scale * d, of the parameter's shape
    Tensor scale;   // rank 0
  };
  std::vector<Scratch> scratch_;
};

// torch.optim.SGD: g = grad + weight_decay p; v = momentum v + g (v = g on the first step);
// p -= lr (nesterov ? g + momentum v : v), with v = g when momentum is 0.
class SGD final : public Optimizer {
 public:
  SGD(std::vector<Tensor> params, double lr, double momentum = 0, double weight_decay = 0,
      bool nesterov = false);
  void step() override;

 private:
  double lr_, momentum_, weight_decay_;
  bool nesterov_;
  std::vector<Tensor> velocity_;
};

// torch.optim.Adam (L2 weight decay added to the gradient, no amsgrad); each parameter counts
// its own steps (those where it had a gradient) for the bias corrections.
class Adam final : public Optimizer {
 public:
  Adam(std::vector<Tensor> params, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
       double eps = 1e-8, double weight_decay = 0);
  void step() override;

 private:
  double lr_, beta1_, beta2_, eps_, weight_decay_;
  std::vector<int64_t> steps_;
  std::vector<Tensor> m_, v_;
};

}  // namespace mt::nn
