// The pool of worker threads behind launches: workers are real, distinct threads, kept from launch
// to launch; a launch uses exactly blockDim of them, whatever ran before it.
#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "backend/cuda/emu/cuda_compat.hpp"

namespace {

using mt::cuda::launch;

// How many kernels the calling worker has run, over the life of the process.
thread_local int kernels_run = 0;

__global__ void record_worker(std::thread::id* ids, int* runs) {
  ids[threadIdx.x] = std::this_thread::get_id();
  runs[threadIdx.x] = ++kernels_run;
}

TEST(CudaEmulationPool, WorkersAreDistinctThreadsKeptFromLaunchToLaunch) {
  const unsigned threads = 64;
  std::vector<std::thread::id> first(threads), second(threads);
  std::vector<int> first_runs(threads), second_runs(threads);
  ASSERT_EQ(
      launch(record_worker, dim3(1), dim3(threads), 0, nullptr, first.data(), first_runs.data()),
      cudaSuccess);
  ASSERT_EQ(
      launch(record_worker, dim3(1), dim3(threads), 0, nullptr, second.data(), second_runs.data()),
      cudaSuccess);
  const std::set<std::thread::id> distinct(first.begin(), first.end());
  EXPECT_EQ(distinct.size(), threads);
  EXPECT_EQ(distinct.count(std::this_thread::get_id()), 0u);
  for (unsigned t = 0; t < threads; ++t) {
    EXPECT_EQ(second[t], first[t]) << t;
    EXPECT_EQ(second_runs[t], first_runs[t] + 1) << t;  // thread-local state survives
  }
}

// Counts, per thread index, how often it ran; a worker past blockDim that ran would show.
__global__ void count_per_thread(int* hits) {
  const unsigned t = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
  atomicAdd(&hits[t], 1);
}

TEST(CudaEmulationPool, BlockSizesChangeFromLaunchToLaunch) {
  const dim3 blocks[] = {dim3(256), dim3(32), dim3(1024), dim3(64, 2), dim3(32), dim3(8, 4, 32)};
  for (const dim3& block : blocks) {
    const unsigned threads = block.x * block.y * block.z;
    SCOPED_TRACE(threads);
    std::vector<int> hits(1024);
    ASSERT_EQ(launch(count_per_thread, dim3(3), block, 0, nullptr, hits.data()), cudaSuccess);
    for (unsigned t = 0; t < hits.size(); ++t)
      ASSERT_EQ(hits[t], t < threads ? 3 : 0) << t;
  }
}

// Threads past `active` return at once, in every block; the threads that stay sum themselves up
// at a barrier.
__global__ void return_early(unsigned active, int* sums) {
  __shared__ int sum;
  if (threadIdx.x == 0) sum = 0;
  __syncthreads();
  if (threadIdx.x >= active) return;
  atomicAdd(&sum, 1);
  __syncthreads();
  if (threadIdx.x == 0) sums[blockIdx.x] = sum;
}

// Every thread takes part in a barrier and a shuffle, which a worker still counted out by the
// launch before would hang or corrupt.
__global__ void barrier_and_shuffle(int* sums) {
  __shared__ int sum;
  if (threadIdx.x == 0) sum = 0;
  __syncthreads();
  int lanes = 1;
  for (int offset = 16; offset > 0; offset /= 2)
    lanes += __shfl_down_sync(0xffffffffu, lanes, offset);
  if (threadIdx.x % 32 == 0) atomicAdd(&sum, lanes);
  __syncthreads();
  if (threadIdx.x == 0) sums[blockIdx.x] = sum;
}

TEST(CudaEmulationPool, LaunchAfterThreadsReturnedEarly) {
  std::vector<int> sums(2, -1);
  ASSERT_EQ(launch(return_early, dim3(2), dim3(128), 0, nullptr, 40u, sums.data()), cudaSuccess);
  EXPECT_EQ(sums, std::vector<int>(2, 40));
  ASSERT_EQ(launch(barrier_and_shuffle, dim3(2), dim3(128), 0, nullptr, sums.data()), cudaSuccess);
  EXPECT_EQ(sums, std::vector<int>(2, 128));
  ASSERT_EQ(launch(return_early, dim3(2), dim3(256), 0, nullptr, 0u, sums.data()), cudaSuccess);
  ASSERT_EQ(launch(barrier_and_shuffle, dim3(2), dim3(256), 0, nullptr, sums.data()), cudaSuccess);
  EXPECT_EQ(sums, std::vector<int>(2, 256));
}

// Host threads launch blocks of different sizes at once; each launch gets its own workers.
TEST(CudaEmulationPool, HostThreadsLaunchDifferentBlockSizes) {
  std::vector<std::thread> hosts;
  for (unsigned h = 0; h < 4; ++h)
    hosts.emplace_back([h] {
      const unsigned threads = 32u << h;  // 32 to 256
      for (int repeat = 0; repeat < 5; ++repeat) {
        std::vector<int> hits(1024), sums(2, -1);
        EXPECT_EQ(launch(count_per_thread, dim3(2), dim3(threads), 0, nullptr, hits.data()),
                  cudaSuccess);
        for (unsigned t = 0; t < hits.size(); ++t)
          EXPECT_EQ(hits[t], t < threads ? 2 : 0) << t;
        EXPECT_EQ(launch(barrier_and_shuffle, dim3(2), dim3(threads), 0, nullptr, sums.data()),
                  cudaSuccess);
        EXPECT_EQ(sums, std::vector<int>(2, static_cast<int>(threads)));
      }
    });
  for (std::thread& host : hosts)
    host.join();
}

}  // namespace
