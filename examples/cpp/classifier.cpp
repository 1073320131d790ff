#include "classifier.hpp"

#include <algorithm>

#include "autograd/grad_mode.hpp"
#include "base/error.hpp"
#include "fusion/capture.hpp"
#include "fusion/plan_cache.hpp"
#include "nn/loss.hpp"
#include "ops/tensor_ops.hpp"

namespace mt::nn {

namespace {

// One minibatch step; returns the loss.
Tensor classifier_step(const Mlp& model, Optimizer& optimizer, const Tensor& x, const Tensor& y) {
  const Tensor loss = binary_cross_entropy(sigmoid(model(x)), y);
  optimizer.zero_grad();
  loss.backward();
  optimizer.step();
  return loss;
}

// Runs `step(x, y) -> loss` over the minibatches of `data`; returns the mean loss per point.
template <class Step>
double classifier_epoch(const Mlp& model, const Dataset& data, int64_t batch, Step&& step) {
  if (batch < 1) fail(ErrorCode::InvalidArgument, "train_classifier_epoch: batch ", batch, " < 1");
  const int64_t n = data.x.size(0);
  // The batches go where the model is (the data set may stay on the CPU).
  const Tensor xs = data.x.to(model.device()), ys = data.y.to(model.device());
  double total = 0;
  for (int64_t first = 0; first < n; first += batch) {
    const int64_t len = std::min(batch, n - first);
    const Tensor x = xs.narrow(0, first, len);
    const Tensor y = ys.narrow(0, first, len).view({len, 1});
    total += step(x, y).item() * static_cast<double>(len);
  }
  return n > 0 ? total / static_cast<double>(n) : 0;
}

}  // namespace

double train_classifier_epoch(const Mlp& model, Optimizer& optimizer, const Dataset& data,
                              int64_t batch) {
  return classifier_epoch(model, data, batch, [&](const Tensor& x, const Tensor& y) {
    return classifier_step(model, optimizer, x, y);
  });
}

double train_classifier_epoch_compiled(const Mlp& model, Optimizer& optimizer, const Dataset& data,
                                       int64_t batch,
                                       std::map<int64_t, std::shared_ptr<fusion::Plan>>& plans) {
  return classifier_epoch(model, data, batch, [&](const Tensor& x, const Tensor& y) {
    std::shared_ptr<fusion::Plan>& plan = plans[x.size(0)];
    if (!plan) {
      fusion::begin_capture();
      try {
        Tensor px = fusion::capture_input(x.shape(), x.dtype());
        Tensor py = fusion::capture_input(y.shape(), y.dtype());
        Tensor loss = classifier_step(model, optimizer, px, py);
        const auto graph = fusion::end_capture(std::vector{loss});
        loss = px = py = Tensor();  // released before planning: nothing outside reads them
        plan = fusion::compile(graph);
      } catch (...) {
        fusion::abandon_capture();
        throw;
      }
    }
    return plan->run(std::vector{x, y})[0];
  });
}

double classifier_accuracy(const Mlp& model, const Dataset& data) {
  NoGradGuard no_grad;
  const int64_t n = data.x.size(0);
  const Tensor predicted =
      gt(model(data.x.to(model.device())).view({n}), scalar(0, data.x.dtype()));
  return mean(eq(predicted, data.y.to(model.device()))).item();
}

}  // namespace mt::nn
