#include "compiled_step.h"

#include <stdio.h>

/* The plan of classifier_step on a minibatch of `length` points: placeholders for the points
 * (length, 2) and the labels (length,), the loss as the output. */
static int32_t capture_step(const classifier* c, int64_t length, mt_plan** out) {
  const int64_t x_shape[2] = {length, 2};
  mt_tensor *x = NULL, *y = NULL, *loss = NULL;
  mt_graph* graph = NULL;
  int32_t status = mt_capture_begin();
  if (status != MT_OK) return status;
  status = mt_capture_input(x_shape, 2, c->dtype, &x);
  if (status == MT_OK) status = mt_capture_input(&length, 1, c->dtype, &y);
  if (status == MT_OK) status = classifier_step(c, x, y, NULL, &loss);
  if (status == MT_OK) status = mt_capture_end(&loss, 1, &graph);
  if (status != MT_OK) mt_capture_abandon(); /* no capture outlives a failure */
  if (status == MT_OK) status = mt_graph_compile(graph, out);
  mt_graph_release(graph); /* the plan keeps what it needs */
  mt_release(loss);
  mt_release(y);
  mt_release(x);
  return status;
}

/* The plan for minibatches of `length` points, captured on first use: slot 0 is for full
 * minibatches, slot 1 for a ragged last one (an epoch has no other length). */
static int32_t plan_for(compiled_step* s, const classifier* c, int64_t length, mt_plan** plan) {
  const int slot = length == c->batch ? 0 : 1;
  if (!s->plans[slot]) {
    const int32_t status = capture_step(c, length, &s->plans[slot]);
    if (status != MT_OK) return status;
    s->lengths[slot] = length;
  }
  *plan = s->plans[slot];
  return MT_OK;
}

int32_t compiled_step_train_batch(void* context, const classifier* c, const mt_tensor* x,
                                  const mt_tensor* y, double* loss_value) {
  mt_tensor* inputs[2];
  mt_tensor* loss = NULL;
  mt_plan* plan = NULL;
  int64_t length = 0;
  int32_t status = mt_size(y, 0, &length);
  inputs[0] = (mt_tensor*)x;
  inputs[1] = (mt_tensor*)y;
  if (status == MT_OK) status = plan_for((compiled_step*)context, c, length, &plan);
  if (status == MT_OK) status = mt_plan_run(plan, inputs, 2, &loss, 1);
  if (status == MT_OK) status = mt_item(loss, loss_value);
  mt_release(loss);
  return status;
}

int32_t compiled_step_describe(const compiled_step* s) {
  int32_t i;
  for (i = 0; i < COMPILED_STEP_SLOTS; ++i) {
    int64_t ops, kernels, fused, avoided, moved;
    int32_t status;
    if (!s->plans[i]) continue;
    status = mt_plan_stats(s->plans[i], &ops, &kernels, &fused, &avoided, &moved);
    if (status != MT_OK) return status;
    printf("plan for minibatches of %lld: %lld ops -> %lld kernels, %lld fused\n",
           (long long)s->lengths[i], (long long)ops, (long long)kernels, (long long)fused);
  }
  return MT_OK;
}

void compiled_step_release(compiled_step* s) {
  const compiled_step empty = COMPILED_STEP_EMPTY;
  int32_t i;
  for (i = 0; i < COMPILED_STEP_SLOTS; ++i)
    mt_plan_release(s->plans[i]);
  *s = empty;
}
