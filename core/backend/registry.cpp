#include "backend/registry.hpp"

#include <atomic>
#include <mutex>

#include "backend/cpu_par/cpu_par.hpp"
#include "backend/cpu_seq/cpu_seq.hpp"
#include "backend/cuda/cuda_backend.hpp"
#include "backend/cuda/loader.hpp"
#include "base/error.hpp"

namespace mt {
namespace {

// Backends live until the process exits and are never removed, so references handed out stay
// valid; the mutex guards the list, the atomic the default choice.
struct Registry {
  std::mutex mutex;
  std::vector<std::unique_ptr<Backend>> backends;
  std::atomic<Backend*> default_backend{nullptr};

  Registry() {
    backends.push_back(make_cpu_seq_backend());
    backends.push_back(make_cpu_par_backend());
    default_backend.store(backends.back().get());
  }

  Backend* find(const std::string& name) {
    for (auto& b : backends)
      if (b->name() == name) return b.get();
    return nullptr;
  }

  std::string names() {
    std::string text;
    for (auto& b : backends)
      text += (text.empty() ? "" : ", ") + b->name();
    return text;
  }
};

Registry& registry() {
  static Registry instance;
  return instance;
}

// Installs the CUDA loader's memory in base's device registry while the library loads. This
// file is always linked (every op goes through backend_for), so the installation cannot be
// dropped by the linker, and it runs during static initialization, before any tensor exists.
[[maybe_unused]] const bool cuda_memory_installed = [] {
  register_device_memory(DeviceType::Cuda, &cuda_device_memory);
  return true;
}();

}  // namespace

Backend& backend(const std::string& name) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  if (Backend* b = r.find(name)) return *b;
  fail(ErrorCode::InvalidArgument, "unknown backend '", name, "' (known: ", r.names(), ")");
}

std::vector<std::string> backend_names() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<std::string> names;
  for (auto& b : r.backends)
    names.push_back(b->name());
  return names;
}

void register_backend(std::unique_ptr<Backend> backend) {
  if (!backend) fail(ErrorCode::InvalidArgument, "register_backend: null backend");
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  if (r.find(backend->name()))
    fail(ErrorCode::InvalidArgument, "a backend named '", backend->name(), "' already exists");
  r.backends.push_back(std::move(backend));
}

Backend& default_backend() { return *registry().default_backend.load(std::memory_order_acquire); }

Backend& backend_for(Device device) {
  if (device.is_cpu()) return default_backend();
  cuda_plugin(device);  // throws when the device cannot be used
  return cuda_backend(device.index);
}

void set_default_backend(const std::string& name) {
  registry().default_backend.store(&backend(name), std::memory_order_release);
}

}  // namespace mt
