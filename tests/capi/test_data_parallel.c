/* test_data_parallel.c: data parallelism in a world of one (the average over one rank is the
 * gradient itself; a parameter without one gets zeros), its buckets, no_sync, and the checks
 * of its values (NULLs and handle misuse: test_null_args.c, test_handles.c). Over several ranks
 * (G3, mismatched parameters), see tests/dist/data_parallel.c. */
#include "check.h"
#include "suites.h"

static void world_of_one(mt_communicator* comm) {
  mt_tensor* w = VEC(MT_FLOAT32, 1, 2, 3);
  mt_tensor* b = VEC(MT_FLOAT64, 4);
  mt_tensor* params[2];
  mt_tensor* loss = NULL;
  mt_tensor* grad = NULL;
  mt_data_parallel* ddp = NULL;
  int64_t buckets = 0;
  params[0] = w;
  params[1] = b;
  CHECK_OK(mt_set_requires_grad(w, 1));
  CHECK_OK(mt_set_requires_grad(b, 1));
  /* 12 bytes of float32 and 8 of float64: a bucket per dtype, whatever the bucket size. */
  CHECK_OK(mt_data_parallel_create(comm, params, 2, 0, &ddp));
  CHECK_OK(mt_data_parallel_bucket_count(ddp, &buckets));
  CHECK(buckets == 2);
  CHECK_TENSOR(w, DIMS(3), VALUES(1, 2, 3));
  CHECK_OK(mt_reduce(MT_REDUCE_SUM, w, NULL, 0, 0, &loss));
  CHECK_OK(mt_backward(loss, NULL, 0));
  CHECK_OK(mt_data_parallel_reduce_gradients(ddp));
  CHECK_OK(mt_grad(w, &grad));
  CHECK_TENSOR(grad, DIMS(3), VALUES(1, 1, 1));
  mt_release(grad);
  CHECK_OK(mt_grad(b, &grad));
  CHECK_TENSOR(grad, DIMS(1), VALUES(0));
  mt_release(grad);
  /* no_sync: the reduction leaves the gradients alone (here: b has none again). */
  CHECK_OK(mt_zero_grad(b));
  CHECK_OK(mt_data_parallel_set_no_sync(ddp, 1));
  CHECK_OK(mt_data_parallel_reduce_gradients(ddp));
  CHECK_OK(mt_grad(b, &grad));
  CHECK(grad == NULL);
  CHECK_OK(mt_data_parallel_set_no_sync(ddp, 0));
  mt_data_parallel_release(ddp);
  RELEASE(w, b, loss);
}

/* Buckets fill in reverse order and close before overflowing: float32 parameters of 3, 1, 2 and
 * 2 elements in buckets of 12 bytes are [p3] [p2, p1] [p0], in buckets of 16 [p3, p2] [p1, p0].
 */
static void buckets(mt_communicator* comm) {
  mt_tensor* params[4];
  mt_data_parallel* ddp = NULL;
  int64_t count = 0;
  params[0] = VEC(MT_FLOAT32, 1, 2, 3);
  params[1] = VEC(MT_FLOAT32, 1);
  params[2] = VEC(MT_FLOAT32, 1, 2);
  params[3] = VEC(MT_FLOAT32, 1, 2);
  CHECK_OK(mt_data_parallel_create(comm, params, 4, 12, &ddp));
  CHECK_OK(mt_data_parallel_bucket_count(ddp, &count));
  CHECK(count == 3);
  mt_data_parallel_release(ddp);
  CHECK_OK(mt_data_parallel_create(comm, params, 4, 16, &ddp));
  CHECK_OK(mt_data_parallel_bucket_count(ddp, &count));
  CHECK(count == 2);
  mt_data_parallel_release(ddp);
  RELEASE(params[0], params[1], params[2], params[3]);
}

static void argument_errors(mt_communicator* comm) {
  mt_tensor* params[1];
  mt_data_parallel* ddp = NULL;
  params[0] = VEC(MT_FLOAT32, 1);
  CHECK_ERR(mt_data_parallel_create(comm, params, -1, 0, &ddp), MT_ERR_INVALID_ARGUMENT,
            "mt_data_parallel_create", "negative parameter count -1");
  CHECK_ERR(mt_data_parallel_create(comm, params, 1, -5, &ddp), MT_ERR_INVALID_ARGUMENT,
            "bucket_bytes -5 is negative");
  CHECK(ddp == NULL);
  mt_release(params[0]);
}

void test_data_parallel(void) {
  mt_communicator* comm = NULL;
  CHECK_OK(mt_communicator_from_environment(&comm));
  world_of_one(comm);
  buckets(comm);
  argument_errors(comm);
  mt_communicator_release(comm);
}
