#pragma once
// Host-side helpers shared by the launchers: argument checks, dtype dispatch and grid sizes.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <initializer_list>

#include "backend/cuda/emu/cuda_compat.hpp"
#include "backend/cuda/kernels/thread_groups.cuh"
#include "backend/cuda/plugin_abi.h"

namespace mt::cuda {

// Blocks per SM that a grid asks for at most (kWarpSize and kBlockThreads: thread_groups.cuh).
inline constexpr int kBlocksPerSm = 8;

// Calls f(float{}) or f(double{}) for a view's dtype; an unknown dtype is an invalid value.
template <class F> cudaError_t with_dtype(int32_t dtype, F&& f) {
  if (dtype == 0) return f(float{});
  if (dtype == 1) return f(double{});
  return cudaErrorInvalidValue;
}

// Whether every view has the dtype of the first.
inline bool same_dtype(std::initializer_list<const mt_cuda_view*> views) {
  for (const mt_cuda_view* v : views)
    if (v->dtype != (*views.begin())->dtype) return false;
  return true;
}

// Whether `op` is a value of an op enumeration with `count` entries.
template <class Op> bool valid_op(Op op, int count) {
  return static_cast<int32_t>(op) >= 0 && static_cast<int32_t>(op) < count;
}

// Multiprocessors of the current device, queried once per device (cudaGetDeviceProperties is
// slow: it reads every attribute); 1 when the query fails, so that a launch still goes ahead and
// reports the real error.
inline int sm_count() {
  constexpr int kMaxDevices = 64;
  static std::atomic<int> cache[kMaxDevices] = {};
  int device = 0;
  if (cudaGetDevice(&device) != cudaSuccess || device < 0 || device >= kMaxDevices) {
    cudaGetLastError();  // do not leave the failed query as the launch's error
    return 1;
  }
  int count = cache[device].load(std::memory_order_relaxed);
  if (count == 0) {
    cudaDeviceProp prop;
    if (cudaGetDeviceProperties(&prop, device) != cudaSuccess) {
      cudaGetLastError();
      return 1;
    }
    count = prop.multiProcessorCount > 0 ? prop.multiProcessorCount : 1;
    cache[device].store(count, std::memory_order_relaxed);
  }
  return count;
}

// Threads for a block that serves `items` independent items (one per thread): a whole number
// of warps, at most kBlockThreads, no more than the items need (small launches stay small,
// which also keeps the host emulation fast).
inline unsigned block_threads(int64_t items) {
  const int64_t warps =
      std::clamp<int64_t>((items + kWarpSize - 1) / kWarpSize, 1, kBlockThreads / kWarpSize);
  return static_cast<unsigned>(warps * kWarpSize);
}

// Blocks for `items` items at `per_block` items per block, capped at kBlocksPerSm per SM: the
// kernels loop (grid-stride) over what does not fit, so a launch never needs more blocks than
// the device can hold at once.
inline unsigned grid_blocks(int64_t items, int64_t per_block) {
  const int64_t wanted = (items + per_block - 1) / per_block;
  return static_cast<unsigned>(std::clamp<int64_t>(wanted, 1, int64_t{kBlocksPerSm} * sm_count()));
}

}  // namespace mt::cuda
