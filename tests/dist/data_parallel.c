/* data_parallel.c: DDP under a launcher (mpirun -np N data_parallel N).
 *
 * G3: every rank starts from another random MLP (so rank 0's parameters must reach every rank)
 * and trains STEPS SGD steps on its block of each global batch, reducing its gradients in
 * several buckets. Every rank also trains the reference itself: one process, from rank 0's
 * initial parameters, running backward on the N blocks in rank order, dividing the
 * accumulated gradients by N, stepping. The parameters must be bitwise the same.
 *
 * With overlap on (buckets reduced by a communication thread during backward) the parameters
 * are again bitwise the reference's: the run is repeated with it forced on (mpirun binds each
 * of a few ranks to one core, so MT_OVERLAP_AUTO leaves it off).
 *
 * G2: rank 0 prints a hash of the trained parameters; runs_repeat.cmake runs the job twice and
 * requires the same hash.
 *
 * Then ranks that pass different parameters (count, shape, dtype) get the error on every rank,
 * naming the first difference, and the communicator stays usable.
 *
 * Run with MINITENSOR_NUM_THREADS: a rank's threads never exceed the CPUs of its affinity mask
 * (mpirun binds each of a few ranks to one core), and the clamp is quiet (the test fails on
 * TBB's warning).
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

enum { IN = 5, HIDDEN = 16, OUT = 3, BLOCK = 4, STEPS = 3, PARAMS = 4 };

static mt_communicator* comm;
static int32_t rank, size;

static mt_mlp* mlp(uint64_t seed, mt_tensor** params) {
  const int64_t sizes[] = {IN, HIDDEN, OUT};
  mt_generator* generator = NULL;
  mt_mlp* model = NULL;
  int32_t i;
  CHECK_OK(mt_generator_create(seed, &generator));
  CHECK_OK(mt_mlp_create(sizes, 3, MT_FLOAT32, generator, &model));
  mt_generator_release(generator);
  for (i = 0; i < PARAMS; ++i)
    CHECK_OK(mt_mlp_parameter(model, i, &params[i]));
  return model;
}

static mt_tensor* randn(int64_t rows, int64_t cols, uint64_t seed) {
  mt_generator* generator = NULL;
  mt_tensor* t = NULL;
  CHECK_OK(mt_generator_create(seed, &generator));
  CHECK_OK(mt_randn(DIMS(rows, cols), MT_FLOAT32, 0, 1, generator, &t));
  mt_generator_release(generator);
  return t;
}

/* backward of the mean squared error of the model on block `block` of (x, y). */
static void backward_on_block(const mt_mlp* model, const mt_tensor* x, const mt_tensor* y,
                              int64_t block) {
  mt_tensor *xb = NULL, *yb = NULL, *out = NULL, *loss = NULL;
  CHECK_OK(mt_narrow(x, 0, block * BLOCK, BLOCK, &xb));
  CHECK_OK(mt_narrow(y, 0, block * BLOCK, BLOCK, &yb));
  CHECK_OK(mt_mlp_forward(model, xb, &out));
  CHECK_OK(mt_mse_loss(out, yb, MT_REDUCTION_MEAN, &loss));
  CHECK_OK(mt_backward(loss, NULL, 0));
  RELEASE(xb, yb, out, loss);
}

static int same_bits(mt_tensor* const* a, mt_tensor* const* b) {
  float x[IN * HIDDEN], y[IN * HIDDEN];
  int64_t numel = 0;
  int32_t i, same = 1;
  for (i = 0; i < PARAMS; ++i) {
    CHECK_OK(mt_numel(a[i], &numel));
    CHECK_OK(mt_to_buffer(a[i], x, MT_FLOAT32, IN * HIDDEN));
    CHECK_OK(mt_to_buffer(b[i], y, MT_FLOAT32, IN * HIDDEN));
    if (memcmp(x, y, (size_t)numel * sizeof(float)) != 0) same = 0;
  }
  return same;
}

/* FNV-1a (64 bits) over the parameters' float32 bytes. */
static uint64_t parameters_hash(mt_tensor* const* params) {
  float values[IN * HIDDEN];
  uint64_t hash = 14695981039346656037ull;
  int64_t numel = 0;
  size_t byte;
  int32_t i;
  for (i = 0; i < PARAMS; ++i) {
    CHECK_OK(mt_numel(params[i], &numel));
    CHECK_OK(mt_to_buffer(params[i], values, MT_FLOAT32, IN * HIDDEN));
    for (byte = 0; byte < (size_t)numel * sizeof(float); ++byte)
      hash = (hash ^ ((const unsigned char*)values)[byte]) * 1099511628211ull;
  }
  return hash;
}

static void g3(mt_overlap_t overlap) {
  mt_tensor *params[PARAMS], *reference_params[PARAMS], *n = NULL, *grad = NULL;
  mt_tensor* x = randn(STEPS * size * BLOCK, IN, 7);
  mt_tensor* y = randn(STEPS * size * BLOCK, OUT, 8);
  mt_mlp* model = mlp(100 + (uint64_t)rank, params);
  mt_mlp* reference = mlp(100, reference_params);
  mt_optimizer *sgd = NULL, *reference_sgd = NULL;
  mt_data_parallel* ddp = NULL;
  int64_t buckets = 0, step;
  int32_t r, i;
  int32_t on = -1;
  check_context(overlap == MT_OVERLAP_ON ? "G3, overlap on" : "G3, overlap off");
  CHECK(rank == 0 || !same_bits(params, reference_params));
  /* 256-byte buckets, in reverse: [b1 (12 bytes), W1 (192)] [b0 (64)] [W0 (320)]. */
  CHECK_OK(mt_data_parallel_create(comm, params, PARAMS, 256, &ddp));
  CHECK_OK(mt_data_parallel_bucket_count(ddp, &buckets));
  CHECK(buckets == 3);
  CHECK_OK(mt_data_parallel_set_overlap(ddp, overlap));
  CHECK_OK(mt_data_parallel_overlap(ddp, &on));
  CHECK(on == (overlap == MT_OVERLAP_ON));
  CHECK(same_bits(params, reference_params));
  CHECK_OK(mt_sgd_create(params, PARAMS, 0.05, 0, 0, 0, &sgd));
  CHECK_OK(mt_sgd_create(reference_params, PARAMS, 0.05, 0, 0, 0, &reference_sgd));
  CHECK_OK(mt_scalar(size, MT_FLOAT32, &n));
  for (step = 0; step < STEPS; ++step) {
    CHECK_OK(mt_optimizer_zero_grad(sgd));
    backward_on_block(model, x, y, step * size + rank);
    CHECK_OK(mt_data_parallel_reduce_gradients(ddp));
    CHECK_OK(mt_optimizer_step(sgd));

    CHECK_OK(mt_optimizer_zero_grad(reference_sgd));
    for (r = 0; r < size; ++r)
      backward_on_block(reference, x, y, step * size + r);
    for (i = 0; i < PARAMS; ++i) {
      CHECK_OK(mt_grad(reference_params[i], &grad));
      CHECK_OK(mt_zip_out(MT_ZIP_DIV, grad, n, grad));
      mt_release(grad);
    }
    CHECK_OK(mt_optimizer_step(reference_sgd));
  }
  CHECK(same_bits(params, reference_params));
  if (rank == 0 && overlap == MT_OVERLAP_OFF)
    printf("parameters hash %016llx\n", (unsigned long long)parameters_hash(params));
  mt_data_parallel_release(ddp);
  mt_optimizer_release(sgd);
  mt_optimizer_release(reference_sgd);
  for (i = 0; i < PARAMS; ++i)
    RELEASE(params[i], reference_params[i]);
  mt_mlp_release(model);
  mt_mlp_release(reference);
  RELEASE(x, y, n);
}

/* Threads stay within the affinity mask; overlap's AUTO is on where that leaves a CPU spare. */
static void threads_follow_affinity(void) {
  cpu_set_t cpus;
  mt_tensor* p = VEC(MT_FLOAT32, 1);
  mt_data_parallel* ddp = NULL;
  int32_t on = -1;
  check_context("threads per rank");
  CHECK(sched_getaffinity(0, sizeof cpus, &cpus) == 0);
  CHECK(mt_num_threads() >= 1 && mt_num_threads() <= CPU_COUNT(&cpus));
  CHECK_OK(mt_data_parallel_create(comm, &p, 1, 0, &ddp));
  CHECK_OK(mt_data_parallel_overlap(ddp, &on));
  CHECK(on == (CPU_COUNT(&cpus) > mt_num_threads()));
  mt_data_parallel_release(ddp);
  mt_release(p);
}

/* Rank 1 passes `theirs` where the others pass `ours`: `status` on every rank, with `message`. */
static void mismatch(mt_tensor* ours, mt_tensor* theirs, int32_t count1, mt_status_t status,
                     const char* message) {
  mt_tensor* params[2];
  mt_data_parallel* ddp = NULL;
  params[0] = params[1] = rank == 1 ? theirs : ours;
  CHECK_ERR(mt_data_parallel_create(comm, params, rank == 1 ? count1 : 1, 0, &ddp), status,
            "mt_data_parallel_create", message);
  CHECK(ddp == NULL);
}

static void mismatches(void) {
  mt_tensor* two = VEC(MT_FLOAT32, 1, 2);
  mt_tensor* three = VEC(MT_FLOAT32, 1, 2, 3);
  mt_tensor* wide = VEC(MT_FLOAT64, 1, 2);
  check_context("mismatched parameters");
  mismatch(two, two, 2, MT_ERR_SHAPE_MISMATCH, "rank 0 has 1 parameters, rank 1 has 2");
  mismatch(two, three, 1, MT_ERR_SHAPE_MISMATCH,
           "parameter 0 is a float32 of shape (2,) on rank 0, a float32 of shape (3,) on rank 1");
  mismatch(two, wide, 1, MT_ERR_DTYPE_MISMATCH,
           "parameter 0 is a float32 of shape (2,) on rank 0, a float64 of shape (2,) on rank 1");
  CHECK_OK(mt_barrier(comm));
  RELEASE(two, three, wide);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: mpirun -np N data_parallel N\n");
    return 2;
  }
  CHECK_OK(mt_communicator_from_environment(&comm));
  CHECK_OK(mt_communicator_rank(comm, &rank));
  CHECK_OK(mt_communicator_size(comm, &size));
  CHECK(size == atoi(argv[1]) && size > 1);
  threads_follow_affinity();
  g3(MT_OVERLAP_OFF);
  g3(MT_OVERLAP_ON);
  mismatches();
  mt_communicator_release(comm);
  return check_summary(rank == 0 ? "data_parallel (rank 0)" : "data_parallel");
}
