/*
 * mt_train_c --compile: the classifier's training step (classifier_step: forward, loss,
 * zero_grad, backward, SGD step) captured once per minibatch length and compiled into a plan
 * (minitensor.h, "Capture and plans"); each minibatch then runs its length's plan, whose
 * output is the batch's loss. An epoch has at most two lengths: the batch size, and a ragged
 * last minibatch. The plans give eager mode's bits, so the losses equal classifier_train_epoch's.
 * On the CPU, on one process. Statuses as classifier.h's.
 */
#ifndef MT_EXAMPLES_COMPILED_STEP_H
#define MT_EXAMPLES_COMPILED_STEP_H

#include <minitensor/minitensor.h>

#include "classifier.h"

#define COMPILED_STEP_SLOTS 2 /* full minibatches, and a ragged last one */

typedef struct compiled_step {
  int64_t lengths[COMPILED_STEP_SLOTS]; /* the minibatch length of each plan */
  mt_plan* plans[COMPILED_STEP_SLOTS];  /* NULL until that length is first trained */
} compiled_step;

/* No plans yet: `compiled_step s = COMPILED_STEP_EMPTY;`. */
#define COMPILED_STEP_EMPTY \
  {                         \
    {0, 0}, { NULL, NULL }  \
  }

/* A classifier_batch_fn (context: a compiled_step*): runs the plan of x's length, capturing it
 * first if there is none. */
int32_t compiled_step_train_batch(void* context, const classifier* c, const mt_tensor* x,
                                  const mt_tensor* y, double* loss);
/* Prints one line per plan: the minibatch length, its ops, kernels and fused kernels. */
int32_t compiled_step_describe(const compiled_step* s);
/* Releases the plans; leaves the struct empty. */
void compiled_step_release(compiled_step* s);

#endif /* MT_EXAMPLES_COMPILED_STEP_H */
