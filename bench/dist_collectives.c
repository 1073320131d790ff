/* mt_bench_dist_collectives: minitensor's collectives against raw MPI in one run, under
 * `mpirun -np N mt_bench_dist_collectives [--rounds R] [--max-bytes B]` (bench/dist.py runs it).
 *
 * The program initialises MPI itself (MPI_THREAD_SERIALIZED, as the plugin would), so it also
 * exercises minitensor joining an MPI that somebody else initialised (and leaving it to them to
 * finalise). For each size from 1 KiB to 64 MiB (float32, in place) it times
 *   mpi      MPI_Allreduce(MPI_IN_PLACE, MPI_SUM) on a buffer,
 *   engine   mt_all_reduce(MT_REDUCE_SUM, MT_ALL_REDUCE_ENGINE) on a tensor,
 *   ordered  mt_all_reduce(MT_REDUCE_SUM, MT_ALL_REDUCE_ORDERED) on a tensor,
 *   memcpy   every rank copying the same bytes between two buffers: the floor of a memory-bound
 *            operation on this machine, measured in the same run;
 * then at 1 MiB MPI_Bcast against mt_broadcast (root 0). MPI and minitensor work on the same
 * memory (the tensor is mt_from_blob over MPI's buffer), so that its pages, huge or not, favour
 * neither; the buffers are on huge pages, as minitensor's allocator asks for large tensors'.
 * They hold zeros, so the sums stay zeros however often they repeat. Each round runs every
 * implementation once, in an order that rotates with the round; one sample is a barrier, then
 * `iters` calls back to back (more for small sizes), timed with MPI_Wtime: the time per call, the
 * slowest rank's. Rank 0 prints one JSON line per implementation and size: the median and quartiles
 * over the rounds in us, and the samples in round order (so that bench/dist.py can pair the
 * implementations' samples of a round, taken back to back).
 */
#define _GNU_SOURCE /* madvise's MADV_HUGEPAGE */
#include <minitensor/minitensor.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "timing.h"

#define MIB (1024L * 1024L)

static const long kSizes[] = {1024, 4096, 64 * 1024, 256 * 1024, MIB, 4 * MIB, 64 * MIB};
enum { kSizeCount = sizeof kSizes / sizeof kSizes[0], kMaxImpls = 4 };

/* What one implementation works on: a plain buffer (and a second one for memcpy) and a tensor
 * over it. */
typedef struct work {
  float* buffer;
  float* copy;
  mt_tensor* tensor;
  long count;
  mt_communicator* comm;
} work;

typedef void (*impl_fn)(work* w);

typedef struct impl {
  const char* name;
  impl_fn run;
} impl;

static void fail(const char* what) {
  fprintf(stderr, "mt_bench_dist_collectives: %s\n", what);
  MPI_Abort(MPI_COMM_WORLD, 1);
}

static void check_mt(mt_status_t status) {
  if (status != MT_OK) fail(mt_last_error());
}

static void check_mpi(int code) {
  if (code != MPI_SUCCESS) fail("an MPI call failed");
}

static void mpi_all_reduce(work* w) {
  check_mpi(
      MPI_Allreduce(MPI_IN_PLACE, w->buffer, (int)w->count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD));
}

static void engine_all_reduce(work* w) {
  check_mt(mt_all_reduce(w->comm, w->tensor, MT_REDUCE_SUM, MT_ALL_REDUCE_ENGINE));
}

static void ordered_all_reduce(work* w) {
  check_mt(mt_all_reduce(w->comm, w->tensor, MT_REDUCE_SUM, MT_ALL_REDUCE_ORDERED));
}

static void copy(work* w) { memcpy(w->copy, w->buffer, (size_t)w->count * sizeof(float)); }

static void mpi_broadcast(work* w) {
  check_mpi(MPI_Bcast(w->buffer, (int)w->count, MPI_FLOAT, 0, MPI_COMM_WORLD));
}

static void mt_broadcast_root0(work* w) { check_mt(mt_broadcast(w->comm, w->tensor, 0)); }

/* Zeros on huge pages where the kernel grants them (2 MiB aligned, MADV_HUGEPAGE). */
static float* huge_zeros(long bytes) {
  void* p = NULL;
  if (posix_memalign(&p, 2 * MIB, (size_t)bytes) != 0) fail("out of memory");
  madvise(p, (size_t)bytes, MADV_HUGEPAGE);
  memset(p, 0, (size_t)bytes); /* first touches outside the timing */
  return p;
}

/* The q-quantile of sorted values, by the nearest rank. */
static double quantile(const double* sorted, int n, double q) {
  return sorted[(int)(q * (n - 1) + 0.5)];
}

/* Calls back to back per sample: enough that a sample of a small size lasts about a
 * millisecond, at least 2 so that the barrier's skew is shared. */
static int iterations(long bytes) {
  const long iters = 4 * MIB / bytes;
  return iters > 1000 ? 1000 : iters < 2 ? 2 : (int)iters;
}

/* Times `count` implementations on `w` over `rounds` rounds and prints them (rank 0). */
static void time_impls(const char* op, work* w, const impl* impls, int count, int rounds, int rank,
                       int size) {
  const long bytes = w->count * (long)sizeof(float);
  const int iters = iterations(bytes);
  double* samples = malloc(sizeof(double) * (size_t)(rounds * (count + 1)));
  double* sorted = samples + rounds * count;
  int r, k, i;
  if (!samples) fail("out of memory");
  for (i = 0; i < count; ++i)
    impls[i].run(w); /* warm-up: first touches, the engines' first use of a size */
  for (r = 0; r < rounds; ++r) {
    for (k = 0; k < count; ++k) {
      const int at = (r + k) % count;
      double start, elapsed;
      check_mpi(MPI_Barrier(MPI_COMM_WORLD));
      start = MPI_Wtime();
      for (i = 0; i < iters; ++i)
        impls[at].run(w);
      elapsed = (MPI_Wtime() - start) / iters;
      check_mpi(MPI_Allreduce(MPI_IN_PLACE, &elapsed, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD));
      samples[at * rounds + r] = elapsed * 1e6;
    }
  }
  for (k = 0; rank == 0 && k < count; ++k) {
    const double* s = samples + k * rounds;
    memcpy(sorted, s, sizeof(double) * (size_t)rounds);
    qsort(sorted, (size_t)rounds, sizeof *sorted, ascending);
    printf(
        "{\"op\": \"%s\", \"impl\": \"%s\", \"ranks\": %d, \"bytes\": %ld, \"iters\": %d, "
        "\"rounds\": %d, \"median_us\": %.6g, \"q1_us\": %.6g, \"q3_us\": %.6g, "
        "\"samples_us\": [",
        op, impls[k].name, size, bytes, iters, rounds, quantile(sorted, rounds, 0.5),
        quantile(sorted, rounds, 0.25), quantile(sorted, rounds, 0.75));
    for (r = 0; r < rounds; ++r)
      printf("%s%.6g", r ? ", " : "", s[r]);
    printf("]}\n");
  }
  fflush(stdout);
  free(samples);
}

/* Times the implementations at `bytes` on a tensor over the shared buffer. */
static void time_size(const char* op, long bytes, work* shared, const impl* impls, int count,
                      int rounds, int rank, int size) {
  work w = *shared;
  const int64_t shape[1] = {bytes / (long)sizeof(float)};
  w.count = shape[0];
  check_mt(mt_from_blob(w.buffer, MT_FLOAT32, shape, NULL, 1, NULL, NULL, &w.tensor));
  time_impls(op, &w, impls, count, rounds, rank, size);
  mt_release(w.tensor);
}

static void usage(void) {
  fprintf(stderr,
          "usage: mpirun -np N mt_bench_dist_collectives [--rounds R (default 15)] "
          "[--max-bytes B (default 64 MiB)]\n");
}

int main(int argc, char** argv) {
  static const impl all_reduce[kMaxImpls] = {{"mpi", mpi_all_reduce},
                                             {"engine", engine_all_reduce},
                                             {"ordered", ordered_all_reduce},
                                             {"memcpy", copy}};
  static const impl broadcast[2] = {{"mpi", mpi_broadcast}, {"minitensor", mt_broadcast_root0}};
  char version[MPI_MAX_LIBRARY_VERSION_STRING], *engine = NULL;
  int rounds = 15, provided = 0, rank = 0, size = 0, length = 0, i;
  long max_bytes = 64 * MIB;
  work shared = {NULL, NULL, NULL, 0, NULL};
  for (i = 1; i < argc; ++i) {
    if (i + 1 < argc && strcmp(argv[i], "--rounds") == 0) {
      rounds = atoi(argv[++i]);
    } else if (i + 1 < argc && strcmp(argv[i], "--max-bytes") == 0) {
      max_bytes = atol(argv[++i]);
    } else {
      usage();
      return 2;
    }
  }
  if (rounds < 1 || max_bytes < MIB) {
    fprintf(stderr,
            "mt_bench_dist_collectives: --rounds %d must be >= 1 and --max-bytes %ld >= "
            "1 MiB\n",
            rounds, max_bytes);
    return 2;
  }

  check_mpi(MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided));
  check_mpi(MPI_Comm_rank(MPI_COMM_WORLD, &rank));
  check_mpi(MPI_Comm_size(MPI_COMM_WORLD, &size));
  check_mt(mt_communicator_from_environment(&shared.comm));
  check_mt(mt_communicator_engine(shared.comm, &engine));
  check_mpi(MPI_Get_library_version(version, &length));
  version[strcspn(version, ",\n")] = '\0'; /* "Open MPI v4.1.4" */
  if (rank == 0)
    printf(
        "{\"meta\": {\"ranks\": %d, \"mpi\": \"%s\", \"engine\": \"%s\", \"threads\": %d, "
        "\"rounds\": %d}}\n",
        size, version, engine, mt_num_threads(), rounds);
  mt_string_free(engine);

  shared.buffer = huge_zeros(max_bytes);
  shared.copy = huge_zeros(max_bytes);
  for (i = 0; i < kSizeCount && kSizes[i] <= max_bytes; ++i)
    time_size("all_reduce", kSizes[i], &shared, all_reduce, kMaxImpls, rounds, rank, size);
  time_size("broadcast", MIB, &shared, broadcast, 2, rounds, rank, size);

  free(shared.copy);
  free(shared.buffer);
  mt_communicator_release(shared.comm);
  check_mpi(MPI_Finalize());
  return 0;
}
