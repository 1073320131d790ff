#pragma once
// Small helpers over the plugin's views for the launchers. The operands of an op are walked
// through the shared layout (base/strided_layout.hpp) in logical order: element i of the layout
// is output element i in row-major order, which the one-thread-per-ordinal kernels rely on.
#include <cstdint>

#include "backend/cuda/emu/cuda_compat.hpp"
#include "backend/cuda/plugin_abi.h"
#include "base/host_device.hpp"
#include "base/strided_layout.hpp"

namespace mt::cuda {

__host__ __device__ inline int64_t magnitude(int64_t v) { return v < 0 ? -v : v; }

// The number of elements of a view.
inline int64_t numel(const mt_cuda_view& v) {
  int64_t n = 1;
  for (int d = 0; d < v.rank; ++d)
    n *= v.shape[d];
  return n;
}

template <class T> T* data(const mt_cuda_view& v) { return static_cast<T*>(v.data); }

}  // namespace mt::cuda
