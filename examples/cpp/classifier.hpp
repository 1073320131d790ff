#pragma once
// Training and scoring a binary classifier (an Mlp whose one output is a logit) on a toy
// dataset, as MiniTorch's module 3 does: the loop shared by the demo, the tests and the
// benchmark (the target mt_classifier, classifier.cmake). Not part of the library: the C API
// and the bindings have their own copy of this loop in each demo.
#include <cstdint>

#include "data/datasets.hpp"
#include "nn/mlp.hpp"
#include "nn/optim.hpp"

namespace mt::nn {

// One epoch of minibatch training: for each run of `batch` points, in order, the binary
// cross-entropy of sigmoid(model(x)) against y, zero_grad, backward, step. Returns the mean
// loss per point. Throws InvalidArgument for batch < 1.
double train_classifier_epoch(const Mlp& model, Optimizer& optimizer, const Dataset& data,
                              int64_t batch);

// The fraction of points whose class the model gets right (logit > 0 means class 1).
double classifier_accuracy(const Mlp& model, const Dataset& data);

}  // namespace mt::nn
