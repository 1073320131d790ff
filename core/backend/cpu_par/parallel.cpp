#include "backend/cpu_par/parallel.hpp"

#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "backend/cpu_par/chunk_tasks.hpp"
#include "base/error.hpp"

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

// The threads this process may run: the CPUs of its affinity mask (under mpirun or taskset,
// fewer than the machine's), lowered by a tbb::global_control limit if the program set one.
// An arena asking TBB for more workers than that gets no more, and TBB prints a warning on
// stderr ("The number of workers is currently limited to ..."); a library must not print, so
// the count is clamped to this.
int usable_threads() {
  const auto limit =
      tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism);
  return static_cast<int>(
      std::min<size_t>(static_cast<size_t>(tbb::info::default_concurrency()), limit));
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
    threads =
        std::max(1, std::min(requested > 0 ? requested : default_threads(), usable_threads()));
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
  run_chunks(*arena, n, grain, body, call);
}

}  // namespace cpu_par
}  // namespace mt
