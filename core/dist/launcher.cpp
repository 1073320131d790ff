#include "dist/launcher.hpp"

#include <cstdlib>

namespace mt::dist {

std::string launcher_variable() {
  // Open MPI's mpirun, MPICH's Hydra (and Intel MPI), PMIx launchers, Slurm's srun.
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "SLURM_NTASKS"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') return name;
  }
  return "";
}

}  // namespace mt::dist
