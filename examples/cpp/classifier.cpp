#include "classifier.hpp"

#include <algorithm>

#include "autograd/grad_mode.hpp"
#include "base/error.hpp"
#include "nn/loss.hpp"
#include "ops/tensor_ops.hpp"

namespace mt::nn {

double train_classifier_epoch(const Mlp& model, Optimizer& optimizer, const Dataset& data,
                              int64_t batch) {
  if (batch < 1) fail(ErrorCode::InvalidArgument, "train_classifier_epoch: batch ", batch, " < 1");
  const int64_t n = data.x.size(0);
  // The batches go where the model is (the data set may stay on the CPU).
  const Tensor xs = data.x.to(model.device()), ys = data.y.to(model.device());
  double total = 0;
  for (int64_t first = 0; first < n; first += batch) {
    const int64_t len = std::min(batch, n - first);
    const Tensor x = xs.narrow(0, first, len);
    const Tensor y = ys.narrow(0, first, len).view({len, 1});
    const Tensor loss = binary_cross_entropy(sigmoid(model(x)), y);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    total += loss.item() * static_cast<double>(len);
  }
  return n > 0 ? total / static_cast<double>(n) : 0;
}

double classifier_accuracy(const Mlp& model, const Dataset& data) {
  NoGradGuard no_grad;
  const int64_t n = data.x.size(0);
  const Tensor predicted =
      gt(model(data.x.to(model.device())).view({n}), scalar(0, data.x.dtype()));
  return mean(eq(predicted, data.y.to(model.device()))).item();
}

}  // namespace mt::nn
