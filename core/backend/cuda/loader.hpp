#pragma once
// Loading the CUDA plugin (internal to the core).
#include "backend/cuda/plugin_abi.h"
#include "base/device.hpp"

namespace mt {

// The plugin's table once it has loaded and found a device; throws DeviceUnavailable with the
// reason otherwise, and InvalidArgument when `device` is not one of its devices.
const mt_cuda_plugin& cuda_plugin(Device device);

// The memory of CUDA device `device`, through the plugin: base's device registry provider for
// DeviceType::Cuda (installed by backend/registry.cpp). Throws as cuda_plugin does.
DeviceMemory& cuda_device_memory(Device device);

// Throws the mt::Error for a failed plugin call: `status` is its ErrorCode, the message
// the plugin's last_error() prefixed by `what`.
[[noreturn]] void throw_plugin_error(const mt_cuda_plugin& plugin, int32_t status,
                                     const char* what);

// Calls a plugin entry and throws its error when it fails.
template <class F, class... Args>
void plugin_call(const mt_cuda_plugin& plugin, const char* what, F entry, Args... args) {
  if (const int32_t status = entry(args...); status != 0) throw_plugin_error(plugin, status, what);
}

}  // namespace mt
