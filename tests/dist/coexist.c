/* coexist.c: a program that initialises MPI itself, as mpi4py or an MPI application does, and
 * uses minitensor's communicator too (mpirun -np N coexist N). minitensor must find MPI
 * initialised and leave it so: the program's own MPI calls work after minitensor's collectives
 * and its MPI_Finalize is the only one (a second initialisation or finalisation by the plugin
 * is an MPI error that ends the job). */
#include <mpi.h>
#include <stdlib.h>

#include "check.h"

int main(int argc, char** argv) {
  mt_communicator* comm = NULL;
  mt_tensor* t = NULL;
  int provided = 0, rank = 0, size = 0, one = 1, sum = 0;
  int32_t mt_rank = -1, mt_size = -1;
  if (argc != 2) return 2;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  CHECK(size == atoi(argv[1]));
  CHECK_OK(mt_communicator_from_environment(&comm));
  CHECK_OK(mt_communicator_rank(comm, &mt_rank));
  CHECK_OK(mt_communicator_size(comm, &mt_size));
  CHECK(mt_rank == rank && mt_size == size);
  CHECK_OK(mt_full(DIMS(3), rank + 1.0, MT_FLOAT64, &t));
  CHECK_OK(mt_all_reduce(comm, t, MT_REDUCE_SUM, MT_ALL_REDUCE_ORDERED));
  CHECK_TENSOR(t, DIMS(3),
               VALUES(size * (size + 1) / 2.0, size * (size + 1) / 2.0, size * (size + 1) / 2.0));
  mt_release(t);
  mt_communicator_release(comm);
  /* The program's MPI is still its own. */
  MPI_Allreduce(&one, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  CHECK(sum == size);
  MPI_Finalize();
  return check_summary("coexist");
}
