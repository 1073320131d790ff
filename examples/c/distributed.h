/*
 * Data-parallel training of the classifier (mt_train_c --distributed): the ranks of the
 * launcher in the environment (mpirun -np N) each train on their block of every global batch
 * (the sharded sampler), with the gradients averaged over the ranks (DDP) before each step, so
 * that every rank holds the same parameters. On the CPU only. Statuses as classifier.h's,
 * except that the message of a failure is distributed_error(): the demo's own allocations fail
 * with MT_ERR_OUT_OF_MEMORY that mt_last_error() does not describe.
 */
#ifndef MT_EXAMPLES_DISTRIBUTED_H
#define MT_EXAMPLES_DISTRIBUTED_H

#include <minitensor/minitensor.h>

#include "classifier.h"

typedef struct distributed {
  mt_communicator* comm;
  mt_sampler* sampler;
  mt_data_parallel* ddp;
  double* xy;       /* the points, 2 per point, to pick this rank's block from */
  double* labels;   /* the points' labels */
  int64_t* indices; /* this rank's block of a step */
  int64_t steps;
  int64_t local_batch;
  int32_t rank;
  int32_t size;
} distributed;

/* Joins the world, shards the classifier's points into global batches of its batch size (a
 * multiple of the world size), shuffled from `seed` + epoch, and gives every rank rank 0's
 * parameters. On failure *out is left zeroed. */
int32_t distributed_create(const classifier* c, uint64_t seed, distributed* out);
/* The message of the last failure of distributed_create or distributed_train_epoch: the
 * demo's own (an allocation) or the library's (mt_last_error()). */
const char* distributed_error(void);
/* Releases everything; accepts a zeroed struct and leaves it zeroed. */
void distributed_release(distributed* d);
/* One epoch (0, 1, ...) of this rank's blocks. *mean_loss is the mean loss per point of the
 * epoch's global batches: the same bits on every rank. */
int32_t distributed_train_epoch(distributed* d, const classifier* c, int64_t epoch,
                                double* mean_loss);

#endif /* MT_EXAMPLES_DISTRIBUTED_H */
