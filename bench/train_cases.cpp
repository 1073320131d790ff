// MLP 2 -> H -> H -> 1 (relu, relu, sigmoid), binary cross-entropy (mean), SGD lr 0.05 without
// momentum, float64, on the "split" toy dataset; one epoch runs over the points in order, in
// batches: forward, loss, zero_grad, backward, step. compare.py's train_cases() is the torch twin.
#include "train_cases.hpp"

#include <cstdio>
#include <memory>

namespace mt_bench {
namespace {

// The generator is used only while the model is made: a member would have to come first.
mt::nn::Mlp make_model(int64_t hidden) {
  mt::Generator gen(kTrainSeed);
  return mt::nn::Mlp({2, hidden, hidden, 1}, mt::DType::Float64, gen);
}

TrainCase train_case(const TrainConfig& config, bool compiled) {
  // Multiply-adds per point: forward 2H + H^2 + H; backward the same for the weight gradients
  // plus H^2 + H for the input gradients of layers 2 and 3 (not of layer 1: x needs none).
  const double h = static_cast<double>(config.hidden);
  const double flops =
      static_cast<double>(config.points) * (4 * (2 * h + h * h + h) + 2 * (h * h + h));
  return {std::string(config.name) + (compiled ? "_compiled" : ""), train_shape(config), flops,
          [config, compiled]() -> std::function<void()> {
            auto trainer = std::make_shared<Trainer>(config, compiled);
            return [trainer] { trainer->epoch(); };
          }};
}

}  // namespace

std::string train_shape(const TrainConfig& config) {
  char shape[96];
  std::snprintf(shape, sizeof shape, "MLP 2-%lld-%lld-1, %lld points, batch %lld",
                static_cast<long long>(config.hidden), static_cast<long long>(config.hidden),
                static_cast<long long>(config.points), static_cast<long long>(config.batch));
  return shape;
}

Trainer::Trainer(const TrainConfig& config, bool use_plans)
    : batch(config.batch),
      compiled(use_plans),
      data(mt::make_dataset(mt::DatasetKind::Split, config.points, kTrainSeed, mt::DType::Float64)),
      model(make_model(config.hidden)),
      opt(model.parameters(), kTrainLearningRate) {}

std::vector<TrainCase> make_train_cases() {
  return {train_case(kTrainSmall, false), train_case(kTrainLarge, false),
          train_case(kTrainSmall, true), train_case(kTrainLarge, true)};
}

}  // namespace mt_bench
