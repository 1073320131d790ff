#include "dist/launcher.hpp"

#include <cmath>
#include <cstdlib>
#include <limits>

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
  if (env == nullptr || *env == '\0') return kDefaultTimeout;
  char* end = nullptr;
  const double seconds = std::strtod(env, &end);
  if (*end != '\0' || !std::isfinite(seconds) || seconds <= 0)
    fail(ErrorCode::InvalidArgument, "MINITENSOR_DIST_TIMEOUT=", env,
         " is not a positive number of seconds");
  return seconds;
}

std::string engine_choice() {
  const char* env = std::getenv("MINITENSOR_DIST_ENGINE");
  const std::string engine = env == nullptr || *env == '\0' ? "mpi" : env;
  if (engine != "mpi" && engine != "nccl")
    fail(ErrorCode::InvalidArgument, "MINITENSOR_DIST_ENGINE=", engine,
         " is not a communication engine (mpi or nccl)");
  return engine;
}

bool debug_mode() {
  static const bool on = [] {
    const char* env = std::getenv("MINITENSOR_DIST_DEBUG");
    return env != nullptr && *env != '\0' && std::string(env) != "0";
  }();
  return on;
}

int64_t message_limit() {
  static const int64_t limit = [] {
    const char* env = std::getenv("MINITENSOR_DIST_MAX_MESSAGE_BYTES");
    if (env == nullptr || *env == '\0') return std::numeric_limits<int64_t>::max();
    char* end = nullptr;
    const long long bytes = std::strtoll(env, &end, 10);
    if (*end != '\0' || bytes <= 0)
      fail(ErrorCode::InvalidArgument, "MINITENSOR_DIST_MAX_MESSAGE_BYTES=", env,
           " is not a positive number of bytes");
    return static_cast<int64_t>(bytes);
  }();
  return limit;
}

}  // namespace mt::dist
