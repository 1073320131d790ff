#include "backend/cpu_par/parallel.hpp"

#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "tensor/error.hpp"

// TBB's own synchronization is invisible to ThreadSanitizer (libtbb is not instrumented), so
// the edges it guarantees are declared here (see Handoff and parallel_for_impl).
#if defined(__SANITIZE_THREAD__)
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#define MT_TSAN_ACQUIRE(addr) __tsan_acquire((void*)(addr))
#define MT_TSAN_RELEASE(addr) __tsan_release((void*)(addr))
#else
#define MT_TSAN_ACQUIRE(addr) ((void)(addr))
#define MT_TSAN_RELEASE(addr) ((void)(addr))
#endif

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
namespace {

// A callable handed to TBB, which copies it into tasks that other threads run. Each copy
// declares an edge from the thread that made it to the thread that calls it, which is what
// TBB's task hand-off guarantees, and an edge from the last user of its memory (TBB recycles
// task memory) to its maker. Chunks get no edges among themselves, so a race between two
// chunks is still reported.
template <class F> class Handoff {
 public:
  explicit Handoff(const F& f) : f_((MT_TSAN_ACQUIRE(this), f)) { MT_TSAN_RELEASE(this); }
  Handoff(const Handoff& other) : f_((MT_TSAN_ACQUIRE(this), MT_TSAN_ACQUIRE(&other), other.f_)) {
    MT_TSAN_RELEASE(this);
  }
  Handoff& operator=(const Handoff&) = delete;
  ~Handoff() { MT_TSAN_RELEASE(this); }

  template <class... Args> void operator()(Args&&... args) const {
    MT_TSAN_ACQUIRE(this);
    f_(std::forward<Args>(args)...);
  }

 private:
  F f_;
};

}  // namespace

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
  // Every chunk happens before parallel_for returns (`done` carries that edge).
  char done = 0;
  const Handoff chunk_body([&](const tbb::blocked_range<int64_t>& r) {
    for (int64_t c = r.begin(); c < r.end(); ++c)
      call(body, c * grain, std::min(n, (c + 1) * grain));
    MT_TSAN_RELEASE(&done);
  });
  // simple_partitioner with grain 1 over chunk numbers: TBB never merges or splits our chunks.
  // execute() may hand its functor to a worker when the arena is busy.
  const Handoff run([&] {
    tbb::parallel_for(tbb::blocked_range<int64_t>(0, chunks, 1), chunk_body,
                      tbb::simple_partitioner());
  });
  arena->execute(run);
  MT_TSAN_ACQUIRE(&done);
}

}  // namespace cpu_par
}  // namespace mt
