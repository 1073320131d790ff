#include "compiled_step.h"

#include <stdio.h>

/* The traced body: classifier_step on the points (length, 2) and labels (length,) given, the
 * loss as the output (mt_function_run has checked the counts: 2 inputs, 1 output). */
static mt_status_t step_body(void* context, mt_tensor* const* inputs, int64_t n_inputs,
                             mt_tensor** outputs, int64_t n_outputs) {
  (void)n_inputs, (void)n_outputs;
  return classifier_step((const classifier*)context, inputs[0], inputs[1], NULL, &outputs[0]);
}

/* Adds y's length to those that describe lists, if it is new. */
static int32_t remember_length(compiled_step* s, const mt_tensor* y) {
  int64_t length = 0;
  int32_t i;
  const int32_t status = mt_size(y, 0, &length);
  for (i = 0; i < s->n_lengths; ++i)
    if (s->lengths[i] == length) return status;
  if (status == MT_OK && s->n_lengths < COMPILED_STEP_LENGTHS) s->lengths[s->n_lengths++] = length;
  return status;
}

int32_t compiled_step_train_batch(void* context, const classifier* c, const mt_tensor* x,
                                  const mt_tensor* y, double* loss_value) {
  compiled_step* s = (compiled_step*)context;
  mt_tensor* inputs[2];
  mt_tensor* loss = NULL;
  int32_t status = MT_OK;
  inputs[0] = (mt_tensor*)x;
  inputs[1] = (mt_tensor*)y;
  if (!s->step) {
    status = mt_function_new(step_body, (void*)c, 2, 1, &s->step);
    s->dtype = c->dtype;
  }
  if (status == MT_OK) status = remember_length(s, y);
  if (status == MT_OK) status = mt_function_run(s->step, inputs, 2, &loss, 1);
  if (status == MT_OK) status = mt_item(loss, loss_value);
  mt_release(loss);
  return status;
}

int32_t compiled_step_describe(const compiled_step* s) {
  int32_t i, status = MT_OK;
  for (i = 0; i < s->n_lengths && status == MT_OK; ++i) {
    /* Inputs of a minibatch's signature (their values do not matter). */
    const int64_t x_shape[2] = {s->lengths[i], 2};
    mt_tensor* inputs[2] = {NULL, NULL};
    mt_plan* plan = NULL;
    int64_t ops, kernels, fused, avoided, moved;
    status = mt_empty(x_shape, 2, s->dtype, &inputs[0]);
    if (status == MT_OK) status = mt_empty(&s->lengths[i], 1, s->dtype, &inputs[1]);
    if (status == MT_OK) status = mt_function_plan(s->step, inputs, 2, &plan);
    if (status == MT_OK) status = mt_plan_stats(plan, &ops, &kernels, &fused, &avoided, &moved);
    if (status == MT_OK)
      printf("plan for minibatches of %lld: %lld ops -> %lld kernels, %lld fused\n",
             (long long)s->lengths[i], (long long)ops, (long long)kernels, (long long)fused);
    mt_plan_release(plan);
    mt_release(inputs[1]);
    mt_release(inputs[0]);
  }
  return status;
}

void compiled_step_release(compiled_step* s) {
  const compiled_step empty = COMPILED_STEP_EMPTY;
  mt_function_release(s->step);
  *s = empty;
}
