#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

#include "base/device.hpp"

namespace mt {

// A block of memory shared, through shared_ptr, by a tensor and all of its views. It either
// owns its memory (allocate) or borrows a caller's buffer and calls the caller's deleter once
// when the last view lets go (wrap).
class Storage {
 public:
  using Deleter = std::function<void(void*)>;

  // `nbytes` of uninitialized memory on `device` (host memory aligned to 64 bytes); throws
  // OutOfMemory when it fails, DeviceUnavailable for a device that cannot be used.
  static std::shared_ptr<Storage> allocate(int64_t nbytes, Device device = Device::cpu());
  // Borrows `data` (nbytes long); `deleter` (may be empty) runs once, when the storage dies.
  static std::shared_ptr<Storage> wrap(void* data, int64_t nbytes, Deleter deleter);

  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  ~Storage();

  void* data() const { return data_; }
  int64_t nbytes() const { return nbytes_; }
  // Where data() points; host code may only dereference it for the CPU.
  Device device() const { return device_; }
  // Whether the two hold some of the same bytes: one storage, or two wrapping the same memory
  // (a DLPack round trip gives its own Storage over the exporter's memory).
  bool overlaps(const Storage& other) const;

  // Counts the writes into existing tensors (out= ops, Tensor::set) through any view, so that
  // autodiff can tell when a tensor it saved for backward has changed since.
  uint64_t version() const { return version_.load(std::memory_order_relaxed); }
  void bump_version() { version_.fetch_add(1, std::memory_order_relaxed); }

  // The id of the capture active on the allocating thread when it was made
  // (base/capture_state.hpp), 0 for none: its contents are written only when a plan runs, if
  // at all.
  uint64_t made_in_capture() const { return made_in_capture_; }
  // Whether the contents are still unwritten: true from creation for storages made in a
  // capture until something writes real values (Tensor::set, a plan run). Reading a pending
  // storage is an error, not garbage.
  bool pending() const { return pending_.load(std::memory_order_acquire); }
  void set_written() { pending_.store(false, std::memory_order_release); }

 private:
  Storage(void* data, int64_t nbytes, Deleter deleter, Device device, bool pending);

  void* data_;
  int64_t nbytes_;
  Device device_;
  Deleter deleter_;
  std::atomic<uint64_t> version_{0};
  uint64_t made_in_capture_;
  std::atomic<bool> pending_;
};

}  // namespace mt
