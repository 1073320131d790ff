#pragma once
#include "backend/backend.hpp"

namespace mt {

// The backend for tensors on CUDA devices: each primitive is one call into the plugin, which
// queues the kernel on the device's stream. Throws DeviceUnavailable when CUDA is unavailable.
Backend& cuda_backend();

}  // namespace mt
