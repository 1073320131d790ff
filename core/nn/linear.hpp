#pragma once
// A fully connected layer, as torch.nn.Linear.
#include <cstdint>
#include <vector>

#include "random/generator.hpp"
#include "tensor/tensor.hpp"

namespace mt::nn {

class Linear {
 public:
  // weight (out_features, in_features) and bias (out_features), both uniform in
  // [-1/sqrt(in_features), 1/sqrt(in_features)) (PyTorch's default), drawn from `generator`;
  // both require grad.
  Linear(int64_t in_features, int64_t out_features, DType dtype = DType::Float32,
         Generator& generator = default_generator(), bool bias = true);

  // x (..., in_features) -> x @ weight^T + bias, (..., out_features).
  Tensor forward(const Tensor& x) const;
  Tensor operator()(const Tensor& x) const { return forward(x); }

  const Tensor& weight() const { return weight_; }
  const Tensor& bias() const { return bias_; }  // undefined without a bias
  std::vector<Tensor> parameters() const;
  // Moves the parameters to `device` (PyTorch's module.to): they stay leaves that require
  // grad, with no gradient yet. An optimizer holds the parameters it was given: move first.
  void to(Device device);
  Device device() const { return weight_.device(); }

 private:
  Tensor weight_;
  Tensor bias_;
};

}  // namespace mt::nn
