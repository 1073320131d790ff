/*
 * MiniTorch's binary classifier through the C API: an MLP 2 -> H -> H -> 1 (relu, relu, then
 * sigmoid on the logit), binary cross-entropy, plain SGD, trained on a toy dataset in
 * minibatches of consecutive points. The same math as the C++ core's train_classifier_epoch
 * and classifier_accuracy (core/nn/classifier.cpp): the same seeds give the same losses.
 * Used by the demo (train.c) and by the C API benchmark (bench/capi_train.cpp).
 *
 * Every function returning int32_t returns an mt status (MT_OK or MT_ERR_*); on failure
 * mt_last_error() holds the library's message and nothing has leaked.
 */
#ifndef MT_EXAMPLES_CLASSIFIER_H
#define MT_EXAMPLES_CLASSIFIER_H

#include <stddef.h>

#include <minitensor/minitensor.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The model's parameters (mt_mlp_parameter 0 .. 5): layers 2 -> H, H -> H, H -> 1, a weight
 * and a bias each. */
#define CLASSIFIER_PARAMS 6

typedef struct classifier_config {
  int32_t dataset;     /* MT_DATASET_* */
  int64_t points;      /* dataset size */
  uint64_t data_seed;  /* mt_dataset's seed */
  int64_t hidden;      /* H, the width of both hidden layers */
  uint64_t model_seed; /* seed of the generator that draws the initial weights */
  int32_t dtype;       /* MT_FLOAT32 or MT_FLOAT64 */
  double lr;           /* SGD learning rate */
  int64_t batch;       /* points per minibatch (>= 1) */
  int32_t device_type; /* MT_DEVICE_*: where the data, the model and the training live */
  int32_t device_index;
} classifier_config;

typedef struct classifier {
  mt_tensor* x; /* (points, 2) */
  mt_tensor* y; /* (points,), labels 0 or 1 */
  mt_mlp* model;
  mt_optimizer* optimizer;
  int64_t points;
  int64_t batch;
  int32_t dtype;
  int32_t device_type; /* the data's and the model's device */
  int32_t device_index;
} classifier;

/* An empty classifier, as classifier_release leaves it: `classifier c = CLASSIFIER_EMPTY;`. */
#define CLASSIFIER_EMPTY \
  { NULL, NULL, NULL, NULL, 0, 0, 0, MT_DEVICE_CPU, 0 }

/* Makes the dataset and the model, moves both to the configured device, makes the optimizer.
 * On failure *out is left zeroed. */
int32_t classifier_create(const classifier_config* config, classifier* out);
/* Releases everything; accepts a zeroed struct and leaves it zeroed. */
void classifier_release(classifier* c);
/* One SGD step on the points x (len, 2) with labels y (len,): forward, loss, zero_grad,
 * backward, the gradients averaged over the ranks when ddp is not NULL (data-parallel
 * training), step. *loss is a new reference to the batch's mean loss (in a capture, a tensor
 * without values: a plan's run gives them). */
int32_t classifier_step(const classifier* c, const mt_tensor* x, const mt_tensor* y,
                        mt_data_parallel* ddp, mt_tensor** loss);
/* classifier_step, with *loss the value of the batch's mean loss. */
int32_t classifier_train_batch(const classifier* c, const mt_tensor* x, const mt_tensor* y,
                               mt_data_parallel* ddp, double* loss);
/* One epoch over the points in order: per minibatch forward, loss, zero_grad, backward, step.
 * *mean_loss is the mean loss per point. */
int32_t classifier_train_epoch(const classifier* c, double* mean_loss);
/* A way to train on one minibatch (x, y), giving its mean loss: eager (classifier_train_batch)
 * or a compiled plan (compiled_step.h); `context` is the way's own. */
typedef int32_t (*classifier_batch_fn)(void* context, const classifier* c, const mt_tensor* x,
                                       const mt_tensor* y, double* loss);
/* classifier_train_epoch with each minibatch trained by `train_batch`. */
int32_t classifier_train_epoch_by(const classifier* c, classifier_batch_fn train_batch,
                                  void* context, double* mean_loss);
/* The fraction of points classified right (logit > 0 means class 1), computed without grad. */
int32_t classifier_accuracy(const classifier* c, double* accuracy);
/* The predicted probability of class 1 for `count` points (x1, x2) given as 2 * count doubles,
 * in one batched forward pass without grad on the classifier's device. */
int32_t classifier_probabilities(const classifier* c, const double* points, int64_t count,
                                 double* probs);

#ifdef __cplusplus
}
#endif

#endif /* MT_EXAMPLES_CLASSIFIER_H */
