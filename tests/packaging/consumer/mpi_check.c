/* mpi_check.c: run under mpirun -np 2 against an installed minitensor (build-and-run.sh). The
 * installed library must load the installed MPI plugin from next to itself: engine "mpi", two
 * ranks, and an all-reduce of rank + 1 gives 3 on each. Prints "rank R: mpi 3". */
#include <minitensor/minitensor.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  mt_communicator* comm = NULL;
  mt_tensor* value = NULL;
  char* engine = NULL;
  int32_t rank = -1, size = 0;
  double sum = 0;
  int ok;
  if (mt_communicator_from_environment(&comm) != MT_OK ||
      mt_communicator_rank(comm, &rank) != MT_OK || mt_communicator_size(comm, &size) != MT_OK ||
      mt_communicator_engine(comm, &engine) != MT_OK ||
      mt_scalar(rank + 1, MT_FLOAT64, &value) != MT_OK ||
      mt_all_reduce(comm, value, MT_REDUCE_SUM, MT_ALL_REDUCE_ORDERED) != MT_OK ||
      mt_item(value, &sum) != MT_OK) {
    fprintf(stderr, "rank %d: %s\n", rank, mt_last_error());
    return 1;
  }
  printf("rank %d: %s %g\n", rank, engine, sum);
  ok = strcmp(engine, "mpi") == 0 && size == 2 && sum == 3;
  mt_string_free(engine);
  mt_release(value);
  mt_communicator_release(comm);
  return ok ? 0 : 1;
}
