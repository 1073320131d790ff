#pragma once
// mt_bench's training cases: one epoch of an MLP classifier, forward, loss, backward and SGD
// step per batch, the same model and loop as compare.py's torch side.
#include <functional>
#include <string>
#include <vector>

namespace mt_bench {

struct TrainCase {
  std::string name;
  std::string shape;
  double flops = 0;  // the matmul flops of one epoch (forward and backward), for GFLOP/s
  // Makes the model, optimizer and data; returns one epoch, the work to time.
  std::function<std::function<void()>()> setup;
};

// train_small and train_large, float64.
std::vector<TrainCase> make_train_cases();

}  // namespace mt_bench
