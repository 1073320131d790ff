/* mt_bench_capi_calls: what one call across the C boundary costs, without the work behind it.
 * Four loops over a 4-element tensor: a query (the handle check and the error reset), a view
 * and its release (a handle made and recycled), a retain and a release, and a small zip with
 * its release. Prints the median over 15 rounds in ns per call, as a JSON line and a summary. */
#define _POSIX_C_SOURCE 199309L
#include <minitensor/minitensor.h>
#include <stdio.h>
#include <stdlib.h>

#include "timing.h"

enum { kCalls = 200000, kRounds = 15 };

static double median(double* values) {
  qsort(values, kRounds, sizeof *values, ascending);
  return values[kRounds / 2];
}

int main(void) {
  const int64_t shape[1] = {4};
  mt_tensor *x = NULL, *y = NULL;
  double query[kRounds], view[kRounds], retain[kRounds], zip[kRounds];
  int32_t ndim = 0;
  if (mt_ones(shape, 1, MT_FLOAT32, &x) != MT_OK) {
    fprintf(stderr, "mt_bench_capi_calls: %s\n", mt_last_error());
    return 1;
  }
  for (int round = 0; round < kRounds; ++round) {
    const double t0 = seconds();
    for (int i = 0; i < kCalls; ++i)
      mt_ndim(x, &ndim);
    const double t1 = seconds();
    for (int i = 0; i < kCalls; ++i) {
      mt_detach(x, &y);
      mt_release(y);
    }
    const double t2 = seconds();
    for (int i = 0; i < kCalls; ++i) {
      mt_retain(x);
      mt_release(x);
    }
    const double t3 = seconds();
    for (int i = 0; i < kCalls / 10; ++i) {
      mt_zip(MT_ZIP_ADD, x, x, &y);
      mt_release(y);
    }
    const double t4 = seconds();
    query[round] = (t1 - t0) / kCalls * 1e9;
    view[round] = (t2 - t1) / kCalls * 1e9;
    retain[round] = (t3 - t2) / kCalls * 1e9;
    zip[round] = (t4 - t3) / (kCalls / 10) * 1e9;
  }
  mt_release(x);
  printf(
      "{\"case\": \"capi_calls\", \"query_ns\": %.1f, \"detach_release_ns\": %.1f, "
      "\"retain_release_ns\": %.1f, \"zip4_release_ns\": %.1f}\n",
      median(query), median(view), median(retain), median(zip));
  printf(
      "mt_bench_capi_calls: ns per call (median of %d rounds): mt_ndim %.1f, mt_detach + "
      "mt_release %.1f, mt_retain + mt_release %.1f, mt_zip of 4 + mt_release %.1f\n",
      kRounds, query[kRounds / 2], view[kRounds / 2], retain[kRounds / 2], zip[kRounds / 2]);
  return 0;
}
