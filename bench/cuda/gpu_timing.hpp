#pragma once
// Timing on the GPU for the CUDA benchmarks: the median of runs, each run followed by
// cuda_synchronize() (so small sizes show the launch and synchronization latency).
#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

#include "backend/cuda/cuda_runtime.hpp"
#include "mt.hpp"

namespace mt::bench {

inline const Device kGpu = Device::cuda(0);

inline double median_ms(const std::function<void()>& op, int runs) {
  for (int i = 0; i < 3; ++i)  // warm-up: first launches, allocator, cuBLAS handle
    op();
  cuda_synchronize();
  std::vector<double> samples;
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    op();
    cuda_synchronize();
    samples.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(samples.begin(), samples.end());
  const size_t n = samples.size();
  return n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
}

inline Tensor uniform(const Dims& shape, DType dtype) {
  return rand(shape, dtype, -1, 1, default_generator(), kGpu);
}

// The fused-kernel table (fused_table.cpp): fused plans against the same plans unfused and
// against a device copy, and the time to build a plan (generate and compile its kernels).
void fused_table(int runs);

}  // namespace mt::bench
