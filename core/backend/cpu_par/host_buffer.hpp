#pragma once
// Scratch memory from the caching allocator (base/allocator.hpp): the same blocks come back call
// after call, so their pages are touched once (large ones are huge pages).
#include <cstdint>

#include "base/allocator.hpp"

namespace mt::cpu_par {

template <class T> class HostBuffer {
 public:
  explicit HostBuffer(int64_t elements)
      : bytes_(elements * static_cast<int64_t>(sizeof(T))),
        data_(static_cast<T*>(host_allocate(bytes_))) {}
  ~HostBuffer() { host_free(data_, bytes_); }
  HostBuffer(const HostBuffer&) = delete;
  HostBuffer& operator=(const HostBuffer&) = delete;
  T* get() const { return data_; }

 private:
  int64_t bytes_;
  T* data_;
};

}  // namespace mt::cpu_par
