#pragma once
// Shape preparation for the kernels, done once on the host per launch (numpy's nditer and
// PyTorch's TensorIterator do the same): the operands of an op are described over the output's
// shape, then simplified so that the per-element index math on the device is as short as it
// can be.
//   1. broadcast: every input gets out's rank, right-aligned, with stride 0 in the dims where it
//      has size 1 (or no dim at all), so that all operands share one shape;
//   2. drop the dims of size 1 (their index is always 0);
//   3. coalesce: merge dim d into dim d+1 when every operand steps over d exactly as if d and d+1
//      were one longer dim (stride[d] == stride[d+1] * shape[d+1]).
// A contiguous tensor becomes one dim of stride 1; a transposed one stays two dims.
#include <cstdint>

#include "backend/cuda/emu/cuda_compat.hpp"
#include "backend/cuda/plugin_abi.h"
#include "base/host_device.hpp"

namespace mt::cuda {

// N operands walked together over one shape; by convention operand 0 is the one written.
// Passed to kernels by value (a few hundred bytes of kernel parameters).
template <int N> struct Layout {
  int rank = 0;
  int64_t numel = 1;
  int64_t shape[MT_CUDA_MAX_RANK] = {};
  int64_t strides[N][MT_CUDA_MAX_RANK] = {};

  // Storage offsets (in elements) of the element with row-major ordinal `i`, one per operand.
  // The index of dim d is i's digit in the mixed radix of the shape: peel the dims from the
  // last (fastest); what is left of i after that is the index of dim 0, which needs no division.
  MT_HD void offsets(int64_t i, int64_t (&offset)[N]) const {
    for (int k = 0; k < N; ++k)
      offset[k] = 0;
    for (int d = rank - 1; d > 0; --d) {
      const int64_t index = i % shape[d];
      i /= shape[d];
      for (int k = 0; k < N; ++k)
        offset[k] += index * strides[k][d];
    }
    if (rank > 0)
      for (int k = 0; k < N; ++k)
        offset[k] += i * strides[k][0];
  }

  // Every operand is walked with stride 1 (or there is a single element): element i of each
  // operand is at offset i, and kernels can skip offsets().
  bool contiguous() const {
    if (rank == 0) return true;
    if (rank > 1) return false;
    for (int k = 0; k < N; ++k)
      if (strides[k][0] != 1) return false;
    return true;
  }
};

// Steps 2 and 3 on a layout whose shape and strides are filled in for `rank` dims; sets numel.
template <int N> Layout<N> simplify(const Layout<N>& raw) {
  Layout<N> out;
  out.rank = 0;
  out.numel = 1;
  for (int d = 0; d < raw.rank; ++d) {
    out.numel *= raw.shape[d];
    if (raw.shape[d] == 1) continue;
    bool merges = out.rank > 0;
    for (int k = 0; k < N && merges; ++k)
      merges = out.strides[k][out.rank - 1] == raw.strides[k][d] * raw.shape[d];
    if (merges) {
      // The previous kept dim becomes the outer part of a longer dim with d's strides.
      out.shape[out.rank - 1] *= raw.shape[d];
      for (int k = 0; k < N; ++k)
        out.strides[k][out.rank - 1] = raw.strides[k][d];
    } else {
      out.shape[out.rank] = raw.shape[d];
      for (int k = 0; k < N; ++k)
        out.strides[k][out.rank] = raw.strides[k][d];
      ++out.rank;
    }
  }
  return out;
}

// The operands broadcast over operands[0]'s shape (numpy's rules), simplified.
template <int N> Layout<N> broadcast_layout(const mt_cuda_view* const (&operands)[N]) {
  const mt_cuda_view& out = *operands[0];
  Layout<N> raw;
  raw.rank = out.rank;
  for (int d = 0; d < out.rank; ++d) {
    raw.shape[d] = out.shape[d];
    for (int k = 0; k < N; ++k) {
      const mt_cuda_view& v = *operands[k];
      const int e = d - (out.rank - v.rank);  // v's dim that lines up with out's dim d
      raw.strides[k][d] = e < 0 || v.shape[e] == 1 ? 0 : v.strides[e];
    }
  }
  return simplify(raw);
}

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
