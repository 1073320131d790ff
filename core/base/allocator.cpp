#include "base/allocator.hpp"

#include <sys/mman.h>

#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "base/error.hpp"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define MT_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define MT_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define MT_POISON(p, n) ((void)(p), (void)(n))
#define MT_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace mt {
namespace {

constexpr int64_t kAlignment = 64;
constexpr int64_t kHugePage = int64_t{2} << 20;
// From this size on, blocks are mapped directly and advised to use huge pages.
constexpr int64_t kMapThreshold = int64_t{1} << 20;
constexpr int64_t kDefaultCacheLimit = int64_t{2} << 30;

// Size classes 2^k and 3 * 2^(k-1) (at most 1/3 wasted), all multiples of kAlignment (as
// aligned_alloc requires): 64, 128, 192, 256, 384, ...
int64_t size_class(int64_t nbytes) {
  if (nbytes <= kAlignment) return kAlignment;
  int64_t power = kAlignment;
  while (power < nbytes) {
    if (power >= 2 * kAlignment && power + power / 2 >= nbytes) return power + power / 2;
    if (power > INT64_MAX / 2) fail(ErrorCode::OutOfMemory, "cannot allocate ", nbytes, " bytes");
    power *= 2;
  }
  return power;
}

void* system_allocate(int64_t size) {
  if (size < kMapThreshold) return std::aligned_alloc(kAlignment, static_cast<size_t>(size));
  // Map a huge page more than needed, then trim both ends so that the block starts on a huge
  // page boundary (transparent huge pages back only aligned 2 MiB ranges).
  const auto total = static_cast<size_t>(size + kHugePage);
  void* raw = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const auto start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (start + kHugePage - 1) & ~static_cast<uintptr_t>(kHugePage - 1);
  if (aligned > start) munmap(raw, aligned - start);
  const uintptr_t end = start + total, block_end = aligned + static_cast<uintptr_t>(size);
  if (end > block_end) munmap(reinterpret_cast<void*>(block_end), end - block_end);
  void* block = reinterpret_cast<void*>(aligned);
  madvise(block, static_cast<size_t>(size), MADV_HUGEPAGE);
  return block;
}

void system_free(void* block, int64_t size) {
  if (size < kMapThreshold)
    std::free(block);
  else
    munmap(block, static_cast<size_t>(size));
}

int64_t limit_from_environment() {
  const char* env = std::getenv("MINITENSOR_CACHE_BYTES");
  if (env == nullptr || *env == '\0') return kDefaultCacheLimit;
  char* end = nullptr;
  const long long value = std::strtoll(env, &end, 10);
  if (*end != '\0' || value < 0)
    fail(ErrorCode::InvalidArgument, "MINITENSOR_CACHE_BYTES=", env, " is not a byte count");
  return value;
}

class Cache {
 public:
  void* allocate(int64_t nbytes) {
    const int64_t size = size_class(nbytes);
    {
      std::lock_guard lock(mutex_);
      auto it = free_.find(size);
      if (it != free_.end() && !it->second.empty()) {
        void* block = it->second.back();
        it->second.pop_back();
        stats_.cached_bytes -= size;
        ++stats_.hits;
        MT_UNPOISON(block, size);
        return block;
      }
      ++stats_.misses;
    }
    void* block = system_allocate(size);
    if (block == nullptr) {
      // Cached blocks of other sizes may be what stands in the way: give them back, retry.
      empty();
      block = system_allocate(size);
    }
    if (block == nullptr) fail(ErrorCode::OutOfMemory, "cannot allocate ", nbytes, " bytes");
    return block;
  }

  void release(void* block, int64_t nbytes) {
    const int64_t size = size_class(nbytes);
    {
      std::lock_guard lock(mutex_);
      if (stats_.cached_bytes + size <= limit_) {
        free_[size].push_back(block);
        stats_.cached_bytes += size;
        MT_POISON(block, size);
        return;
      }
    }
    system_free(block, size);
  }

  void empty() {
    std::unordered_map<int64_t, std::vector<void*>> blocks;
    {
      std::lock_guard lock(mutex_);
      blocks.swap(free_);
      stats_.cached_bytes = 0;
    }
    for (auto& [size, list] : blocks)
      for (void* block : list) {
        MT_UNPOISON(block, size);
        system_free(block, size);
      }
  }

  AllocatorStats stats() {
    std::lock_guard lock(mutex_);
    return stats_;
  }

  void set_limit(int64_t bytes) {
    {
      std::lock_guard lock(mutex_);
      limit_ = bytes;
    }
    empty();
  }

 private:
  std::mutex mutex_;
  std::unordered_map<int64_t, std::vector<void*>> free_;
  AllocatorStats stats_;
  int64_t limit_ = limit_from_environment();
};

// Never destroyed: storages may be freed by static destructors after this one would run.
Cache& cache() {
  static Cache* instance = new Cache;
  return *instance;
}

}  // namespace

void* host_allocate(int64_t nbytes) {
  if (nbytes < 0)
    fail(ErrorCode::InvalidArgument, "cannot allocate a negative size (", nbytes, ")");
  return cache().allocate(nbytes);
}

void host_free(void* block, int64_t nbytes) {
  if (block != nullptr) cache().release(block, nbytes);
}

AllocatorStats allocator_stats() { return cache().stats(); }
void empty_cache() { cache().empty(); }

void set_cache_limit(int64_t bytes) {
  if (bytes < 0) fail(ErrorCode::InvalidArgument, "set_cache_limit: negative limit ", bytes);
  cache().set_limit(bytes);
}

}  // namespace mt
