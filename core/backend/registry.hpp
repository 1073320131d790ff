#pragma once
#include <memory>
#include <string>
#include <vector>

#include "backend/backend.hpp"
#include "base/device.hpp"

namespace mt {

// The backends this process knows, by name. All functions are safe to call from any thread.
// "cpu_seq" (the sequential reference) and "cpu_par" (parallel, the default) are always present.
Backend& backend(const std::string& name);  // throws InvalidArgument naming the known ones
std::vector<std::string> backend_names();
// Adds a backend; throws InvalidArgument when the name is taken.
void register_backend(std::unique_ptr<Backend> backend);

// The backend that ops on CPU tensors run on.
Backend& default_backend();
// The backend for tensors on `device`: default_backend() for the CPU, the CUDA backend for a
// CUDA device (throws DeviceUnavailable / InvalidArgument when that device cannot be used).
Backend& backend_for(Device device);
void set_default_backend(const std::string& name);

}  // namespace mt
