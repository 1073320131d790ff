#include "nn/mlp.hpp"

#include "base/error.hpp"
#include "ops/tensor_ops.hpp"

namespace mt::nn {

Mlp::Mlp(const std::vector<int64_t>& sizes, DType dtype, Generator& generator) {
  if (sizes.size() < 2)
    fail(ErrorCode::InvalidArgument, "Mlp: needs at least an input and an output size, got ",
         sizes.size(), " sizes");
  for (size_t i = 0; i + 1 < sizes.size(); ++i)
    layers_.emplace_back(sizes[i], sizes[i + 1], dtype, generator);
}

Tensor Mlp::forward(const Tensor& x) const {
  Tensor h = layers_.front()(x);
  for (size_t i = 1; i < layers_.size(); ++i)
    h = layers_[i](relu(h));
  return h;
}

std::vector<Tensor> Mlp::parameters() const {
  std::vector<Tensor> params;
  for (const Linear& layer : layers_)
    for (const Tensor& p : layer.parameters())
      params.push_back(p);
  return params;
}

void Mlp::to(Device device) {
  for (Linear& layer : layers_)
    layer.to(device);
}

}  // namespace mt::nn
