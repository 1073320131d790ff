// MLP 2 -> H -> H -> 1 (relu, relu, sigmoid), binary cross-entropy (mean), SGD lr 0.05 without
// momentum, float64, on the "split" toy dataset; one epoch runs over the points in order, in
// batches: forward, loss, zero_grad, backward, step. compare.py's train_cases() is the torch twin.
#include "train_cases.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>

#include "mt.hpp"

namespace mt_bench {
namespace {

constexpr uint64_t kSeed = 42;
constexpr double kLearningRate = 0.05;

struct Trainer {
  int64_t batch;
  mt::Dataset data;
  mt::nn::Mlp model;
  mt::nn::SGD opt;

  Trainer(int64_t n, int64_t batch_, int64_t hidden, mt::Generator& gen)
      : batch(batch_),
        data(mt::make_dataset(mt::DatasetKind::Split, n, kSeed, mt::DType::Float64)),
        model({2, hidden, hidden, 1}, mt::DType::Float64, gen),
        opt(model.parameters(), kLearningRate) {}

  void epoch() { mt::nn::train_classifier_epoch(model, opt, data, batch); }
};

TrainCase train_case(const char* name, int64_t n, int64_t batch, int64_t hidden) {
  char shape[96];
  std::snprintf(shape, sizeof shape, "MLP 2-%lld-%lld-1, %lld points, batch %lld",
                static_cast<long long>(hidden), static_cast<long long>(hidden),
                static_cast<long long>(n), static_cast<long long>(batch));
  // Multiply-adds per point: forward 2H + H^2 + H; backward the same for the weight gradients
  // plus H^2 + H for the input gradients of layers 2 and 3 (not of layer 1: x needs none).
  const double h = static_cast<double>(hidden);
  const double flops = static_cast<double>(n) * (4 * (2 * h + h * h + h) + 2 * (h * h + h));
  return {name, shape, flops, [=]() -> std::function<void()> {
            mt::Generator gen(kSeed);
            auto trainer = std::make_shared<Trainer>(n, batch, hidden, gen);
            return [trainer] { trainer->epoch(); };
          }};
}

}  // namespace

std::vector<TrainCase> make_train_cases() {
  return {train_case("train_small", 50, 10, 100), train_case("train_large", 5000, 500, 1000)};
}

}  // namespace mt_bench
