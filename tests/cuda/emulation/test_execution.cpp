// The emulation's execution model: index variables over 1-D to 3-D grids and blocks, argument
// passing, configuration checks, __syncthreads as a real barrier, static and dynamic shared
// memory, threads that return early, and launches from several host threads.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <numeric>
#include <thread>
#include <vector>

#include "backend/cuda/emu/cuda_compat.hpp"

namespace {

using mt::cuda::launch;

struct Seen {
  uint3 thread, block;
  dim3 block_dim, grid_dim;
};

__global__ void record_indices(Seen* seen, int* hits) {
  const unsigned thread = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
  const unsigned block = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
  const unsigned i = block * blockDim.x * blockDim.y * blockDim.z + thread;
  seen[i] = {threadIdx, blockIdx, blockDim, gridDim};
  atomicAdd(&hits[i], 1);
}

TEST(CudaEmulationLaunch, IndexVariablesCover3dGridsAndBlocks) {
  const dim3 grid(2, 3, 2), block(8, 2, 4);
  const unsigned threads = 64, blocks = 12;
  std::vector<Seen> seen(threads * blocks);
  std::vector<int> hits(seen.size());
  ASSERT_EQ(launch(record_indices, grid, block, 0, nullptr, seen.data(), hits.data()), cudaSuccess);
  for (unsigned i = 0; i < seen.size(); ++i) {
    SCOPED_TRACE(i);
    const unsigned t = i % threads, b = i / threads;
    EXPECT_EQ(hits[i], 1);
    EXPECT_EQ(seen[i].thread.x, t % 8);
    EXPECT_EQ(seen[i].thread.y, t / 8 % 2);
    EXPECT_EQ(seen[i].thread.z, t / 16);
    EXPECT_EQ(seen[i].block.x, b % 2);
    EXPECT_EQ(seen[i].block.y, b / 2 % 3);
    EXPECT_EQ(seen[i].block.z, b / 6);
    EXPECT_EQ(seen[i].block_dim.x * 100 + seen[i].block_dim.y * 10 + seen[i].block_dim.z, 824u);
    EXPECT_EQ(seen[i].grid_dim.x * 100 + seen[i].grid_dim.y * 10 + seen[i].grid_dim.z, 232u);
  }
}

__global__ void affine(const float* in, float* out, std::int64_t n) {
  for (std::int64_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += std::int64_t{gridDim.x} * blockDim.x)
    out[i] = 2 * in[i] + 1;
}

TEST(CudaEmulationLaunch, GridStrideLoopCoversEveryElement) {
  const int n = 10007;  // not a multiple of the 3 * 64 threads
  std::vector<float> in(n), out(n, -1);
  std::iota(in.begin(), in.end(), 0.0f);
  ASSERT_EQ(launch(affine, dim3(3), dim3(64), 0, nullptr, in.data(), out.data(), n), cudaSuccess);
  for (int i = 0; i < n; ++i)
    ASSERT_EQ(out[i], 2.0f * i + 1) << i;
}

__global__ void modify_parameter(int value, int* out) {
  value += static_cast<int>(threadIdx.x);
  out[threadIdx.x] = value;
}

TEST(CudaEmulationLaunch, EachThreadGetsItsOwnCopyOfTheArguments) {
  std::vector<int> out(32);
  ASSERT_EQ(launch(modify_parameter, dim3(1), dim3(32), 0, nullptr, 100, out.data()), cudaSuccess);
  for (int t = 0; t < 32; ++t)
    EXPECT_EQ(out[t], 100 + t);
}

__global__ void count_threads(int* count) { atomicAdd(count, 1); }

TEST(CudaEmulationLaunch, AcceptsTheLimits) {
  int count = 0;
  EXPECT_EQ(launch(count_threads, dim3(2), dim3(1024), 0, nullptr, &count), cudaSuccess);
  EXPECT_EQ(launch(count_threads, dim3(1, 1, 2), dim3(32, 32), 0, nullptr, &count), cudaSuccess);
  EXPECT_EQ(launch(count_threads, dim3(1), dim3(1, 1, 64), 48 * 1024, nullptr, &count),
            cudaSuccess);
  EXPECT_EQ(count, 2 * 1024 + 2 * 1024 + 64);
}

TEST(CudaEmulationLaunch, RejectsBadConfigurationsWithoutRunning) {
  struct Case {
    dim3 grid, block;
    std::size_t shared_bytes;
    cudaError_t error;
  };
  const Case cases[] = {
      {dim3(1), dim3(0), 0, cudaErrorInvalidConfiguration},
      {dim3(1), dim3(1056), 0, cudaErrorInvalidConfiguration},       // over 1024 threads
      {dim3(1), dim3(32, 32, 2), 0, cudaErrorInvalidConfiguration},  // ditto, in 3-D
      {dim3(1), dim3(1, 1, 96), 0, cudaErrorInvalidConfiguration},   // blockDim.z over 64
      {dim3(1), dim3(48), 0, cudaErrorInvalidConfiguration},         // not whole warps
      {dim3(1), dim3(1), 0, cudaErrorInvalidConfiguration},
      {dim3(0), dim3(32), 0, cudaErrorInvalidConfiguration},
      {dim3(1, 0), dim3(32), 0, cudaErrorInvalidConfiguration},
      {dim3(0x80000000u), dim3(32), 0, cudaErrorInvalidConfiguration},
      {dim3(1, 65536), dim3(32), 0, cudaErrorInvalidConfiguration},
      {dim3(1, 1, 65536), dim3(32), 0, cudaErrorInvalidConfiguration},
      {dim3(1), dim3(32), 48 * 1024 + 1, cudaErrorInvalidValue},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message()
                 << "grid " << c.grid.x << "," << c.grid.y << "," << c.grid.z << " block "
                 << c.block.x << "," << c.block.y << "," << c.block.z);
    int count = 0;
    EXPECT_EQ(launch(count_threads, c.grid, c.block, c.shared_bytes, nullptr, &count), c.error);
    EXPECT_EQ(count, 0);
    EXPECT_EQ(cudaGetLastError(), cudaSuccess);  // launch consumed it
  }
}

// Every thread counts itself in, then reads the count after the barrier; the last thread is
// late, so a barrier that does not wait shows a short count. Three rounds reuse the barrier.
__global__ void count_before_barrier(int* counts) {
  __shared__ int arrived;
  for (int round = 0; round < 3; ++round) {
    if (threadIdx.x == 0) arrived = 0;
    __syncthreads();
    if (threadIdx.x == blockDim.x - 1) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    atomicAdd(&arrived, 1);
    __syncthreads();
    counts[(blockIdx.x * 3 + round) * blockDim.x + threadIdx.x] = arrived;
    __syncthreads();  // before thread 0 resets it
  }
}

TEST(CudaEmulationBarrier, EveryThreadArrivesBeforeAnyLeaves) {
  std::vector<int> counts(2 * 3 * 64);
  ASSERT_EQ(launch(count_before_barrier, dim3(2), dim3(64), 0, nullptr, counts.data()),
            cudaSuccess);
  for (int c : counts)
    ASSERT_EQ(c, 64);
}

// The classic tree reduction: each step reads what other threads wrote in the step before.
constexpr unsigned kReduceThreads = 256;

__global__ void block_sums(const std::int64_t* in, std::int64_t* sums) {
  __shared__ std::int64_t partial[kReduceThreads];
  const unsigned t = threadIdx.x;
  partial[t] = in[blockIdx.x * blockDim.x + t];
  __syncthreads();
  for (unsigned half = blockDim.x / 2; half > 0; half /= 2) {
    if (t < half) partial[t] += partial[t + half];
    __syncthreads();
  }
  if (t == 0) sums[blockIdx.x] = partial[0];
}

std::vector<std::int64_t> reduce_blocks(const std::vector<std::int64_t>& in) {
  std::vector<std::int64_t> sums(in.size() / kReduceThreads);
  EXPECT_EQ(launch(block_sums, dim3(static_cast<unsigned>(sums.size())), dim3(kReduceThreads), 0,
                   nullptr, in.data(), sums.data()),
            cudaSuccess);
  return sums;
}

std::vector<std::int64_t> squares(std::size_t n, std::int64_t offset) {
  std::vector<std::int64_t> v(n);
  for (std::size_t i = 0; i < n; ++i)
    v[i] = static_cast<std::int64_t>(i * i) + offset;
  return v;
}

void expect_block_sums(const std::vector<std::int64_t>& in, const std::vector<std::int64_t>& sums) {
  ASSERT_EQ(sums.size() * kReduceThreads, in.size());
  for (std::size_t b = 0; b < sums.size(); ++b) {
    const auto first = in.begin() + static_cast<std::ptrdiff_t>(b * kReduceThreads);
    EXPECT_EQ(sums[b], std::accumulate(first, first + kReduceThreads, std::int64_t{0})) << b;
  }
}

TEST(CudaEmulationBarrier, SharedMemoryTreeReduction) {
  const std::vector<std::int64_t> in = squares(5 * kReduceThreads, 0);
  expect_block_sums(in, reduce_blocks(in));
}

// A 2-D block stages a 8x32 tile in shared memory and writes it transposed: each thread writes
// an element that another thread read.
constexpr unsigned kTileRows = 8, kTileCols = 32;

__global__ void transpose(const int* in, int* out, unsigned rows, unsigned cols) {
  __shared__ int tile[kTileRows][kTileCols];
  tile[threadIdx.y][threadIdx.x] =
      in[(blockIdx.y * kTileRows + threadIdx.y) * cols + blockIdx.x * kTileCols + threadIdx.x];
  __syncthreads();
  const unsigned t = threadIdx.y * kTileCols + threadIdx.x;
  const unsigned r = t % kTileRows, c = t / kTileRows;  // of the tile
  out[(blockIdx.x * kTileCols + c) * rows + blockIdx.y * kTileRows + r] = tile[r][c];
}

TEST(CudaEmulationBarrier, TransposeThroughSharedMemoryIn2dBlocks) {
  const unsigned rows = 2 * kTileRows, cols = 3 * kTileCols;
  std::vector<int> in(rows * cols), out(in.size(), -1);
  std::iota(in.begin(), in.end(), 0);
  ASSERT_EQ(launch(transpose, dim3(3, 2), dim3(kTileCols, kTileRows), 0, nullptr, in.data(),
                   out.data(), rows, cols),
            cudaSuccess);
  for (unsigned r = 0; r < rows; ++r)
    for (unsigned c = 0; c < cols; ++c)
      ASSERT_EQ(out[c * rows + r], in[r * cols + c]);
}

// Threads past `active` return at once; the others still meet at __syncthreads and __syncwarp,
// and in the next block everyone counts again.
__global__ void partly_exited(unsigned active, int* out) {
  __shared__ int sum;
  const unsigned t = threadIdx.x;
  if (t == 0) sum = 0;
  __syncthreads();
  if (t >= active + blockIdx.x * blockDim.x) return;
  atomicAdd(&sum, 1);
  __syncwarp();
  __syncthreads();
  out[blockIdx.x * blockDim.x + t] = sum;
}

TEST(CudaEmulationBarrier, ThreadsThatReturnNoLongerCount) {
  std::vector<int> out(2 * 96, -1);
  ASSERT_EQ(launch(partly_exited, dim3(2), dim3(96), 0, nullptr, 40u, out.data()), cudaSuccess);
  for (unsigned t = 0; t < 96; ++t) {
    EXPECT_EQ(out[t], t < 40 ? 40 : -1) << t;
    EXPECT_EQ(out[96 + t], 96) << t;
  }
}

// Reverses each block's slice through dynamic shared memory.
__global__ void reverse_blocks(const double* in, double* out) {
  double* staged = mt::cuda::dynamic_shared<double>();
  const unsigned base = blockIdx.x * blockDim.x;
  staged[threadIdx.x] = in[base + threadIdx.x];
  __syncthreads();
  out[base + threadIdx.x] = staged[blockDim.x - 1 - threadIdx.x];
}

TEST(CudaEmulationLaunch, DynamicSharedMemory) {
  const unsigned threads = 64, blocks = 3;
  std::vector<double> in(threads * blocks), out(in.size());
  std::iota(in.begin(), in.end(), 0.5);
  ASSERT_EQ(launch(reverse_blocks, dim3(blocks), dim3(threads), threads * sizeof(double), nullptr,
                   in.data(), out.data()),
            cudaSuccess);
  for (unsigned i = 0; i < in.size(); ++i)
    EXPECT_EQ(out[i], in[i / threads * threads + threads - 1 - i % threads]) << i;
}

// The static shared array of block_sums would be shared between concurrent launches if they were
// not serialized.
TEST(CudaEmulationLaunch, LaunchesFromSeveralHostThreadsAreSerialized) {
  std::vector<std::thread> hosts;
  for (int h = 0; h < 4; ++h)
    hosts.emplace_back([h] {
      const std::vector<std::int64_t> in = squares(2 * kReduceThreads, h * 1000003);
      for (int repeat = 0; repeat < 5; ++repeat)
        expect_block_sums(in, reduce_blocks(in));
    });
  for (std::thread& host : hosts)
    host.join();
}

}  // namespace
