// Finds and loads libminitensor_cuda.so once, and keeps it for the life of the process (tensors
// on the device free their memory through it until the very end). The plugin lives next to the
// library that contains this code (libminitensor.so), or where MINITENSOR_CUDA_PLUGIN says
// (the tests point it at the emulated plugin).
#include "backend/cuda/loader.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>
#include <string>

#include "backend/cuda/cuda_runtime.hpp"
#include "base/error.hpp"
#include "base/library_directory.hpp"

namespace mt {
namespace {

struct LoadedPlugin {
  const mt_cuda_plugin* table = nullptr;  // null when unavailable
  int32_t device_count = 0;
  std::string reason;  // why unavailable
};

LoadedPlugin load() {
  LoadedPlugin plugin;
  const char* override_path = std::getenv("MINITENSOR_CUDA_PLUGIN");
  const bool overridden = override_path != nullptr && *override_path != '\0';
  const std::string path =
      overridden ? override_path : library_directory() + "/libminitensor_cuda.so";
  // RTLD_LOCAL: the plugin's symbols (static cudart) never mix with the host program's.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* error = dlerror();
    plugin.reason = cat(
        "cannot load the CUDA plugin ", path, " (", error ? error : "?", ")",
        overridden ? " named by MINITENSOR_CUDA_PLUGIN"
                   : "; it is looked for next to the library (or program) holding minitensor, and "
                     "a build without CUDA has none (-DMT_CUDA=ON)");
    return plugin;
  }
  const auto entry = reinterpret_cast<mt_cuda_plugin_entry_fn>(dlsym(handle, MT_CUDA_PLUGIN_ENTRY));
  if (entry == nullptr) {
    plugin.reason = cat(path, " has no entry point ", MT_CUDA_PLUGIN_ENTRY);
    return plugin;
  }
  const mt_cuda_plugin* table = entry();
  if (table == nullptr || table->abi_version != MT_CUDA_PLUGIN_ABI_VERSION) {
    plugin.reason = cat(path, " speaks plugin ABI ", table ? table->abi_version : -1,
                        ", this library ", MT_CUDA_PLUGIN_ABI_VERSION);
    return plugin;
  }
  int32_t count = 0;
  if (table->init(&count) != 0) {
    plugin.reason = table->last_error();
    return plugin;
  }
  if (count <= 0) {
    plugin.reason = "the CUDA driver reports no device";
    return plugin;
  }
  plugin.table = table;
  plugin.device_count = count;
  return plugin;
}

const LoadedPlugin& loaded() {
  static const LoadedPlugin plugin = load();  // thread-safe, once
  return plugin;
}

const mt_cuda_plugin& available_plugin() {
  const LoadedPlugin& plugin = loaded();
  if (!plugin.table) fail(ErrorCode::DeviceUnavailable, "CUDA is unavailable: ", plugin.reason);
  return *plugin.table;
}

// Device memory through the plugin's caching allocator.
class CudaMemory final : public DeviceMemory {
 public:
  void* allocate(int32_t index, int64_t nbytes) override {
    if (nbytes == 0) return nullptr;
    const mt_cuda_plugin& plugin = cuda_plugin(Device::cuda(index));
    void* data = nullptr;
    plugin_call(plugin, "allocate", plugin.allocate, index, nbytes, &data);
    return data;
  }
  void release(int32_t index, void* data, int64_t nbytes) noexcept override {
    if (data != nullptr) loaded().table->release(index, data, nbytes);
  }
  void copy_to_device(int32_t index, void* dst, const void* src, int64_t nbytes) override {
    const mt_cuda_plugin& plugin = cuda_plugin(Device::cuda(index));
    plugin_call(plugin, "copy to the device", plugin.copy_to_device, index, dst, src, nbytes);
  }
  void copy_to_host(int32_t index, void* dst, const void* src, int64_t nbytes) override {
    const mt_cuda_plugin& plugin = cuda_plugin(Device::cuda(index));
    plugin_call(plugin, "copy to the host", plugin.copy_to_host, index, dst, src, nbytes);
  }
};

}  // namespace

const mt_cuda_plugin& cuda_plugin(Device device) {
  const mt_cuda_plugin& plugin = available_plugin();
  const int32_t count = loaded().device_count;
  if (device.index < 0 || device.index >= count)
    fail(ErrorCode::InvalidArgument, "no device ", device, ": there ",
         count == 1 ? "is 1 CUDA device" : cat("are ", count, " CUDA devices"));
  return plugin;
}

void throw_plugin_error(const mt_cuda_plugin& plugin, int32_t status, const char* what) {
  const bool known = status == static_cast<int32_t>(ErrorCode::InvalidArgument) ||
                     status == static_cast<int32_t>(ErrorCode::OutOfMemory) ||
                     status == static_cast<int32_t>(ErrorCode::Unsupported);
  const ErrorCode code = known ? static_cast<ErrorCode>(status) : ErrorCode::DeviceUnavailable;
  fail(code, "CUDA ", what, ": ", plugin.last_error());
}

DeviceMemory& cuda_device_memory(Device device) {
  static CudaMemory cuda;
  if (device.type != DeviceType::Cuda)
    fail(ErrorCode::InvalidArgument, "cuda_device_memory: ", device, " is not a CUDA device");
  cuda_plugin(device);  // throws when unavailable or out of range
  return cuda;
}

int32_t cuda_device_count() { return loaded().device_count; }

std::string cuda_unavailable_reason() { return loaded().reason; }

std::string cuda_device_name(int32_t index) {
  return cuda_plugin(Device::cuda(index)).device_name(index);
}

void cuda_set_matmul(CudaMatmul which) {
  const mt_cuda_plugin& plugin = available_plugin();
  plugin_call(plugin, "set_matmul", plugin.set_matmul, static_cast<int32_t>(which));
}

CudaMatmul cuda_matmul() { return static_cast<CudaMatmul>(available_plugin().get_matmul()); }

void cuda_synchronize() {
  const mt_cuda_plugin& plugin = available_plugin();
  for (int32_t index = 0; index < loaded().device_count; ++index)
    plugin_call(plugin, "synchronize", plugin.synchronize, index);
}

CudaMemoryStats cuda_memory_stats(int32_t index) {
  const mt_cuda_plugin& plugin = cuda_plugin(Device::cuda(index));
  CudaMemoryStats stats;
  plugin_call(plugin, "memory_stats", plugin.memory_stats, index, &stats.in_use, &stats.cached);
  return stats;
}

void cuda_empty_cache() {
  const mt_cuda_plugin& plugin = available_plugin();
  for (int32_t index = 0; index < loaded().device_count; ++index)
    plugin_call(plugin, "empty_cache", plugin.empty_cache, index);
}

}  // namespace mt
