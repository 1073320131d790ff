/* timing.h: the clock and the sort order that the C benchmarks share. */
#ifndef MT_BENCH_TIMING_H
#define MT_BENCH_TIMING_H
#include <time.h>

/* Seconds on the monotonic clock. */
static inline double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* qsort's comparison of doubles, for ascending order. */
static inline int ascending(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

#endif
