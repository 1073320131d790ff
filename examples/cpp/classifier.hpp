#pragma once
// Training and scoring a binary classifier (an Mlp whose one output is a logit) on a toy
// dataset, as MiniTorch's module 3 does: the loop shared by the demo, the tests and the
// benchmark (the target mt_classifier, classifier.cmake). Not part of the library: the C API
// and the bindings have their own copy of this loop in each demo.
#include <cstdint>
#include <map>
#include <memory>

#include "data/datasets.hpp"
#include "fusion/plan.hpp"
#include "nn/mlp.hpp"
#include "nn/optim.hpp"

namespace mt::nn {

// One epoch of minibatch training: for each run of `batch` points, in order, the binary
// cross-entropy of sigmoid(model(x)) against y, zero_grad, backward, step. Returns the mean
// loss per point. Throws InvalidArgument for batch < 1.
double train_classifier_epoch(const Mlp& model, Optimizer& optimizer, const Dataset& data,
                              int64_t batch);

// The same epoch through captured steps: the step (loss, zero_grad, backward, step) is
// captured once per batch length into `plans` (kept by the caller from epoch to epoch; a
// ragged last batch is a second plan, whose structure the plan cache knows) and each batch
// runs its plan. The losses and parameters are bitwise those of train_classifier_epoch.
double train_classifier_epoch_compiled(const Mlp& model, Optimizer& optimizer, const Dataset& data,
                                       int64_t batch,
                                       std::map<int64_t, std::shared_ptr<fusion::Plan>>& plans);

// The fraction of points whose class the model gets right (logit > 0 means class 1).
double classifier_accuracy(const Mlp& model, const Dataset& data);

}  // namespace mt::nn
