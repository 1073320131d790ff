#pragma once
// Loading the MPI engine plugin (internal to the core).
#include "dist/plugin_abi.h"

namespace mt::dist {

// The MPI plugin's table, loaded once (never unloaded); throws Unsupported with the reason
// (not built, not found, wrong table version) when it cannot be used.
const mt_dist_plugin& mpi_plugin();

}  // namespace mt::dist
