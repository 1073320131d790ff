#include "backend/cpu_par/parallel.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "tensor/error.hpp"

namespace mt {
namespace {

int default_threads() {
  if (const char* env = std::getenv("MINITENSOR_NUM_THREADS"); env && *env) {
    char* end = nullptr;
    const long value = std::strtol(env, &end, 10);
    if (*end != '\0' || value < 1 || value > 4096)
      fail(ErrorCode::InvalidArgument, "MINITENSOR_NUM_THREADS=", env,
           " is not a thread count from 1 to 4096");
    return static_cast<int>(value);
  }
  const unsigned hardware = std::thread::hardware_concurrency();
  return hardware > 0 ? static_cast<int>(hardware) : 1;
}

// The arena in use. An op copies the shared_ptr, so set_num_threads can swap in a new arena
// while ops on other threads finish in the old one.
struct ArenaSlot {
  std::mutex mutex;
  std::shared_ptr<tbb::task_arena> arena;
  int threads = 0;

  std::shared_ptr<tbb::task_arena> get(int* threads_out) {
    std::lock_guard lock(mutex);
    if (!arena) reset(0);
    if (threads_out) *threads_out = threads;
    return arena;
  }
  void reset(int requested) {
    threads = requested > 0 ? requested : default_threads();
    arena = std::make_shared<tbb::task_arena>(threads);
  }
};

ArenaSlot& arena_slot() {
  static ArenaSlot slot;
  return slot;
}

}  // namespace

int num_threads() {
  int threads = 0;
  arena_slot().get(&threads);
  return threads;
}

void set_num_threads(int threads) {
  if (threads < 0 || threads > 4096)
    fail(ErrorCode::InvalidArgument, "set_num_threads: ", threads,
         " is not a thread count from 1 to 4096 (or 0 for the default)");
  ArenaSlot& slot = arena_slot();
  std::lock_guard lock(slot.mutex);
  slot.reset(threads);
}

namespace cpu_par {

void parallel_for_impl(int64_t n, int64_t grain, void* body,
                       void (*call)(void*, int64_t, int64_t)) {
  if (n <= 0) return;
  if (grain < 1) grain = 1;
  const int64_t chunks = (n + grain - 1) / grain;
  int threads = 0;
  const std::shared_ptr<tbb::task_arena> arena = arena_slot().get(&threads);
  if (chunks == 1 || threads == 1) {
    for (int64_t c = 0; c < chunks; ++c)
      call(body, c * grain, std::min(n, (c + 1) * grain));
    return;
  }
  // simple_partitioner with grain 1 over chunk numbers: TBB never merges or splits our chunks.
  arena->execute([&] {
    tbb::parallel_for(
        tbb::blocked_range<int64_t>(0, chunks, 1),
        [&](const tbb::blocked_range<int64_t>& r) {
          for (int64_t c = r.begin(); c < r.end(); ++c)
            call(body, c * grain, std::min(n, (c + 1) * grain));
        },
        tbb::simple_partitioner());
  });
}

}  // namespace cpu_par
}  // namespace mt
