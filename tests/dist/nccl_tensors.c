/* nccl_tensors.c: the communicator's collectives on CUDA tensors, which go to the NCCL plugin
 * when MINITENSOR_DIST_ENGINE=nccl. It needs a GPU per rank, so no ctest runs it:
 * scripts/gpu-check.sh does, under mpirun (-np 1 on one GPU). Rank r's tensors hold
 * (r + 1) * (1 + i % 251), whose sums, maxima and gathers are exact in float32 and float64;
 * each result is read back and compared, and the NCCL plugin must be loaded afterwards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static mt_communicator* comm = NULL;
static int32_t rank = 0, size = 0, device = 0;

static double value(int32_t r, int64_t i) { return (double)(r + 1) * (double)(1 + i % 251); }

/* Rank r's n values on this rank's GPU. */
static mt_tensor* ranks_tensor(int32_t r, mt_dtype_t dtype, int64_t n) {
  double* values = malloc((size_t)n * sizeof *values);
  mt_tensor* t = NULL;
  int64_t i;
  CHECK(values != NULL);
  for (i = 0; values != NULL && i < n; ++i)
    values[i] = value(r, i);
  if (values != NULL)
    CHECK_OK(mt_from_buffer_on(values, MT_FLOAT64, n, DIMS(n), dtype, MT_DEVICE_CUDA, device, &t));
  free(values);
  return t;
}

/* Whether t's n * rows values are expected(row, i) (row-major). */
static void check_values(mt_tensor* t, int64_t rows, int64_t n,
                         double (*expected)(int64_t, int64_t)) {
  double* got = malloc((size_t)(rows * n) * sizeof *got);
  int64_t row, i, wrong = 0;
  CHECK(got != NULL && READ(t, got, rows * n) == rows * n);
  for (row = 0; got != NULL && row < rows; ++row)
    for (i = 0; i < n; ++i)
      wrong += got[row * n + i] != expected(row, i);
  CHECK(wrong == 0);
  free(got);
}

static double sum_of_ranks(int64_t row, int64_t i) {
  (void)row;
  return (double)size * (size + 1) / 2 * (double)(1 + i % 251);
}
static double last_ranks(int64_t row, int64_t i) {
  (void)row;
  return value(size - 1, i);
}
static double gathered(int64_t row, int64_t i) { return value((int32_t)row, i); }

static void collectives(mt_dtype_t dtype, int64_t n) {
  const mt_all_reduce_mode_t modes[] = {MT_ALL_REDUCE_ORDERED, MT_ALL_REDUCE_ENGINE};
  mt_tensor *t, *all = NULL;
  size_t m;
  for (m = 0; m < 2; ++m) {
    t = ranks_tensor(rank, dtype, n);
    CHECK_OK(mt_all_reduce(comm, t, MT_REDUCE_SUM, modes[m]));
    check_values(t, 1, n, sum_of_ranks);
    mt_release(t);
    t = ranks_tensor(rank, dtype, n);
    CHECK_OK(mt_all_reduce(comm, t, MT_REDUCE_MAX, modes[m]));
    check_values(t, 1, n, last_ranks);
    mt_release(t);
  }
  t = ranks_tensor(rank, dtype, n);
  CHECK_OK(mt_broadcast(comm, t, size - 1));
  check_values(t, 1, n, last_ranks);
  mt_release(t);
  t = ranks_tensor(rank, dtype, n);
  CHECK_OK(mt_all_gather(comm, t, &all));
  check_values(all, size, n, gathered);
  RELEASE(t, all);
}

static int nccl_plugin_loaded(void) {
  char line[4096];
  int found = 0;
  FILE* maps = fopen("/proc/self/maps", "r");
  while (maps != NULL && fgets(line, sizeof line, maps) != NULL)
    found |= strstr(line, "libminitensor_dist_nccl.so") != NULL;
  if (maps != NULL) fclose(maps);
  return found;
}

int main(void) {
  int32_t local_rank = 0, gpus = 0;
  char* engine = NULL;
  CHECK_OK(mt_communicator_from_environment(&comm));
  if (comm == NULL) return check_summary("nccl_tensors"); /* the message says why */
  CHECK_OK(mt_communicator_rank(comm, &rank));
  CHECK_OK(mt_communicator_size(comm, &size));
  CHECK_OK(mt_communicator_local_rank(comm, &local_rank));
  CHECK_OK(mt_device_count(MT_DEVICE_CUDA, &gpus));
  if (gpus == 0) {
    fprintf(stderr, "nccl_tensors: no GPU: %s\n", mt_device_unavailable_reason(MT_DEVICE_CUDA));
    return 1;
  }
  device = local_rank % gpus;
  collectives(MT_FLOAT32, 1001);
  collectives(MT_FLOAT64, 1001);
  collectives(MT_FLOAT32, 1 << 22); /* 16 MiB */
  CHECK(nccl_plugin_loaded());
  CHECK_OK(mt_communicator_engine(comm, &engine));
  printf("rank %d of %d on GPU %d: engine %s, NCCL plugin %s\n", (int)rank, (int)size, (int)device,
         engine ? engine : "?", nccl_plugin_loaded() ? "loaded" : "not loaded");
  mt_string_free(engine);
  mt_communicator_release(comm);
  return check_summary("nccl_tensors");
}
