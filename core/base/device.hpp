#pragma once
#include <cstdint>
#include <ostream>
#include <string>

namespace mt {

// Where a tensor's memory lives. The values are part of the C ABI: append-only.
enum class DeviceType : int32_t { Cpu = 0, Cuda = 1 };

struct Device {
  DeviceType type = DeviceType::Cpu;
  int32_t index = 0;  // the CUDA device ordinal; always 0 for the CPU

  static constexpr Device cpu() { return {}; }
  static constexpr Device cuda(int32_t index = 0) { return {DeviceType::Cuda, index}; }
  bool is_cpu() const { return type == DeviceType::Cpu; }
  friend bool operator==(const Device&, const Device&) = default;
};

// "cpu", "cuda:0".
std::string to_string(Device device);
std::ostream& operator<<(std::ostream& out, Device device);
// The inverse of to_string; "cuda" means "cuda:0". Throws InvalidArgument naming the text.
Device parse_device(const std::string& text);
// A device from the C API's (type, index) pair; throws InvalidArgument for unknown values.
Device make_device(int32_t type, int32_t index);

// Memory of a device other than the CPU (the CUDA plugin provides it). Byte counts are exact:
// release gets what allocate was given.
class DeviceMemory {
 public:
  virtual ~DeviceMemory() = default;
  virtual void* allocate(int32_t index, int64_t nbytes) = 0;  // throws OutOfMemory
  virtual void release(int32_t index, void* data, int64_t nbytes) noexcept = 0;
  virtual void copy_to_device(int32_t index, void* dst, const void* src, int64_t nbytes) = 0;
  // Waits for the device's queued work first.
  virtual void copy_to_host(int32_t index, void* dst, const void* src, int64_t nbytes) = 0;
};

// The registry of device memory: one provider per device type other than the CPU. A provider
// returns the memory of a device of its type, after checking that the device can be used
// (throwing DeviceUnavailable with the reason, InvalidArgument for an index out of range). The
// backend layer installs its providers when the library loads (backend/registry.cpp installs
// the CUDA loader's), before any tensor exists. Thread-safe.
using DeviceMemoryProvider = DeviceMemory& (*)(Device device);
// Installs (or replaces) the provider for `type`; throws InvalidArgument for the CPU.
void register_device_memory(DeviceType type, DeviceMemoryProvider provider);
// The memory of `device` (not the CPU) from its type's provider; throws DeviceUnavailable when
// no provider is installed, and whatever the provider throws.
DeviceMemory& device_memory(Device device);

}  // namespace mt
