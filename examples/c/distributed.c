#include "distributed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The message of this file's own last failure (an allocation), or "" when the library's. */
static char own_error[128];

/* malloc(bytes) while *status is MT_OK; on failure *status is MT_ERR_OUT_OF_MEMORY, which the
 * library did not report, so the message is this file's. */
static void* allocate(size_t bytes, const char* what, int32_t* status) {
  void* memory = *status == MT_OK ? malloc(bytes) : NULL;
  if (*status == MT_OK && memory == NULL) {
    sprintf(own_error, "out of memory for %.60s (%lu bytes)", what, (unsigned long)bytes);
    *status = MT_ERR_OUT_OF_MEMORY;
  }
  return memory;
}

const char* distributed_error(void) { return own_error[0] ? own_error : mt_last_error(); }

static int32_t data_parallel_over(const classifier* c, mt_communicator* comm,
                                  mt_data_parallel** out) {
  mt_tensor* params[CLASSIFIER_PARAMS] = {NULL};
  int32_t status = MT_OK, i;
  for (i = 0; status == MT_OK && i < CLASSIFIER_PARAMS; ++i)
    status = mt_mlp_parameter(c->model, i, &params[i]);
  if (status == MT_OK) status = mt_data_parallel_create(comm, params, CLASSIFIER_PARAMS, 0, out);
  for (i = 0; i < CLASSIFIER_PARAMS; ++i)
    mt_release(params[i]);
  return status;
}

int32_t distributed_create(const classifier* c, uint64_t seed, distributed* out) {
  distributed d;
  int32_t status;
  memset(&d, 0, sizeof d);
  memset(out, 0, sizeof *out);
  own_error[0] = '\0';
  status = mt_communicator_from_environment(&d.comm);
  if (status == MT_OK) status = mt_communicator_rank(d.comm, &d.rank);
  if (status == MT_OK) status = mt_communicator_size(d.comm, &d.size);
  if (status == MT_OK)
    status = mt_sampler_create(c->points, c->batch, d.size, d.rank, seed, &d.sampler);
  if (status == MT_OK) status = mt_sampler_steps(d.sampler, &d.steps);
  if (status == MT_OK) status = mt_sampler_local_batch(d.sampler, &d.local_batch);
  if (status == MT_OK) status = data_parallel_over(c, d.comm, &d.ddp);
  d.xy = allocate(sizeof(double) * 2 * (size_t)c->points, "the points", &status);
  d.labels = allocate(sizeof(double) * (size_t)c->points, "the labels", &status);
  d.indices = allocate(sizeof(int64_t) * (size_t)d.local_batch, "a block's indices", &status);
  if (status == MT_OK) status = mt_to_buffer(c->x, d.xy, MT_FLOAT64, 2 * c->points);
  if (status == MT_OK) status = mt_to_buffer(c->y, d.labels, MT_FLOAT64, c->points);
  if (status == MT_OK)
    *out = d;
  else
    distributed_release(&d);
  return status;
}

void distributed_release(distributed* d) {
  free(d->indices);
  free(d->labels);
  free(d->xy);
  mt_data_parallel_release(d->ddp);
  mt_sampler_release(d->sampler);
  mt_communicator_release(d->comm);
  memset(d, 0, sizeof *d);
}

/* This rank's block of step `step`: its points (local_batch, 2) and labels (local_batch,). */
static int32_t block(const distributed* d, const classifier* c, int64_t step, mt_tensor** x,
                     mt_tensor** y) {
  const int64_t n = d->local_batch, shape[2] = {n, 2};
  int32_t status = MT_OK;
  double* xy = allocate(sizeof(double) * 3 * (size_t)n, "a block's points", &status);
  double* labels = NULL;
  int64_t i;
  if (status == MT_OK) {
    labels = xy + 2 * n;
    status = mt_sampler_indices(d->sampler, step, d->indices, n);
  }
  for (i = 0; status == MT_OK && i < n; ++i) {
    xy[2 * i] = d->xy[2 * d->indices[i]];
    xy[2 * i + 1] = d->xy[2 * d->indices[i] + 1];
    labels[i] = d->labels[d->indices[i]];
  }
  if (status == MT_OK) status = mt_from_buffer(xy, MT_FLOAT64, 2 * n, shape, 2, c->dtype, x);
  if (status == MT_OK) status = mt_from_buffer(labels, MT_FLOAT64, n, &n, 1, c->dtype, y);
  free(xy);
  return status;
}

int32_t distributed_train_epoch(distributed* d, const classifier* c, int64_t epoch,
                                double* mean_loss) {
  double local = 0;
  mt_tensor* total = NULL;
  int64_t step;
  int32_t status;
  own_error[0] = '\0';
  status = mt_sampler_set_epoch(d->sampler, epoch);
  for (step = 0; status == MT_OK && step < d->steps; ++step) {
    mt_tensor *x = NULL, *y = NULL;
    double value = 0;
    status = block(d, c, step, &x, &y);
    if (status == MT_OK) status = classifier_train_batch(c, x, y, d->ddp, &value);
    mt_release(y);
    mt_release(x);
    local += value * (double)d->local_batch;
  }
  /* The ranks' sums of their losses, added in rank order: the same bits on every rank. */
  if (status == MT_OK) status = mt_scalar(local, MT_FLOAT64, &total);
  if (status == MT_OK) status = mt_all_reduce(d->comm, total, MT_REDUCE_SUM, MT_ALL_REDUCE_ORDERED);
  if (status == MT_OK) status = mt_item(total, &local);
  if (status == MT_OK) *mean_loss = local / (double)(d->steps * d->local_batch * d->size);
  mt_release(total);
  return status;
}
