/* failures.c: a rank that never enters a collective must not hang the job. The last rank
 * leaves the world after a first barrier, while the others enter an all-reduce:
 *
 *   mpirun -np N failures sleep   the last rank sleeps a minute: with MINITENSOR_DIST_TIMEOUT=T
 *                                 every other rank fails with MT_ERR_COLLECTIVE_FAILED after T
 *                                 seconds, naming the collective, its sequence number, its size
 *                                 and the ranks that did and did not enter it, then exits (and
 *                                 the launcher ends the sleeping rank)
 *   mpirun -np N failures kill    the last rank is killed: the launcher ends the job
 *
 * A waiting rank that got the expected failure prints "rank R failed as expected", which
 * expect_job_end.cmake counts.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* What a waiting rank's message must say about who entered: "ranks 0, 1, 2 entered it, rank 3
 * did not" for 4 ranks. */
static void who_entered(int32_t size, char* text, size_t capacity) {
  int32_t r;
  size_t used = (size_t)snprintf(text, capacity, size == 2 ? "rank" : "ranks");
  for (r = 0; r + 1 < size; ++r)
    used += (size_t)snprintf(text + used, capacity - used, "%s %d", r ? "," : "", (int)r);
  snprintf(text + used, capacity - used, " entered it, rank %d did not", (int)(size - 1));
}

static void wait_for_the_missing_rank(mt_communicator* comm, int32_t rank, int32_t size,
                                      int sleeping) {
  const char* timeout_text = getenv("MINITENSOR_DIST_TIMEOUT");
  const double timeout = timeout_text ? atof(timeout_text) : 300;
  char expected_timeout[64], entered[256];
  mt_tensor* t = NULL;
  double start, waited;
  CHECK_OK(mt_zeros(DIMS(1001), MT_FLOAT32, &t));
  start = now();
  if (!sleeping) { /* the launcher ends this rank while it waits */
    mt_all_reduce(comm, t, MT_REDUCE_SUM, MT_ALL_REDUCE_ORDERED);
    CHECK(!"the all-reduce returned although a rank was killed");
    return;
  }
  snprintf(expected_timeout, sizeof expected_timeout, "timed out after %g s", timeout);
  who_entered(size, entered, sizeof entered);
  CHECK_ERR(mt_all_reduce(comm, t, MT_REDUCE_SUM, MT_ALL_REDUCE_ORDERED), MT_ERR_COLLECTIVE_FAILED,
            "mt_all_reduce", "all_reduce #1 ", "shape (1001,)", "(4004 bytes)", expected_timeout,
            entered);
  waited = now() - start;
  CHECK(waited >= timeout && waited < timeout + 5);
  fprintf(stderr, "rank %d after %.2f s: %s\n", (int)rank, waited, mt_last_error());
  CHECK_ERR(mt_barrier(comm), MT_ERR_COLLECTIVE_FAILED, "unusable after an earlier failure");
  mt_release(t);
}

int main(int argc, char** argv) {
  mt_communicator* comm = NULL;
  int32_t rank = 0, size = 1;
  int sleeping, failures;
  if (argc != 2 || (strcmp(argv[1], "sleep") != 0 && strcmp(argv[1], "kill") != 0)) {
    fprintf(stderr, "usage: failures sleep | kill\n");
    return 2;
  }
  sleeping = strcmp(argv[1], "sleep") == 0;
  CHECK_OK(mt_communicator_from_environment(&comm));
  CHECK_OK(mt_communicator_rank(comm, &rank));
  CHECK_OK(mt_communicator_size(comm, &size));
  CHECK(size > 1);
  CHECK_OK(mt_barrier(comm));
  if (rank == size - 1) {
    if (sleeping) sleep(60);
    raise(SIGKILL);
  }
  wait_for_the_missing_rank(comm, rank, size, sleeping);
  mt_communicator_release(comm);
  failures = check_summary("failures");
  if (failures == 0) fprintf(stderr, "rank %d failed as expected\n", (int)rank);
  /* The launcher ends the job when the first rank exits: give the other waiting ranks, whose
   * timeouts end a moment later, time to report theirs. */
  fflush(stderr);
  sleep(1);
  return failures;
}
