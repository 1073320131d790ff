#pragma once
// mt_bench's training cases: one epoch of an MLP classifier, forward, loss, backward and SGD
// step per batch, the same model and loop as compare.py's torch side. mt_bench_capi times the
// same epoch through the C API against Trainer.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "classifier.hpp"
#include "mt.hpp"

namespace mt_bench {

// MLP 2 -> hidden -> hidden -> 1 on `points` points of the "split" dataset, float64, SGD with
// kTrainLearningRate; the data and the initial weights both come from seed kTrainSeed.
struct TrainConfig {
  const char* name;
  int64_t points;
  int64_t batch;
  int64_t hidden;
};
inline constexpr uint64_t kTrainSeed = 42;
inline constexpr double kTrainLearningRate = 0.05;
inline constexpr TrainConfig kTrainSmall{"train_small", 50, 10, 100};
inline constexpr TrainConfig kTrainLarge{"train_large", 5000, 500, 1000};

// "MLP 2-100-100-1, 50 points, batch 10".
std::string train_shape(const TrainConfig& config);

// A model, its optimizer and its data; epoch() trains one epoch and returns the mean loss.
// With `compiled`, each batch runs a plan of the captured step (fusion/), the same bits.
struct Trainer {
  explicit Trainer(const TrainConfig& config, bool compiled = false);
  double epoch() {
    return compiled ? mt::nn::train_classifier_epoch_compiled(model, opt, data, batch, plans)
                    : mt::nn::train_classifier_epoch(model, opt, data, batch);
  }

  int64_t batch;
  bool compiled;
  mt::Dataset data;
  mt::nn::Mlp model;
  mt::nn::SGD opt;
  std::map<int64_t, std::shared_ptr<mt::fusion::Plan>> plans;
};

struct TrainCase {
  std::string name;
  std::string shape;
  double flops = 0;  // the matmul flops of one epoch (forward and backward), for GFLOP/s
  // Makes the model, optimizer and data; returns one epoch, the work to time.
  std::function<std::function<void()>()> setup;
};

// train_small and train_large, float64, eager and through captured steps (name + "_compiled").
std::vector<TrainCase> make_train_cases();

}  // namespace mt_bench
