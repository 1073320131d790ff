#pragma once
// The parallel CPU backend's threading: a TBB arena whose size is the thread count, and a
// parallel loop over fixed chunks. Chunk boundaries depend only on the problem size and the
// grain, never on the thread count, so any per-chunk partial results combined in chunk order
// are bitwise identical for 1 or N threads.
#include <cstdint>
#include <type_traits>

namespace mt {

// Threads used by parallel ops: MINITENSOR_NUM_THREADS when set, else the hardware's, but never
// more than the CPUs this process may run on (its affinity mask): the effective count.
int num_threads();
// Sets the thread count (>= 1, clamped quietly to the CPUs this process may run on); 0 restores
// the default. Safe while other threads run ops: those finish with the count they started with.
void set_num_threads(int threads);

namespace cpu_par {

// A non-owning reference to a callable, so that the chunk body is not copied per task.
template <class F> void call_chunk(void* f, int64_t begin, int64_t end) {
  (*static_cast<F*>(f))(begin, end);
}

void parallel_for_impl(int64_t n, int64_t grain, void* body, void (*call)(void*, int64_t, int64_t));

// Calls body(begin, end) for the chunks [0, g), [g, 2g), ... of [0, n) with g = grain (the
// last chunk may be shorter), in parallel. Runs inline when there is one chunk or one thread.
template <class Body> void parallel_for(int64_t n, int64_t grain, Body&& body) {
  using F = std::remove_reference_t<Body>;
  parallel_for_impl(n, grain, const_cast<void*>(static_cast<const void*>(&body)), &call_chunk<F>);
}

}  // namespace cpu_par
}  // namespace mt
