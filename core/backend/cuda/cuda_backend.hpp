#pragma once
#include <cstdint>

#include "backend/backend.hpp"

namespace mt {

// The backend for views on CUDA device `index`: each primitive is one call into the plugin,
// which queues the kernel on the device's stream. The caller has checked the device
// (cuda_plugin in loader.hpp): CUDA is available and `index` is one of its devices.
Backend& cuda_backend(int32_t index);

}  // namespace mt
