/* collectives.c: the collectives under a launcher, each rank checking against a reference it
 * computes itself (every rank's contribution is a seeded random tensor, so any rank can make
 * all of them). Sizes 0, 1, odd and up to 4 MiB, float32 and float64, contiguous tensors and
 * strided views (every other column, transposed), every reduce op in both modes. The ordered
 * all-reduce must give the reference's bits (a fold in rank order) on every rank; the engine's
 * MPI_Allreduce agrees to rounding. The sharded sampler's blocks, gathered, must be the global
 * batch of a world of one. Last, ranks calling different collectives get the mismatch
 * status, and then the communicator refuses further use.
 *
 *   mpirun -np N collectives N     under a launcher of N ranks
 *   collectives alone              without one: a world of one, and no MPI in the process
 *   collectives refused S M        joining the world fails with status S and a message that
 *                                  contains M (a plugin of another table version, a bad
 *                                  MINITENSOR_DIST_* variable, NCCL without a GPU); exits 77
 *                                  (skipped) with M "no usable GPU" where a GPU is present
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static mt_communicator* comm;
static int32_t rank, size;
static char context[160];

/* The float64 values of t, in row-major order, in a malloc'd buffer (count in *numel). */
static double* values_of(const mt_tensor* t, int64_t* numel) {
  double* values;
  CHECK_OK(mt_numel(t, numel));
  values = malloc((size_t)(*numel + 1) * sizeof(double));
  CHECK_OK(mt_to_buffer(t, values, MT_FLOAT64, *numel));
  return values;
}

/* Rank r's contribution to test `test`: standard normal values of shape (rows, cols), or, when
 * strided, the even columns of a (rows, 2 * cols) tensor, transposed. *base is the tensor that
 * holds the memory (the view itself when not strided). */
static mt_tensor* contribution(int test, int32_t r, mt_dtype_t dtype, int64_t rows, int64_t cols,
                               int strided, mt_tensor** base) {
  mt_generator* generator = NULL;
  mt_tensor* even = NULL;
  mt_tensor* view = NULL;
  CHECK_OK(mt_generator_create((uint64_t)test * 1000 + (uint64_t)r, &generator));
  CHECK_OK(mt_randn(DIMS(rows, strided ? 2 * cols : cols), dtype, 0, 1, generator, base));
  mt_generator_release(generator);
  if (!strided) {
    CHECK_OK(mt_retain(*base));
    return *base;
  }
  CHECK_OK(mt_slice(*base, 1, 0, 2 * cols, 2, &even));
  CHECK_OK(mt_transpose(even, 0, 1, &view));
  mt_release(even);
  return view;
}

static double combine(mt_reduce_op_t op, double acc, double x) {
  switch (op) {
    case MT_REDUCE_SUM: return acc + x;
    case MT_REDUCE_PROD: return acc * x;
    case MT_REDUCE_MAX: return x > acc ? x : acc;
    default: return x < acc ? x : acc;
  }
}

/* The ordered all-reduce's result: every rank's contribution folded in rank order, rounded to
 * `dtype` after every step (float arithmetic for float32). */
static double* reference(int test, mt_reduce_op_t op, mt_dtype_t dtype, int64_t rows, int64_t cols,
                         int strided) {
  double* acc = NULL;
  int32_t r;
  int64_t numel = 0, i;
  for (r = 0; r < size; ++r) {
    mt_tensor* base = NULL;
    mt_tensor* part = contribution(test, r, dtype, rows, cols, strided, &base);
    double* x = values_of(part, &numel);
    if (r == 0) {
      acc = x;
    } else {
      for (i = 0; i < numel; ++i)
        acc[i] = dtype == MT_FLOAT32 ? (double)(float)combine(op, (float)acc[i], (float)x[i])
                                     : combine(op, acc[i], x[i]);
      free(x);
    }
    RELEASE(part, base);
  }
  return acc;
}

/* Whether every rank holds the same bits of t: the all-gathered rows against this rank's. */
static int same_on_every_rank(const mt_tensor* t) {
  mt_tensor* gathered = NULL;
  double* all;
  double* mine;
  int64_t numel = 0, total = 0, r;
  int same = 1;
  mine = values_of(t, &numel);
  CHECK_OK(mt_all_gather(comm, t, &gathered));
  all = values_of(gathered, &total);
  CHECK(total == numel * size);
  for (r = 0; r < size && total == numel * size; ++r)
    same &= memcmp(all + r * numel, mine, (size_t)numel * sizeof(double)) == 0;
  free(all);
  free(mine);
  mt_release(gathered);
  return same;
}

/* The odd columns of a strided contribution's base, which a collective must leave alone. */
static int odd_columns_kept(int test, mt_dtype_t dtype, int64_t rows, int64_t cols,
                            const mt_tensor* base) {
  mt_tensor* fresh_base = NULL;
  mt_tensor* fresh = contribution(test, rank, dtype, rows, cols, 1, &fresh_base);
  int64_t numel = 0, i;
  double* now = values_of(base, &numel);
  double* before = values_of(fresh_base, &numel);
  int kept = 1;
  for (i = 1; i < numel; i += 2)
    kept &= now[i] == before[i];
  free(now);
  free(before);
  RELEASE(fresh, fresh_base);
  return kept;
}

static void all_reduce_case(int test, mt_reduce_op_t op, mt_all_reduce_mode_t mode,
                            mt_dtype_t dtype, int64_t rows, int64_t cols, int strided) {
  mt_tensor* base = NULL;
  mt_tensor* t = contribution(test, rank, dtype, rows, cols, strided, &base);
  double* expected = reference(test, op, dtype, rows, cols, strided);
  double* got;
  int64_t numel = 0, i;
  snprintf(context, sizeof context, "rank %d: all_reduce op %d mode %d dtype %d (%lld, %lld)%s",
           (int)rank, (int)op, (int)mode, (int)dtype, (long long)rows, (long long)cols,
           strided ? " strided" : "");
  check_context(context);
  CHECK_OK(mt_all_reduce(comm, t, op, mode));
  got = values_of(t, &numel);
  if (mode == MT_ALL_REDUCE_ORDERED) {
    CHECK(memcmp(got, expected, (size_t)numel * sizeof(double)) == 0);
    CHECK(same_on_every_rank(t));
  } else {
    const double tolerance = dtype == MT_FLOAT32 ? 1e-5 : 1e-12;
    int close = 1;
    for (i = 0; i < numel; ++i) {
      const double scale = (expected[i] < 0 ? -expected[i] : expected[i]) + 1;
      const double error = got[i] - expected[i];
      close &= (error < 0 ? -error : error) <= tolerance * scale;
    }
    CHECK(close);
  }
  if (strided) CHECK(odd_columns_kept(test, dtype, rows, cols, base));
  free(got);
  free(expected);
  RELEASE(t, base);
}

static void broadcast_case(int test, mt_dtype_t dtype, int64_t rows, int64_t cols, int strided) {
  mt_tensor* base = NULL;
  mt_tensor* root_base = NULL;
  mt_tensor* t = contribution(test, rank, dtype, rows, cols, strided, &base);
  mt_tensor* root_part = contribution(test, size - 1, dtype, rows, cols, strided, &root_base);
  int64_t numel = 0;
  double *got, *expected;
  snprintf(context, sizeof context, "rank %d: broadcast dtype %d (%lld, %lld)%s", (int)rank,
           (int)dtype, (long long)rows, (long long)cols, strided ? " strided" : "");
  check_context(context);
  CHECK_OK(mt_broadcast(comm, t, size - 1));
  got = values_of(t, &numel);
  expected = values_of(root_part, &numel);
  CHECK(memcmp(got, expected, (size_t)numel * sizeof(double)) == 0);
  if (strided) CHECK(odd_columns_kept(test, dtype, rows, cols, base));
  free(got);
  free(expected);
  RELEASE(t, base, root_part, root_base);
}

static void all_gather_case(int test, mt_dtype_t dtype, int64_t rows, int64_t cols, int strided) {
  mt_tensor* base = NULL;
  mt_tensor* t = contribution(test, rank, dtype, rows, cols, strided, &base);
  mt_tensor* gathered = NULL;
  int64_t numel = 0, total = 0;
  int32_t r;
  double* all;
  snprintf(context, sizeof context, "rank %d: all_gather dtype %d (%lld, %lld)%s", (int)rank,
           (int)dtype, (long long)rows, (long long)cols, strided ? " strided" : "");
  check_context(context);
  CHECK_OK(mt_all_gather(comm, t, &gathered));
  CHECK_SHAPE(gathered, DIMS(size, strided ? cols : rows, strided ? rows : cols));
  all = values_of(gathered, &total);
  for (r = 0; r < size; ++r) {
    mt_tensor* part_base = NULL;
    mt_tensor* part = contribution(test, r, dtype, rows, cols, strided, &part_base);
    double* expected = values_of(part, &numel);
    CHECK(total == numel * size &&
          memcmp(all + r * numel, expected, (size_t)numel * sizeof(double)) == 0);
    free(expected);
    RELEASE(part, part_base);
  }
  free(all);
  RELEASE(t, base, gathered);
}

static void collectives(void) {
  /* (rows, cols): no element, one, an odd count, about 1000, an odd count over the 64 KiB from
   * which the ordered all-reduce scatters slices rather than gathering everything, and 4 MiB of
   * float32 / float64. */
  static const int64_t shapes[][2] = {{0, 3}, {1, 1}, {1, 7}, {7, 143}, {127, 131}, {1024, 1024}};
  const int large = sizeof shapes / sizeof shapes[0] - 1;
  int test = 0, s, strided;
  mt_dtype_t dtype;
  mt_reduce_op_t op;
  mt_all_reduce_mode_t mode;
  for (dtype = MT_FLOAT32; dtype <= MT_FLOAT64; ++dtype)
    for (s = 0; s <= large; ++s)
      for (strided = 0; strided <= 1; ++strided) {
        const int64_t rows = s == large && dtype == MT_FLOAT64 ? 512 : shapes[s][0];
        const int64_t cols = shapes[s][1];
        for (op = MT_REDUCE_SUM; op <= (s == large ? MT_REDUCE_SUM : MT_REDUCE_MIN); ++op)
          for (mode = MT_ALL_REDUCE_ORDERED; mode <= MT_ALL_REDUCE_ENGINE; ++mode)
            all_reduce_case(++test, op, mode, dtype, rows, cols, strided);
        broadcast_case(++test, dtype, rows, cols, strided);
        all_gather_case(++test, dtype, rows, cols, strided);
      }
  check_context("barrier");
  CHECK_OK(mt_barrier(comm));
}

/* The sampler under the launcher: the ranks' blocks of a step, gathered in rank order, are the
 * global batch of a world of one, on every rank. */
static void sharded_sampler(void) {
  enum { DATASET = 1000, GLOBAL_BATCH = 24 };
  mt_sampler* mine = NULL;
  mt_sampler* whole = NULL;
  mt_tensor* block = NULL;
  mt_tensor* gathered = NULL;
  int64_t local = 0, steps = 0, step, i, indices[GLOBAL_BATCH], numel = 0;
  double values[GLOBAL_BATCH];
  double* got;
  check_context("sampler");
  CHECK_OK(mt_sampler_create(DATASET, GLOBAL_BATCH, size, rank, 11, &mine));
  CHECK_OK(mt_sampler_create(DATASET, GLOBAL_BATCH, 1, 0, 11, &whole));
  CHECK_OK(mt_sampler_local_batch(mine, &local));
  CHECK_OK(mt_sampler_steps(mine, &steps));
  CHECK(local * size == GLOBAL_BATCH && steps == DATASET / GLOBAL_BATCH);
  CHECK_OK(mt_sampler_set_epoch(mine, 5));
  CHECK_OK(mt_sampler_set_epoch(whole, 5));
  for (step = 0; step < steps; step += 10) {
    CHECK_OK(mt_sampler_indices(mine, step, indices, local));
    for (i = 0; i < local; ++i)
      values[i] = (double)indices[i];
    CHECK_OK(mt_from_buffer(values, MT_FLOAT64, local, DIMS(local), MT_FLOAT64, &block));
    CHECK_OK(mt_all_gather(comm, block, &gathered));
    got = values_of(gathered, &numel);
    CHECK_OK(mt_sampler_indices(whole, step, indices, GLOBAL_BATCH));
    CHECK(numel == GLOBAL_BATCH);
    for (i = 0; i < numel && i < GLOBAL_BATCH; ++i)
      CHECK(got[i] == (double)indices[i]);
    free(got);
    RELEASE(block, gathered);
  }
  mt_sampler_release(mine);
  mt_sampler_release(whole);
}

/* Rank 1 reduces a tensor of another shape: every rank gets the mismatch status, naming rank 1
 * (and in the debug mode both calls); the communicator is then unusable. */
static void mismatch(void) {
  mt_tensor* t = NULL;
  const char* debug = getenv("MINITENSOR_DIST_DEBUG");
  check_context("mismatch");
  CHECK_OK(mt_zeros(DIMS(rank == 1 ? 3 : 2), MT_FLOAT32, &t));
  if (debug != NULL && strcmp(debug, "1") == 0)
    CHECK_ERR(mt_all_reduce(comm, t, MT_REDUCE_SUM, MT_ALL_REDUCE_ORDERED),
              MT_ERR_COLLECTIVE_MISMATCH, "mt_all_reduce", "ranks called different collectives",
              "rank 0 all_reduce #", "shape (2,)", "rank 1 all_reduce #", "shape (3,)");
  else
    CHECK_ERR(mt_all_reduce(comm, t, MT_REDUCE_SUM, MT_ALL_REDUCE_ORDERED),
              MT_ERR_COLLECTIVE_MISMATCH, "mt_all_reduce", "ranks called different collectives",
              "rank 1's call #", "differs from rank 0's call #",
              rank == 1 ? "shape (3,)" : "shape (2,)", "MINITENSOR_DIST_DEBUG=1");
  CHECK_ERR(mt_barrier(comm), MT_ERR_COLLECTIVE_FAILED, "mt_barrier",
            "unusable after an earlier failure");
  mt_release(t);
}

static void check_engine(const char* expected) {
  char* engine = NULL;
  CHECK_OK(mt_communicator_engine(comm, &engine));
  CHECK_STR(engine, expected);
  mt_string_free(engine);
}

/* Without a launcher: a world of one, and neither the plugin nor MPI in the process. */
static void alone(void) {
  char line[4096];
  FILE* maps = fopen("/proc/self/maps", "r");
  CHECK(size == 1 && rank == 0);
  check_engine("none");
  CHECK(maps != NULL);
  while (maps != NULL && fgets(line, sizeof line, maps) != NULL)
    if (strstr(line, "libmpi") != NULL || strstr(line, "minitensor_dist") != NULL)
      CHECK(!"an MPI library is loaded");
  if (maps != NULL) fclose(maps);
}

int main(int argc, char** argv) {
  int32_t local_rank = -1;
  if (argc == 4 && strcmp(argv[1], "refused") == 0) {
    if (strstr(argv[3], "no usable GPU") != NULL && access("/dev/nvidiactl", F_OK) == 0) return 77;
    CHECK_ERR_OUT_TYPED(mt_communicator*, mt_communicator_from_environment(OUT),
                        (mt_status_t)atoi(argv[2]), "mt_communicator_from_environment", argv[3]);
    return check_summary("collectives refused");
  }
  if (argc != 2) {
    fprintf(stderr, "usage: collectives N | alone | refused STATUS MESSAGE\n");
    return 2;
  }
  CHECK_OK(mt_communicator_from_environment(&comm));
  CHECK_OK(mt_communicator_rank(comm, &rank));
  CHECK_OK(mt_communicator_size(comm, &size));
  if (strcmp(argv[1], "alone") == 0) {
    alone();
  } else {
    CHECK(size == atoi(argv[1]));
    check_engine("mpi");
    CHECK_OK(mt_communicator_local_rank(comm, &local_rank));
    CHECK(local_rank >= 0 && local_rank < size);
    collectives();
    sharded_sampler();
    if (size > 1) mismatch();
  }
  mt_communicator_release(comm);
  return check_summary(rank == 0 ? "collectives (rank 0)" : "collectives");
}
