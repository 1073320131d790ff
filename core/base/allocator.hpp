#pragma once
// Host memory for tensor storage. Fresh pages are expensive here (a page fault per 4 KiB, see
// PLATFORM.md), so freed blocks are kept in size classes and handed out again, and large
// blocks are mapped with transparent huge pages. Thread-safe.
#include <cstdint>

namespace mt {

struct AllocatorStats {
  int64_t cached_bytes = 0;  // held for reuse
  int64_t hits = 0;          // allocations served from the cache
  int64_t misses = 0;        // allocations that went to the system
};

// A block of at least `nbytes` (>= 0), 64-byte aligned; throws OutOfMemory.
void* host_allocate(int64_t nbytes);
// Returns a block from host_allocate(nbytes) (the same nbytes).
void host_free(void* block, int64_t nbytes);

AllocatorStats allocator_stats();
// Gives every cached block back to the system.
void empty_cache();
// The most the cache may hold (bytes; default 2 GiB, or MINITENSOR_CACHE_BYTES); 0 disables
// caching. Lowering it empties the cache.
void set_cache_limit(int64_t bytes);

}  // namespace mt
