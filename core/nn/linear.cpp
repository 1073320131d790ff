#include "nn/linear.hpp"

#include <cmath>

#include "base/error.hpp"
#include "ops/creation.hpp"
#include "ops/tensor_ops.hpp"

namespace mt::nn {

Linear::Linear(int64_t in_features, int64_t out_features, DType dtype, Generator& generator,
               bool bias) {
  if (in_features < 1 || out_features < 1)
    fail(ErrorCode::InvalidArgument, "Linear: in_features (", in_features, ") and out_features (",
         out_features, ") must be at least 1");
  const double bound = 1 / std::sqrt(static_cast<double>(in_features));
  weight_ = rand({out_features, in_features}, dtype, -bound, bound, generator);
  weight_.set_requires_grad();
  if (bias) {
    bias_ = rand({out_features}, dtype, -bound, bound, generator);
    bias_.set_requires_grad();
  }
}

Tensor Linear::forward(const Tensor& x) const {
  if (x.dim() == 0 || x.size(-1) != weight_.size(1))
    fail(ErrorCode::ShapeMismatch, "Linear: input of shape ", x.shape(), " for a layer of ",
         weight_.size(1), " input features");
  const Tensor y = matmul(x, weight_.transpose(0, 1));
  return bias_.defined() ? y + bias_ : y;
}

std::vector<Tensor> Linear::parameters() const {
  if (!bias_.defined()) return {weight_};
  return {weight_, bias_};
}

void Linear::to(Device device) {
  const auto move = [device](Tensor& param) {
    if (!param.defined() || param.device() == device) return;
    param = param.detach().to(device);
    param.set_requires_grad();
  };
  move(weight_);
  move(bias_);
}

}  // namespace mt::nn
