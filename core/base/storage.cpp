#include "base/storage.hpp"

#include <cstdint>

#include "base/allocator.hpp"
#include "base/capture_state.hpp"
#include "base/error.hpp"

namespace mt {

Storage::Storage(void* data, int64_t nbytes, Deleter deleter, Device device, bool pending)
    : data_(data),
      nbytes_(nbytes),
      device_(device),
      deleter_(std::move(deleter)),
      made_in_capture_(active_capture_id()),
      pending_(pending) {}

std::shared_ptr<Storage> Storage::allocate(int64_t nbytes, Device device) {
  if (device.is_cpu()) {
    void* data = host_allocate(nbytes);
    try {
      return std::shared_ptr<Storage>(new Storage(
          data, nbytes, [nbytes](void* p) { host_free(p, nbytes); }, device, capture_active()));
    } catch (...) {
      host_free(data, nbytes);
      throw;
    }
  }
  DeviceMemory& memory = device_memory(device);
  void* data = memory.allocate(device.index, nbytes);
  const int32_t index = device.index;
  try {
    return std::shared_ptr<Storage>(new Storage(
        data, nbytes, [&memory, index, nbytes](void* p) { memory.release(index, p, nbytes); },
        device, capture_active()));
  } catch (...) {
    memory.release(index, data, nbytes);
    throw;
  }
}

std::shared_ptr<Storage> Storage::wrap(void* data, int64_t nbytes, Deleter deleter) {
  if (nbytes < 0) fail(ErrorCode::InvalidArgument, "negative buffer size ", nbytes);
  if (data == nullptr && nbytes > 0)
    fail(ErrorCode::InvalidArgument, "null buffer of ", nbytes, " bytes");
  // A caller's buffer holds real values, capture or not.
  return std::shared_ptr<Storage>(
      new Storage(data, nbytes, std::move(deleter), Device::cpu(), false));
}

bool Storage::overlaps(const Storage& other) const {
  if (this == &other) return true;
  if (device_ != other.device_) return false;
  // As integers: comparing pointers into unrelated allocations with < is unspecified.
  const auto begin = reinterpret_cast<uintptr_t>(data_);
  const auto other_begin = reinterpret_cast<uintptr_t>(other.data_);
  return nbytes_ > 0 && other.nbytes_ > 0 && begin < other_begin + other.nbytes_ &&
         other_begin < begin + nbytes_;
}

Storage::~Storage() {
  if (deleter_) deleter_(data_);
}

}  // namespace mt
