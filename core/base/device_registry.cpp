// The device memory registry (base/device.hpp): a fixed table of providers, one per device
// type, read without locks on every device allocation and copy.
#include <array>
#include <atomic>

#include "base/device.hpp"
#include "base/error.hpp"

namespace mt {
namespace {

constexpr DeviceType kLastDeviceType = DeviceType::Cuda;
constexpr size_t kDeviceTypes = static_cast<size_t>(kLastDeviceType) + 1;

// Constant-initialized (all null), so it is ready before any dynamic initializer registers.
std::array<std::atomic<DeviceMemoryProvider>, kDeviceTypes> providers{};

std::atomic<DeviceMemoryProvider>& slot(DeviceType type, const char* what) {
  const auto index = static_cast<size_t>(type);
  if (type == DeviceType::Cpu || index >= kDeviceTypes)
    fail(ErrorCode::InvalidArgument, what, ": no device memory for device type ",
         static_cast<int32_t>(type));
  return providers[index];
}

}  // namespace

void register_device_memory(DeviceType type, DeviceMemoryProvider provider) {
  if (provider == nullptr)
    fail(ErrorCode::InvalidArgument, "register_device_memory: null provider");
  slot(type, "register_device_memory").store(provider, std::memory_order_release);
}

DeviceMemory& device_memory(Device device) {
  const DeviceMemoryProvider provider =
      slot(device.type, "device_memory").load(std::memory_order_acquire);
  if (provider == nullptr)
    fail(ErrorCode::DeviceUnavailable, "no memory provider for ", device,
         " is installed (the backend library that serves it is not linked)");
  return provider(device);
}

}  // namespace mt
