#include "base/device.hpp"

#include <charconv>

#include "base/error.hpp"

namespace mt {

std::string to_string(Device device) {
  return device.is_cpu() ? "cpu" : "cuda:" + std::to_string(device.index);
}

std::ostream& operator<<(std::ostream& out, Device device) { return out << to_string(device); }

Device parse_device(const std::string& text) {
  if (text == "cpu") return Device::cpu();
  if (text == "cuda") return Device::cuda(0);
  const std::string prefix = "cuda:";
  if (text.starts_with(prefix)) {
    int32_t index = -1;
    const char* begin = text.data() + prefix.size();
    const char* end = text.data() + text.size();
    const auto [rest, error] = std::from_chars(begin, end, index);
    if (error == std::errc() && rest == end && begin != end && index >= 0)
      return Device::cuda(index);
  }
  fail(ErrorCode::InvalidArgument, "unknown device '", text,
       "' (expected 'cpu', 'cuda' or 'cuda:N' with N >= 0)");
}

Device make_device(int32_t type, int32_t index) {
  if (type == static_cast<int32_t>(DeviceType::Cpu)) {
    if (index != 0) fail(ErrorCode::InvalidArgument, "the CPU device has index 0, not ", index);
    return Device::cpu();
  }
  if (type == static_cast<int32_t>(DeviceType::Cuda)) {
    if (index < 0) fail(ErrorCode::InvalidArgument, "negative CUDA device index ", index);
    return Device::cuda(index);
  }
  fail(ErrorCode::InvalidArgument, "unknown device type ", type, " (valid: 0 cpu, 1 cuda)");
}

}  // namespace mt
