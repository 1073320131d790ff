#pragma once
// A multi-layer perceptron: Linear layers with relu between them.
#include <cstdint>
#include <vector>

#include "nn/linear.hpp"

namespace mt::nn {

class Mlp {
 public:
  // Layers sizes[0] -> sizes[1] -> ... -> sizes.back(), each a Linear drawn from `generator` in
  // order; throws InvalidArgument for fewer than two sizes.
  Mlp(const std::vector<int64_t>& sizes, DType dtype = DType::Float32,
      Generator& generator = default_generator());

  // relu after every layer but the last, whose output (the logits) is returned as is.
  Tensor forward(const Tensor& x) const;
  Tensor operator()(const Tensor& x) const { return forward(x); }

  const std::vector<Linear>& layers() const { return layers_; }
  std::vector<Tensor> parameters() const;
  // Moves every layer to `device` (Linear::to).
  void to(Device device);
  Device device() const { return layers_.front().device(); }

 private:
  std::vector<Linear> layers_;
};

}  // namespace mt::nn
