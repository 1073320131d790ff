#pragma once
// The caching device allocator of one device. cudaMalloc and cudaFree are slow (cudaFree also
// waits for the whole device), so released blocks are kept in free lists by size class and
// handed out again. A block may be reused as soon as it is released, without waiting: all work
// of the device runs on one stream, so whatever used the block before is queued ahead of
// whatever uses it next.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "backend/cuda/plugin/cuda_check.hpp"

namespace mt::cuda {

// Where the blocks come from: cudaMalloc/cudaFree of the current device, or a fake in tests.
struct RawDeviceMemory {
  cudaError_t (*allocate)(void** data, std::size_t nbytes);
  cudaError_t (*free)(void* data);
};

inline constexpr RawDeviceMemory kCudaMemory = {
    [](void** data, std::size_t nbytes) { return cudaMalloc(data, nbytes); },
    [](void* data) { return cudaFree(data); }};

struct MemoryStats {
  int64_t in_use = 0;  // bytes of the blocks handed out and not released
  int64_t cached = 0;  // bytes of the blocks in the free lists
};

// Requests up to 1 MiB round up to a multiple of 512 bytes; larger ones to a multiple of 2 MiB.
// Powers of two would waste up to half of a large block; 2 MiB steps waste less than 2 MiB per
// block and still let blocks of nearby sizes serve each other. Zero bytes take the smallest
// class, so that every block has its own address.
inline int64_t size_class(int64_t nbytes) {
  constexpr int64_t kSmallLimit = int64_t{1} << 20;
  if (nbytes < 0) fail(ErrorCode::InvalidArgument, "allocate: negative size ", nbytes, " bytes");
  const int64_t granule = nbytes <= kSmallLimit ? 512 : int64_t{2} << 20;
  if (nbytes > std::numeric_limits<int64_t>::max() - granule)
    fail(ErrorCode::OutOfMemory, "allocate: ", nbytes, " bytes is more than any device has");
  return nbytes == 0 ? granule : (nbytes + granule - 1) / granule * granule;
}

class CachingAllocator {
 public:
  explicit CachingAllocator(RawDeviceMemory memory = kCudaMemory) : memory_(memory) {}
  CachingAllocator(const CachingAllocator&) = delete;
  CachingAllocator& operator=(const CachingAllocator&) = delete;

  // A block of at least `nbytes`: a cached one of the same size class, or a new one. When the
  // device is out of memory, the cache is emptied and the allocation tried once more.
  void* allocate(int64_t nbytes) {
    const int64_t size = size_class(nbytes);
    const std::lock_guard lock(mutex_);
    void* data = nullptr;
    if (auto found = free_.find(size); found != free_.end() && !found->second.empty()) {
      data = found->second.back();
      found->second.pop_back();
      cached_ -= size;
    } else {
      data = allocate_new(nbytes, size);
    }
    live_.emplace(data, size);
    in_use_ += size;
    return data;
  }

  // Returns a block from allocate() to the cache. Anything else (null, a foreign or already
  // released pointer) is ignored: the ABI's release cannot fail.
  void release(void* data) {
    const std::lock_guard lock(mutex_);
    const auto found = live_.find(data);
    if (found == live_.end()) return;
    const int64_t size = found->second;
    live_.erase(found);
    in_use_ -= size;
    free_[size].push_back(data);
    cached_ += size;
  }

  // Frees every cached block; the blocks in use stay valid.
  void empty_cache() {
    const std::lock_guard lock(mutex_);
    empty_cache_locked();
  }

  MemoryStats stats() const {
    const std::lock_guard lock(mutex_);
    return {in_use_, cached_};
  }

 private:
  void* allocate_new(int64_t nbytes, int64_t size) {
    void* data = nullptr;
    cudaError_t error = memory_.allocate(&data, static_cast<std::size_t>(size));
    const int64_t cached_before = cached_;
    if (error != cudaSuccess && cached_ > 0) {
      (void)cudaGetLastError();
      empty_cache_locked();
      error = memory_.allocate(&data, static_cast<std::size_t>(size));
    }
    check(error, "cudaMalloc of ", size, " bytes (for ", nbytes, ") failed with ", in_use_,
          " bytes in use and ", cached_before, " bytes cached",
          cached_before > 0 ? " (freed before a second try)" : "");
    return data;
  }

  void empty_cache_locked() {
    cudaError_t first_error = cudaSuccess;
    for (auto& [size, blocks] : free_) {
      for (void* data : blocks) {
        const cudaError_t error = memory_.free(data);
        if (first_error == cudaSuccess) first_error = error;
        cached_ -= size;
      }
      blocks.clear();
    }
    check(first_error, "cudaFree of a cached block");
  }

  RawDeviceMemory memory_;
  mutable std::mutex mutex_;
  std::unordered_map<int64_t, std::vector<void*>> free_;  // size class -> cached blocks
  std::unordered_map<void*, int64_t> live_;               // block -> size class
  int64_t in_use_ = 0;
  int64_t cached_ = 0;
};

}  // namespace mt::cuda
