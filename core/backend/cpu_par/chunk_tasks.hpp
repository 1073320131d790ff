#pragma once
// The TBB side of parallel_for (parallel.hpp): the chunks handed to TBB's tasks.
#include <tbb/task_arena.h>

#include <cstdint>

namespace mt::cpu_par {

// Calls call(body, begin, end) for the chunks [0, grain), [grain, 2 grain), ... of [0, n) on
// the threads of `arena`, and returns when all are done.
void run_chunks(tbb::task_arena& arena, int64_t n, int64_t grain, void* body,
                void (*call)(void*, int64_t, int64_t));

}  // namespace mt::cpu_par
