#pragma once
// Loading the communication engine plugins (internal to the core).
#include "dist/plugin_abi.h"

namespace mt::dist {

// The table of libminitensor_dist_<engine>.so ("mpi" or "nccl"), found next to the library
// holding minitensor or where MINITENSOR_DIST_<ENGINE>_PLUGIN names it; loaded once per engine
// (never unloaded). Throws Unsupported with the reason (not built, not found, wrong table
// version) when it cannot be used.
const mt_dist_plugin& engine_plugin(const char* engine);

}  // namespace mt::dist
