/* test_sampler.c: the sharded sampler. Its blocks are computed, not exchanged, so one process
 * checks every world size: the ranks' blocks of a step, in rank order, must be the batch of a
 * world of one, every epoch a permutation (no index twice), drawn from seed + epoch. */
#include <string.h>

#include "check.h"
#include "suites.h"

enum { DATASET = 50, GLOBAL_BATCH = 12, STEPS = DATASET / GLOBAL_BATCH };

/* The batches of one epoch, step after step (STEPS * GLOBAL_BATCH indices), of a world of
 * `world` ranks: each rank's block in rank order. */
static void epoch_batches(int32_t world, uint64_t seed, int64_t epoch, int64_t* out) {
  int32_t rank;
  int64_t step, local = -1, steps = -1;
  for (rank = 0; rank < world; ++rank) {
    mt_sampler* sampler = NULL;
    CHECK_OK(mt_sampler_create(DATASET, GLOBAL_BATCH, world, rank, seed, &sampler));
    CHECK_OK(mt_sampler_steps(sampler, &steps));
    CHECK_OK(mt_sampler_local_batch(sampler, &local));
    CHECK(steps == STEPS && local == GLOBAL_BATCH / world);
    CHECK_OK(mt_sampler_set_epoch(sampler, epoch));
    for (step = 0; step < STEPS; ++step)
      CHECK_OK(mt_sampler_indices(sampler, step, out + step * GLOBAL_BATCH + rank * local, local));
    mt_sampler_release(sampler);
  }
}

static void shards(void) {
  int64_t whole[STEPS * GLOBAL_BATCH], sharded[STEPS * GLOBAL_BATCH], other[STEPS * GLOBAL_BATCH];
  int seen[DATASET] = {0};
  int32_t world;
  int i, distinct = 1;
  epoch_batches(1, 7, 3, whole);
  for (i = 0; i < STEPS * GLOBAL_BATCH; ++i) {
    if (whole[i] < 0 || whole[i] >= DATASET || seen[whole[i]]) distinct = 0;
    if (whole[i] >= 0 && whole[i] < DATASET) seen[whole[i]] = 1;
  }
  CHECK(distinct);
  for (world = 2; world <= 4; ++world) {
    epoch_batches(world, 7, 3, sharded);
    CHECK(memcmp(sharded, whole, sizeof whole) == 0);
  }
  /* Seeded by seed + epoch: another epoch is another order, seed 8 epoch 2 is seed 7 epoch 3. */
  epoch_batches(1, 7, 4, other);
  CHECK(memcmp(other, whole, sizeof whole) != 0);
  epoch_batches(1, 8, 2, other);
  CHECK(memcmp(other, whole, sizeof whole) == 0);
}

static void argument_errors(void) {
  mt_sampler* sampler = NULL;
  int64_t indices[6];
  CHECK_ERR(mt_sampler_create(DATASET, 12, 2, 2, 0, &sampler), MT_ERR_INVALID_ARGUMENT,
            "mt_sampler_create", "rank 2 is not a rank of a world of 2");
  CHECK_ERR(mt_sampler_create(DATASET, 12, 0, 0, 0, &sampler), MT_ERR_INVALID_ARGUMENT,
            "a world of 0");
  CHECK_ERR(mt_sampler_create(DATASET, 10, 4, 0, 0, &sampler), MT_ERR_INVALID_ARGUMENT,
            "global batch 10 is not a positive multiple of the world size 4");
  CHECK_ERR(mt_sampler_create(DATASET, 0, 1, 0, 0, &sampler), MT_ERR_INVALID_ARGUMENT,
            "global batch 0");
  CHECK_ERR(mt_sampler_create(DATASET, 52, 2, 0, 0, &sampler), MT_ERR_INVALID_ARGUMENT,
            "global batch 52 is larger than the data set (50 samples)");
  /* More samples than a permutation can index: refused, not an internal error. */
  CHECK_ERR(mt_sampler_create((int64_t)1 << 62, 2, 1, 0, 0, &sampler), MT_ERR_OVERFLOW,
            "a data set of 4611686018427387904 samples");
  CHECK(sampler == NULL);
  CHECK_OK(mt_sampler_create(DATASET, 12, 2, 1, 0, &sampler));
  CHECK_ERR(mt_sampler_set_epoch(sampler, -1), MT_ERR_INVALID_ARGUMENT, "mt_sampler_set_epoch",
            "epoch -1 is negative");
  CHECK_ERR(mt_sampler_indices(sampler, 4, indices, 6), MT_ERR_INVALID_ARGUMENT,
            "mt_sampler_indices", "step 4 is not one of the epoch's 4 steps");
  CHECK_ERR(mt_sampler_indices(sampler, -1, indices, 6), MT_ERR_INVALID_ARGUMENT, "step -1");
  CHECK_ERR(mt_sampler_indices(sampler, 0, indices, 5), MT_ERR_INVALID_ARGUMENT,
            "count 5 is not the local batch 6");
  mt_sampler_release(sampler);
}

void test_sampler(void) {
  shards();
  argument_errors();
}
