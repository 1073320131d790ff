/* mt_bench_dist_train: the throughput of a data-parallel training step, through the C API as
 * the C demo trains (examples/c/classifier.c, distributed.c): an MLP 2 -> H -> H -> 1 on the
 * "split" dataset, binary cross-entropy, SGD, one global batch of B points.
 *   mt_bench_dist_train [--hidden H (256)] [--batch B (8192)] [--dtype float32|float64]
 *                       [--warmup S (3)] [--steps S (15)]
 * Alone it trains on the whole batch in one process (MINITENSOR_NUM_THREADS threads); under
 * `mpirun -np N` each rank trains on its contiguous block of B / N points and DDP averages the
 * gradients before the step (distributed_create: the demo's communicator, sampler and DDP).
 * The data loading is not timed: every step reuses the same batch. After the warm-up steps,
 * each step is timed on its own (the slowest rank's time); rank 0 prints one JSON line with the
 * median step and the global batch's samples per second.
 */
#define _POSIX_C_SOURCE 199309L
#include <minitensor/minitensor.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classifier.h"
#include "distributed.h"
#include "timing.h"

typedef struct options {
  int64_t hidden, batch;
  int32_t dtype;
  int warmup, steps;
} options;

static int parse(int argc, char** argv, options* opt) {
  int i;
  for (i = 1; i + 1 < argc; i += 2) {
    const char *name = argv[i], *value = argv[i + 1];
    if (strcmp(name, "--hidden") == 0) {
      opt->hidden = atoll(value);
    } else if (strcmp(name, "--batch") == 0) {
      opt->batch = atoll(value);
    } else if (strcmp(name, "--warmup") == 0) {
      opt->warmup = atoi(value);
    } else if (strcmp(name, "--steps") == 0) {
      opt->steps = atoi(value);
    } else if (strcmp(name, "--dtype") == 0 && strcmp(value, "float32") == 0) {
      opt->dtype = MT_FLOAT32;
    } else if (strcmp(name, "--dtype") == 0 && strcmp(value, "float64") == 0) {
      opt->dtype = MT_FLOAT64;
    } else {
      fprintf(stderr, "mt_bench_dist_train: unknown option %s %s\n", name, value);
      return 0;
    }
  }
  if (i != argc || opt->hidden < 1 || opt->batch < 1 || opt->warmup < 0 || opt->steps < 1) {
    fprintf(stderr,
            "usage: [mpirun -np N] mt_bench_dist_train [--hidden H >= 1] [--batch B >= 1]"
            " [--dtype float32|float64] [--warmup S >= 0] [--steps S >= 1]\n");
    return 0;
  }
  return 1;
}

/* The slowest rank's value of t (a collective; t itself in a world of one). */
static int32_t slowest(mt_communicator* comm, double* t) {
  mt_tensor* value = NULL;
  int32_t status = mt_scalar(*t, MT_FLOAT64, &value);
  if (status == MT_OK) status = mt_all_reduce(comm, value, MT_REDUCE_MAX, MT_ALL_REDUCE_ORDERED);
  if (status == MT_OK) status = mt_item(value, t);
  mt_release(value);
  return status;
}

/* Trains warmup + steps steps on this rank's block and writes the timed steps' ms to `ms`. */
static int32_t train(const classifier* c, distributed* d, const options* opt, double* ms,
                     double* loss) {
  mt_tensor *x = NULL, *y = NULL;
  /* DDP only across ranks: one process trains as the plain demo does. */
  mt_data_parallel* ddp = d->size > 1 ? d->ddp : NULL;
  int32_t status = mt_narrow(c->x, 0, d->rank * d->local_batch, d->local_batch, &x);
  int i;
  if (status == MT_OK) status = mt_narrow(c->y, 0, d->rank * d->local_batch, d->local_batch, &y);
  for (i = 0; status == MT_OK && i < opt->warmup + opt->steps; ++i) {
    const double start = seconds();
    double t;
    status = classifier_train_batch(c, x, y, ddp, loss);
    t = (seconds() - start) * 1e3;
    if (status == MT_OK) status = slowest(d->comm, &t);
    if (i >= opt->warmup) ms[i - opt->warmup] = t;
  }
  mt_release(y);
  mt_release(x);
  return status;
}

int main(int argc, char** argv) {
  options opt = {256, 8192, MT_FLOAT32, 3, 15};
  classifier c = CLASSIFIER_EMPTY;
  distributed d;
  double *ms, loss = 0;
  int32_t status, overlap = 0;
  memset(&d, 0, sizeof d);
  if (!parse(argc, argv, &opt)) return 2;
  ms = malloc(sizeof(double) * (size_t)opt.steps);
  if (!ms) return 1;
  {
    const classifier_config config = {.dataset = MT_DATASET_SPLIT,
                                      .points = opt.batch,
                                      .data_seed = 4,
                                      .hidden = opt.hidden,
                                      .model_seed = 3,
                                      .dtype = opt.dtype,
                                      .lr = 0.05,
                                      .batch = opt.batch,
                                      .device_type = MT_DEVICE_CPU,
                                      .device_index = 0};
    status = classifier_create(&config, &c);
  }
  if (status == MT_OK) status = distributed_create(&c, 3, &d);
  /* Whether DDP reduces buckets during backward (MT_OVERLAP_AUTO: only with a core spare). */
  if (status == MT_OK && d.size > 1) status = mt_data_parallel_overlap(d.ddp, &overlap);
  if (status == MT_OK) status = train(&c, &d, &opt, ms, &loss);
  if (status == MT_OK && d.rank == 0) {
    const double median = (qsort(ms, (size_t)opt.steps, sizeof *ms, ascending), ms[opt.steps / 2]);
    printf(
        "{\"case\": \"ddp_step\", \"ranks\": %d, \"threads\": %d, \"hidden\": %lld, "
        "\"global_batch\": %lld, \"dtype\": \"%s\", \"steps\": %d, \"median_ms\": %.6g, "
        "\"min_ms\": %.6g, \"samples_per_s\": %.6g, \"overlap\": %d, \"last_loss\": %.9g}\n",
        d.size, mt_num_threads(), (long long)opt.hidden, (long long)opt.batch,
        opt.dtype == MT_FLOAT32 ? "float32" : "float64", opt.steps, median, ms[0],
        (double)opt.batch / median * 1e3, overlap, loss);
  }
  if (status != MT_OK) fprintf(stderr, "mt_bench_dist_train: %s\n", mt_last_error());
  distributed_release(&d);
  classifier_release(&c);
  free(ms);
  return status == MT_OK ? 0 : 1;
}
