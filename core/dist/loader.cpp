// Finds and loads libminitensor_dist_<engine>.so next to libminitensor.so, or where
// MINITENSOR_DIST_<ENGINE>_PLUGIN says (tests point it at a plugin with the wrong table version).
#include "dist/loader.hpp"

#include <dlfcn.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <string>

#include "base/error.hpp"
#include "base/library_directory.hpp"

namespace mt::dist {
namespace {

struct LoadedPlugin {
  const mt_dist_plugin* table = nullptr;  // null when unavailable
  std::string reason;                     // why unavailable
};

LoadedPlugin load(const std::string& engine) {
  LoadedPlugin plugin;
  std::string variable = "MINITENSOR_DIST_";
  for (char c : engine)
    variable += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  variable += "_PLUGIN";
  const char* override_path = std::getenv(variable.c_str());
  const bool overridden = override_path != nullptr && *override_path != '\0';
  const std::string path =
      overridden ? override_path : cat(library_directory(), "/libminitensor_dist_", engine, ".so");
  // RTLD_LOCAL: MPI's symbols stay the plugin's; a program with its own MPI keeps its own.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* error = dlerror();
    plugin.reason =
        cat("cannot load the ", engine, " engine plugin ", path, " (", error ? error : "?", ")",
            overridden ? cat(" named by ", variable)
                       : cat("; it is looked for next to the library holding "
                             "minitensor, and a build where CMake found no ",
                             engine == "mpi" ? "MPI" : "CUDA and NCCL", " has none"));
    return plugin;
  }
  const auto entry = reinterpret_cast<mt_dist_plugin_entry_fn>(dlsym(handle, MT_DIST_PLUGIN_ENTRY));
  if (entry == nullptr) {
    plugin.reason = cat(path, " has no entry point ", MT_DIST_PLUGIN_ENTRY);
    return plugin;
  }
  const mt_dist_plugin* table = entry();
  if (table == nullptr || table->abi_version != MT_DIST_PLUGIN_ABI_VERSION) {
    plugin.reason = cat(path, " speaks plugin ABI ", table ? table->abi_version : -1,
                        ", this library ", MT_DIST_PLUGIN_ABI_VERSION);
    return plugin;
  }
  plugin.table = table;
  return plugin;
}

}  // namespace

const mt_dist_plugin& engine_plugin(const char* engine) {
  // Thread-safe, once per engine.
  static const LoadedPlugin mpi = load("mpi");
  if (std::strcmp(engine, "mpi") == 0) {
    if (!mpi.table) fail(ErrorCode::Unsupported, mpi.reason);
    return *mpi.table;
  }
  static const LoadedPlugin nccl = load("nccl");
  if (std::strcmp(engine, "nccl") != 0)
    fail(ErrorCode::InvalidArgument, "no communication engine is called \"", engine, "\"");
  if (!nccl.table) fail(ErrorCode::Unsupported, nccl.reason);
  return *nccl.table;
}

}  // namespace mt::dist
