#pragma once
// Whether a launcher (mpirun, mpiexec, srun) started this process as one rank of several, and
// the environment variables that set up its collectives.
#include <cstdint>
#include <string>

namespace mt::dist {

// The first launcher variable set in the environment ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE",
// "SLURM_NTASKS", ...), or "" when none is: the process is then a world of one.
std::string launcher_variable();

// Seconds a collective waits for every rank before failing unless told otherwise.
inline constexpr double kDefaultTimeout = 300;

// Seconds a collective waits for every rank before failing: MINITENSOR_DIST_TIMEOUT (a positive
// number), kDefaultTimeout by default. Throws InvalidArgument when the variable is not such a
// number.
double collective_timeout();

// MINITENSOR_DIST_ENGINE: "mpi" (the default) or "nccl"; throws InvalidArgument otherwise.
std::string engine_choice();

// MINITENSOR_DIST_DEBUG=1: before every collective the ranks exchange their whole calls rather
// than fingerprints of them, so that a mismatch names both calls. Read once.
bool debug_mode();

// MINITENSOR_DIST_MAX_MESSAGE_BYTES (a positive integer; unset: no limit), the most bytes of a
// rank's data in one engine call; tests set it small to exercise the splitting of large
// collectives. Throws InvalidArgument when it is not such a number.
int64_t message_limit();

}  // namespace mt::dist
