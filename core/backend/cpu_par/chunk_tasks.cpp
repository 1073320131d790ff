#include "backend/cpu_par/chunk_tasks.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <utility>

// Under ThreadSanitizer this file is compiled uninstrumented (core/CMakeLists.txt), like libtbb
// itself: TBB's header code (task trees, wait counters on the caller's stack) then leaves no
// trace for TSan to misread as a race when that stack memory is reused later. Its
// synchronization is invisible either way, so the edges TBB guarantees to our code are declared
// here instead (see Handoff and run_chunks); the chunk bodies, compiled in other files,
// stay checked.
#if defined(MT_TSAN_ANNOTATE)
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#define MT_TSAN_ACQUIRE(addr) __tsan_acquire((void*)(addr))
#define MT_TSAN_RELEASE(addr) __tsan_release((void*)(addr))
#else
#define MT_TSAN_ACQUIRE(addr) ((void)(addr))
#define MT_TSAN_RELEASE(addr) ((void)(addr))
#endif

namespace mt::cpu_par {
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

void run_chunks(tbb::task_arena& arena, int64_t n, int64_t grain, void* body,
                void (*call)(void*, int64_t, int64_t)) {
  const int64_t chunks = (n + grain - 1) / grain;
  // Every chunk, and the thread that ran `run`, happens before run_chunks returns (`done`
  // carries that edge).
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
    MT_TSAN_RELEASE(&done);
  });
  arena.execute(run);
  MT_TSAN_ACQUIRE(&done);
}

}  // namespace mt::cpu_par
