/*
 * mt_train_c --compile: the classifier's training step (classifier_step: forward, loss,
 * zero_grad, backward, SGD step) as a traced function (minitensor.h, "Traced functions"): each
 * minibatch runs the plan of its length, traced and compiled when that length first comes (an
 * epoch has at most two: the batch size, and a ragged last minibatch); its output is the batch's
 * loss. The plans give eager mode's bits, so the losses equal classifier_train_epoch's.
 * On the CPU, on one process. Statuses as classifier.h's.
 */
#ifndef MT_EXAMPLES_COMPILED_STEP_H
#define MT_EXAMPLES_COMPILED_STEP_H

#include <minitensor/minitensor.h>

#include "classifier.h"

#define COMPILED_STEP_LENGTHS 2 /* an epoch's minibatch lengths: full ones, a ragged last one */

typedef struct compiled_step {
  mt_function* step; /* classifier_step of a classifier; NULL until the first minibatch */
  int32_t dtype;     /* that classifier's */
  int64_t lengths[COMPILED_STEP_LENGTHS]; /* the minibatch lengths trained, in order */
  int32_t n_lengths;
} compiled_step;

/* Nothing traced yet: `compiled_step s = COMPILED_STEP_EMPTY;`. */
#define COMPILED_STEP_EMPTY \
  { NULL, 0, {0, 0}, 0 }

/* A classifier_batch_fn (context: a compiled_step*): runs the step's plan for x's length. The
 * first call makes the step of its classifier, which later calls must pass too. */
int32_t compiled_step_train_batch(void* context, const classifier* c, const mt_tensor* x,
                                  const mt_tensor* y, double* loss);
/* Prints one line per minibatch length trained: its plan's ops, kernels and fused kernels. */
int32_t compiled_step_describe(const compiled_step* s);
/* Releases the step and its plans; leaves the struct empty. */
void compiled_step_release(compiled_step* s);

#endif /* MT_EXAMPLES_COMPILED_STEP_H */
