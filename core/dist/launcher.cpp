#include "dist/launcher.hpp"

#include <cmath>
#include <cstdlib>

#include "base/error.hpp"

namespace mt::dist {

std::string launcher_variable() {
  // Open MPI's mpirun, MPICH's Hydra (and Intel MPI), PMIx launchers, Slurm's srun.
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "SLURM_NTASKS"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') return name;
  }
  return "";
}

double collective_timeout() {
  const char* env = std::getenv("MINITENSOR_DIST_TIMEOUT");
  if (env == nullptr || *env == '\0') return 300;
  char* end = nullptr;
  const double seconds = std::strtod(env, &end);
  if (*end != '\0' || !std::isfinite(seconds) || seconds <= 0)
    fail(ErrorCode::InvalidArgument, "MINITENSOR_DIST_TIMEOUT=", env,
         " is not a positive number of seconds");
  return seconds;
}

}  // namespace mt::dist
