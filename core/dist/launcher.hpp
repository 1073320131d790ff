#pragma once
// Whether a launcher (mpirun, mpiexec, srun) started this process as one rank of several, and
// how long its collectives wait for the other ranks.
#include <string>

namespace mt::dist {

// The first launcher variable set in the environment ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE",
// "SLURM_NTASKS", ...), or "" when none is: the process is then a world of one.
std::string launcher_variable();

// Seconds a collective waits for every rank before failing: MINITENSOR_DIST_TIMEOUT (a positive
// number), 300 by default. Throws InvalidArgument when the variable is not such a number.
double collective_timeout();

}  // namespace mt::dist
