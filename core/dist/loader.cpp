// Finds and loads libminitensor_dist_mpi.so next to libminitensor.so, or where
// MINITENSOR_DIST_MPI_PLUGIN says (tests point it at a plugin with the wrong table version).
#include "dist/loader.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <string>

#include "base/error.hpp"
#include "base/library_directory.hpp"

namespace mt::dist {
namespace {

struct LoadedPlugin {
  const mt_dist_plugin* table = nullptr;  // null when unavailable
  std::string reason;                     // why unavailable
};

LoadedPlugin load() {
  LoadedPlugin plugin;
  const char* override_path = std::getenv("MINITENSOR_DIST_MPI_PLUGIN");
  const bool overridden = override_path != nullptr && *override_path != '\0';
  const std::string path =
      overridden ? override_path : library_directory() + "/libminitensor_dist_mpi.so";
  // RTLD_LOCAL: MPI's symbols stay the plugin's; a program with its own MPI keeps its own.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* error = dlerror();
    plugin.reason = cat("cannot load the MPI plugin ", path, " (", error ? error : "?", ")",
                        overridden ? " named by MINITENSOR_DIST_MPI_PLUGIN"
                                   : "; it is looked for next to the library holding minitensor, "
                                     "and a build where CMake found no MPI has none");
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

const mt_dist_plugin& mpi_plugin() {
  static const LoadedPlugin plugin = load();  // thread-safe, once
  if (!plugin.table) fail(ErrorCode::Unsupported, plugin.reason);
  return *plugin.table;
}

}  // namespace mt::dist
