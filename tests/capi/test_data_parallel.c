/* test_data_parallel.c: data parallelism in a world of one (the average over one rank is the
 * gradient itself; a parameter without one gets zeros), its buckets, no_sync, overlap (the
 * gradient-ready hooks and the communication thread: also run under TSan), and the checks of
 * its values (NULLs and handle misuse: test_null_args.c, test_handles.c). Over several ranks
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

/* backward of sum(w * w) + sum(v * v): w's gradient 2 w, v's 2 v. */
static void backward_of_squares(mt_tensor* w, mt_tensor* v) {
  mt_tensor *ww = NULL, *vv = NULL, *sw = NULL, *sv = NULL, *loss = NULL;
  CHECK_OK(mt_zip(MT_ZIP_MUL, w, w, &ww));
  CHECK_OK(mt_zip(MT_ZIP_MUL, v, v, &vv));
  CHECK_OK(mt_reduce(MT_REDUCE_SUM, ww, NULL, 0, 0, &sw));
  CHECK_OK(mt_reduce(MT_REDUCE_SUM, vv, NULL, 0, 0, &sv));
  CHECK_OK(mt_zip(MT_ZIP_ADD, sw, sv, &loss));
  CHECK_OK(mt_backward(loss, NULL, 0));
  RELEASE(ww, vv, sw, sv, loss);
}

static void zero_grads(mt_tensor* w, mt_tensor* v, mt_tensor* b) {
  CHECK_OK(mt_zero_grad(w));
  CHECK_OK(mt_zero_grad(v));
  CHECK_OK(mt_zero_grad(b));
}

/* w's, v's and b's gradients are k times 2 w, k times 2 v, and zeros. */
static void check_grads(mt_tensor* w, mt_tensor* v, mt_tensor* b, double k) {
  mt_tensor* grad = NULL;
  CHECK_OK(mt_grad(w, &grad));
  CHECK_TENSOR(grad, DIMS(3), VALUES(2 * k, 4 * k, 6 * k));
  mt_release(grad);
  CHECK_OK(mt_grad(v, &grad));
  CHECK_TENSOR(grad, DIMS(2), VALUES(8 * k, 10 * k));
  mt_release(grad);
  CHECK_OK(mt_grad(b, &grad));
  CHECK_TENSOR(grad, DIMS(1), VALUES(0));
  mt_release(grad);
}

/* Overlap in a world of one: AUTO leaves it off (nothing to overlap with), ON runs the hooks
 * and the communication thread. The gradients are those without it, in every bucket: one
 * reduced during backward, one whose parameter got no gradient (b: zeros), after two backwards
 * (reduced again), after no_sync. */
static void overlap(mt_communicator* comm) {
  mt_tensor* w = VEC(MT_FLOAT32, 1, 2, 3);
  mt_tensor* v = VEC(MT_FLOAT32, 4, 5);
  mt_tensor* b = VEC(MT_FLOAT64, 6);
  mt_tensor* params[3];
  mt_data_parallel* ddp = NULL;
  int32_t on = -1, mode;
  params[0] = w;
  params[1] = v;
  params[2] = b;
  CHECK_OK(mt_set_requires_grad(w, 1));
  CHECK_OK(mt_set_requires_grad(v, 1));
  CHECK_OK(mt_set_requires_grad(b, 1));
  CHECK_OK(mt_data_parallel_create(comm, params, 3, 8, &ddp)); /* buckets [b] [v] [w] */
  CHECK_OK(mt_data_parallel_overlap(ddp, &on));
  CHECK(on == 0);
  for (mode = MT_OVERLAP_OFF; mode <= MT_OVERLAP_ON; ++mode) {
    check_context(mode == MT_OVERLAP_ON ? "overlap on" : "overlap off");
    CHECK_OK(mt_data_parallel_set_overlap(ddp, mode));
    CHECK_OK(mt_data_parallel_overlap(ddp, &on));
    CHECK(on == (mode == MT_OVERLAP_ON));
    zero_grads(w, v, b);
    backward_of_squares(w, v);
    CHECK_OK(mt_data_parallel_reduce_gradients(ddp));
    check_grads(w, v, b, 1);
    /* Two backwards, one reduction. */
    zero_grads(w, v, b);
    backward_of_squares(w, v);
    backward_of_squares(w, v);
    CHECK_OK(mt_data_parallel_reduce_gradients(ddp));
    check_grads(w, v, b, 2);
    /* Accumulation under no_sync, then a backward that reduces. */
    zero_grads(w, v, b);
    CHECK_OK(mt_data_parallel_set_no_sync(ddp, 1));
    backward_of_squares(w, v);
    CHECK_OK(mt_data_parallel_reduce_gradients(ddp));
    CHECK_OK(mt_data_parallel_set_no_sync(ddp, 0));
    backward_of_squares(w, v);
    CHECK_OK(mt_data_parallel_reduce_gradients(ddp));
    check_grads(w, v, b, 2);
  }
  check_context(NULL);
  CHECK_ERR(mt_data_parallel_set_overlap(ddp, 3), MT_ERR_INVALID_ARGUMENT,
            "mt_data_parallel_set_overlap", "overlap mode 3 is not auto (0), off (1) or on (2)");
  CHECK_OK(mt_data_parallel_set_overlap(ddp, MT_OVERLAP_AUTO));
  CHECK_OK(mt_data_parallel_overlap(ddp, &on));
  CHECK(on == 0);
  /* Released right after a backward: the thread is joined, the hooks removed. */
  CHECK_OK(mt_data_parallel_set_overlap(ddp, MT_OVERLAP_ON));
  backward_of_squares(w, v);
  mt_data_parallel_release(ddp);
  backward_of_squares(w, v);
  RELEASE(w, v, b);
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
  /* The default on CPU is 2 MiB: two float32 parameters of 1 MiB fill one bucket, a third byte
   * more opens another. */
  CHECK_OK(mt_zeros(DIMS(1 << 18), MT_FLOAT32, &params[0]));
  CHECK_OK(mt_zeros(DIMS(1 << 18), MT_FLOAT32, &params[1]));
  CHECK_OK(mt_zeros(DIMS(1), MT_FLOAT32, &params[2]));
  CHECK_OK(mt_data_parallel_create(comm, params, 2, 0, &ddp));
  CHECK_OK(mt_data_parallel_bucket_count(ddp, &count));
  CHECK(count == 1);
  mt_data_parallel_release(ddp);
  CHECK_OK(mt_data_parallel_create(comm, params, 3, 0, &ddp));
  CHECK_OK(mt_data_parallel_bucket_count(ddp, &count));
  CHECK(count == 2);
  mt_data_parallel_release(ddp);
  RELEASE(params[0], params[1], params[2]);
}

static void argument_errors(mt_communicator* comm) {
  mt_tensor* params[1];
  mt_data_parallel* ddp = NULL;
  params[0] = VEC(MT_FLOAT32, 1);
  CHECK_ERR(mt_data_parallel_create(comm, params, -1, 0, &ddp), MT_ERR_INVALID_ARGUMENT,
            "mt_data_parallel_create", "negative count -1 of params");
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
  overlap(comm);
  argument_errors(comm);
  mt_communicator_release(comm);
}
