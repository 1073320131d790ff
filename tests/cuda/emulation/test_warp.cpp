// Warp shuffles of every kind, width and type, and atomics under contention.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <numeric>
#include <vector>

#include "backend/cuda/emu/cuda_compat.hpp"

namespace {

using mt::cuda::launch;

constexpr unsigned kFull = 0xffffffffu;
constexpr unsigned kWarps = 2;  // per block; the grid has two blocks

// Lane `lane` of warp `warp` (counted over the grid) publishes this; 64-bit types get a value
// that needs the high half.
template <class T> T published(unsigned warp, unsigned lane) {
  const auto base = static_cast<T>(sizeof(T) == 8 && std::is_integral_v<T> ? 1ll << 40 : 0);
  return static_cast<T>(base + static_cast<T>(warp * 100 + lane));
}

// Each case reads from one lane; where CUDA's rules leave nothing to read, the lane's own value.
struct ShuffleCase {
  const char* name;
  std::function<unsigned(unsigned lane)> source;
};

const std::vector<ShuffleCase>& shuffle_cases() {
  static const std::vector<ShuffleCase> cases = {
      {"shfl 5", [](unsigned) { return 5u; }},
      {"shfl -1", [](unsigned) { return 31u; }},
      {"shfl 5 width 8", [](unsigned l) { return l / 8 * 8 + 5; }},
      {"up 3", [](unsigned l) { return l >= 3 ? l - 3 : l; }},
      {"up 3 width 8", [](unsigned l) { return l % 8 >= 3 ? l - 3 : l; }},
      {"down 3", [](unsigned l) { return l + 3 < 32 ? l + 3 : l; }},
      {"down 3 width 8", [](unsigned l) { return l % 8 + 3 < 8 ? l + 3 : l; }},
      {"xor 1", [](unsigned l) { return l ^ 1; }},
      {"xor 4 width 8", [](unsigned l) { return l ^ 4; }},
      // Odd segments of 8 read the segment before; even ones would read the one after.
      {"xor 8 width 8", [](unsigned l) { return l / 8 % 2 == 1 ? l - 8 : l; }},
      {"xor 16 width 16", [](unsigned l) { return l >= 16 ? l - 16 : l; }},
  };
  return cases;
}

template <class T> __global__ void shuffle_all(T* out) {
  const unsigned t = blockIdx.x * blockDim.x + threadIdx.x;
  const T v = published<T>(t / 32, t % 32);
  const T results[] = {
      __shfl_sync(kFull, v, 5),          __shfl_sync(kFull, v, -1),
      __shfl_sync(kFull, v, 5, 8),       __shfl_up_sync(kFull, v, 3),
      __shfl_up_sync(kFull, v, 3, 8),    __shfl_down_sync(kFull, v, 3),
      __shfl_down_sync(kFull, v, 3, 8),  __shfl_xor_sync(kFull, v, 1),
      __shfl_xor_sync(kFull, v, 4, 8),   __shfl_xor_sync(kFull, v, 8, 8),
      __shfl_xor_sync(kFull, v, 16, 16),
  };
  const unsigned n = sizeof results / sizeof results[0];
  for (unsigned k = 0; k < n; ++k)
    out[t * n + k] = results[k];
}

template <class T> class CudaEmulationShuffle : public testing::Test {};
using ShuffledTypes = testing::Types<float, double, int, unsigned, long long>;
TYPED_TEST_SUITE(CudaEmulationShuffle, ShuffledTypes);

TYPED_TEST(CudaEmulationShuffle, EveryKindAndWidth) {
  using T = TypeParam;
  const auto& cases = shuffle_cases();
  const unsigned threads = 2 * kWarps * 32;
  std::vector<T> out(threads * cases.size());
  ASSERT_EQ(launch(shuffle_all<T>, dim3(2), dim3(kWarps * 32), 0, nullptr, out.data()),
            cudaSuccess);
  for (unsigned t = 0; t < threads; ++t)
    for (std::size_t k = 0; k < cases.size(); ++k)
      ASSERT_EQ(out[t * cases.size() + k], published<T>(t / 32, cases[k].source(t % 32)))
          << cases[k].name << ", thread " << t;
}

// A butterfly: after five xor steps every lane holds its warp's sum.
__global__ void warp_sums(const int* in, int* out) {
  const unsigned t = blockIdx.x * blockDim.x + threadIdx.x;
  int v = in[t];
  for (int mask = 16; mask > 0; mask /= 2)
    v += __shfl_xor_sync(kFull, v, mask);
  out[t] = v;
}

TEST(CudaEmulationShuffle, ButterflyReduction) {
  const unsigned threads = 3 * 128;
  std::vector<int> in(threads), out(threads);
  for (unsigned i = 0; i < threads; ++i)
    in[i] = static_cast<int>(i * i % 97) - 40;
  ASSERT_EQ(launch(warp_sums, dim3(3), dim3(128), 0, nullptr, in.data(), out.data()), cudaSuccess);
  for (unsigned t = 0; t < threads; ++t) {
    const auto warp = in.begin() + t / 32 * 32;
    ASSERT_EQ(out[t], std::accumulate(warp, warp + 32, 0)) << t;
  }
}

constexpr unsigned kAtomicBlocks = 4, kAtomicThreads = 256, kRepeats = 50;
constexpr unsigned kAdds = kAtomicBlocks * kAtomicThreads * kRepeats;

template <class T> __global__ void add_ones(T* total) {
  for (unsigned r = 0; r < kRepeats; ++r)
    atomicAdd(total, T(1));
}

template <class T> class CudaEmulationAtomicAdd : public testing::Test {};
using AddedTypes = testing::Types<float, double, int, unsigned, unsigned long long>;
TYPED_TEST_SUITE(CudaEmulationAtomicAdd, AddedTypes);

TYPED_TEST(CudaEmulationAtomicAdd, UnderContention) {
  using T = TypeParam;
  T total = 0;  // exact in float too: below 2^24
  ASSERT_EQ(launch(add_ones<T>, dim3(kAtomicBlocks), dim3(kAtomicThreads), 0, nullptr, &total),
            cudaSuccess);
  EXPECT_EQ(total, T(kAdds));
}

// atomicAdd returns the old value: one add per thread hands out every ticket once.
__global__ void take_tickets(int* next, int* tickets) {
  tickets[blockIdx.x * blockDim.x + threadIdx.x] = atomicAdd(next, 1);
}

TEST(CudaEmulationAtomics, AddReturnsTheOldValue) {
  const int threads = kAtomicBlocks * kAtomicThreads;
  int next = 0;
  std::vector<int> tickets(threads);
  ASSERT_EQ(launch(take_tickets, dim3(kAtomicBlocks), dim3(kAtomicThreads), 0, nullptr, &next,
                   tickets.data()),
            cudaSuccess);
  std::sort(tickets.begin(), tickets.end());
  for (int i = 0; i < threads; ++i)
    ASSERT_EQ(tickets[i], i);
  EXPECT_EQ(next, threads);
}

int scattered(unsigned i) { return static_cast<int>(i * 7919u % 1000u) - 500; }

__global__ void extremes(int* max, int* min) {
  const unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  atomicMax(max, scattered(i));
  atomicMin(min, scattered(i));
}

TEST(CudaEmulationAtomics, MaxAndMin) {
  int max = -1000, min = 1000;
  ASSERT_EQ(launch(extremes, dim3(kAtomicBlocks), dim3(kAtomicThreads), 0, nullptr, &max, &min),
            cudaSuccess);
  std::vector<int> values(kAtomicBlocks * kAtomicThreads);
  for (unsigned i = 0; i < values.size(); ++i)
    values[i] = scattered(i);
  EXPECT_EQ(max, *std::max_element(values.begin(), values.end()));
  EXPECT_EQ(min, *std::min_element(values.begin(), values.end()));
  EXPECT_EQ(atomicMax(&max, -5000), max);  // returns the old value, keeps the larger
  EXPECT_EQ(atomicMin(&min, 5000), min);
}

// Increments built from compare-and-swap loops, as CUDA code builds atomics it lacks. The loop
// starts from a guess: a plain read of *total would race with the other threads' atomics.
template <class T> __global__ void add_by_cas(T* total) {
  for (unsigned r = 0; r < kRepeats; ++r) {
    T seen = 0;
    T old;
    while ((old = atomicCAS(total, seen, seen + 1)) != seen)
      seen = old;
  }
}

TEST(CudaEmulationAtomics, CompareAndSwapLoops) {
  int total = 0;
  unsigned long long wide = 1ull << 40;
  ASSERT_EQ(launch(add_by_cas<int>, dim3(kAtomicBlocks), dim3(kAtomicThreads), 0, nullptr, &total),
            cudaSuccess);
  ASSERT_EQ(launch(add_by_cas<unsigned long long>, dim3(kAtomicBlocks), dim3(kAtomicThreads), 0,
                   nullptr, &wide),
            cudaSuccess);
  EXPECT_EQ(total, static_cast<int>(kAdds));
  EXPECT_EQ(wide, (1ull << 40) + kAdds);
}

TEST(CudaEmulationAtomics, CompareAndSwapReturnsTheOldValue) {
  int x = 5;
  EXPECT_EQ(atomicCAS(&x, 5, 7), 5);
  EXPECT_EQ(x, 7);
  EXPECT_EQ(atomicCAS(&x, 5, 9), 7);
  EXPECT_EQ(x, 7);
}

}  // namespace
