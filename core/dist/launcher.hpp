#pragma once
// Whether a launcher (mpirun, mpiexec, srun) started this process as one rank of several.
#include <string>

namespace mt::dist {

// The first launcher variable set in the environment ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE",
// "SLURM_NTASKS", ...), or "" when none is: the process is then a world of one.
std::string launcher_variable();

}  // namespace mt::dist
