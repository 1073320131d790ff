/* test_dist.c: communicators without a launcher (a world of one: nothing loaded, collectives
 * leave tensors as they are) and the collectives' checks of their values (NULLs and handle
 * misuse: test_null_args.c, test_handles.c). Under mpirun, see tests/dist. */
#include <math.h>
#include <stddef.h>

#include "check.h"
#include "suites.h"

static void world_of_one(mt_communicator* comm) {
  int32_t value = -1;
  char* engine = NULL;
  CHECK_OK(mt_communicator_rank(comm, &value));
  CHECK(value == 0);
  CHECK_OK(mt_communicator_size(comm, &value));
  CHECK(value == 1);
  CHECK_OK(mt_communicator_local_rank(comm, &value));
  CHECK(value == 0);
  CHECK_OK(mt_communicator_engine(comm, &engine));
  CHECK_STR(engine, "none");
  mt_string_free(engine);
}

/* The timeout is the handle's: 300 s unless MINITENSOR_DIST_TIMEOUT says otherwise. */
static void timeouts(void) {
  mt_communicator* comm = NULL;
  mt_communicator* other = NULL;
  double seconds = 0;
  CHECK_OK(mt_communicator_from_environment(&comm));
  CHECK_OK(mt_communicator_from_environment(&other));
  CHECK_OK(mt_communicator_timeout(comm, &seconds));
  CHECK(seconds == 300);
  CHECK_OK(mt_communicator_set_timeout(comm, 2.5));
  CHECK_OK(mt_communicator_timeout(comm, &seconds));
  CHECK(seconds == 2.5);
  CHECK_OK(mt_communicator_timeout(other, &seconds));
  CHECK(seconds == 300);
  CHECK_ERR(mt_communicator_set_timeout(comm, 0), MT_ERR_INVALID_ARGUMENT,
            "mt_communicator_set_timeout", "timeout 0 s is not a positive number of seconds");
  CHECK_ERR(mt_communicator_set_timeout(comm, -INFINITY), MT_ERR_INVALID_ARGUMENT, "-inf s");
  CHECK_ERR(mt_communicator_set_timeout(comm, NAN), MT_ERR_INVALID_ARGUMENT, "nan s");
  CHECK_OK(mt_communicator_timeout(comm, &seconds));
  CHECK(seconds == 2.5);
  mt_communicator_release(comm);
  mt_communicator_release(other);
}

static void collectives_alone(mt_communicator* comm) {
  mt_reduce_op_t op;
  mt_tensor* t = TENSOR(MT_FLOAT64, DIMS(2, 3), VALUES(1, -2, 3, 4, 5, 6));
  mt_tensor* column = NULL;
  for (op = MT_REDUCE_SUM; op <= MT_REDUCE_MIN; ++op) {
    CHECK_OK(mt_all_reduce(comm, t, op, MT_ALL_REDUCE_ORDERED));
    CHECK_OK(mt_all_reduce(comm, t, op, MT_ALL_REDUCE_ENGINE));
  }
  CHECK_TENSOR(t, DIMS(2, 3), VALUES(1, -2, 3, 4, 5, 6));
  CHECK_OK(mt_broadcast(comm, t, 0));
  CHECK_TENSOR(t, DIMS(2, 3), VALUES(1, -2, 3, 4, 5, 6));
  CHECK_OK(mt_barrier(comm));
  /* all_gather adds a leading dim of the world's size, also for a strided view. */
  CHECK_OK(mt_narrow(t, 1, 1, 1, &column));
  CHECK_GIVES(mt_all_gather(comm, column, OUT), DIMS(1, 2, 1), VALUES(-2, 5));
  CHECK_GIVES(mt_all_gather(comm, t, OUT), DIMS(1, 2, 3), VALUES(1, -2, 3, 4, 5, 6));
  RELEASE(t, column);
}

static void argument_errors(mt_communicator* comm) {
  mt_tensor* t = VEC(MT_FLOAT32, 1, 2);
  mt_tensor* one = VEC(MT_FLOAT32, 3);
  mt_tensor* expanded = NULL;
  mt_tensor* grad = VEC(MT_FLOAT32, 1, 2);
  CHECK_ERR(mt_all_reduce(comm, t, 4, MT_ALL_REDUCE_ORDERED), MT_ERR_INVALID_ARGUMENT,
            "unknown reduce op 4");
  CHECK_ERR(mt_all_reduce(comm, t, MT_REDUCE_SUM, 2), MT_ERR_INVALID_ARGUMENT,
            "unknown all-reduce mode 2 (valid: 0..1)");
  /* In-place collectives refuse views whose elements share memory, and hidden gradients. */
  CHECK_OK(mt_expand(one, DIMS(2, 2), &expanded));
  CHECK_ERR(mt_all_reduce(comm, expanded, MT_REDUCE_SUM, MT_ALL_REDUCE_ORDERED),
            MT_ERR_INVALID_ARGUMENT, "mt_all_reduce");
  CHECK_ERR(mt_broadcast(comm, expanded, 0), MT_ERR_INVALID_ARGUMENT, "mt_broadcast");
  CHECK_OK(mt_set_requires_grad(grad, 1));
  CHECK_ERR(mt_all_reduce(comm, grad, MT_REDUCE_SUM, MT_ALL_REDUCE_ORDERED),
            MT_ERR_INVALID_ARGUMENT, "all_reduce: an operand requires grad");
  CHECK_ERR(mt_broadcast(comm, t, 1), MT_ERR_INVALID_ARGUMENT, "mt_broadcast",
            "root 1 is not a rank of a world of 1");
  CHECK_ERR(mt_broadcast(comm, t, -1), MT_ERR_INVALID_ARGUMENT, "root -1");
  RELEASE(t, one, expanded, grad);
}

void test_dist(void) {
  mt_communicator* comm = NULL;
  mt_communicator* second = NULL;
  CHECK_OK(mt_communicator_from_environment(&comm));
  world_of_one(comm);
  collectives_alone(comm);
  argument_errors(comm);
  timeouts();
  /* Every communicator of the process is the same world. */
  CHECK_OK(mt_communicator_from_environment(&second));
  world_of_one(second);
  mt_communicator_release(second);
  mt_communicator_release(comm);
}
