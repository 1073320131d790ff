#pragma once
// What a backend receives for each operand: a plain strided view of memory, without ownership,
// autodiff or checks. Element `index` is at data + sum(index[d] * strides[d]) elements. The
// frontend (ops/) builds these from tensors after all checks and view manipulation; the struct
// is layout-compatible with the CUDA plugin's mt_cuda_view (checked in
// backend/cuda/cuda_backend.cpp), so it crosses the plugin's C ABI as it is.
#include <cstdint>
#include <span>

#include "base/dims.hpp"
#include "base/dtype.hpp"

namespace mt {

struct StridedView {
  void* data;  // element (0, ..., 0), on the device that runs the op
  DType dtype;
  int32_t rank;
  // Only the first `rank` entries are set (filling all kMaxRank would cost on every op).
  int64_t shape[kMaxRank];
  int64_t strides[kMaxRank];  // in elements; 0 repeats one element
};

// Row-major with no gaps, ignoring dims of size 1 (whose stride never matters); true for no
// elements. Shared by Tensor::is_contiguous and the backends.
inline bool is_row_major(int rank, const int64_t* shape, const int64_t* strides) {
  for (int d = 0; d < rank; ++d)
    if (shape[d] == 0) return true;
  int64_t expected = 1;
  for (int d = rank - 1; d >= 0; --d) {
    if (shape[d] == 1) continue;
    if (strides[d] != expected) return false;
    expected *= shape[d];
  }
  return true;
}

inline int64_t numel(const StridedView& view) {
  int64_t count = 1;
  for (int d = 0; d < view.rank; ++d)
    count *= view.shape[d];
  return count;
}

inline bool is_contiguous(const StridedView& view) {
  return is_row_major(view.rank, view.shape, view.strides);
}

inline Dims shape_of(const StridedView& view) {
  return Dims(std::span<const int64_t>(view.shape, view.rank));
}
inline Dims strides_of(const StridedView& view) {
  return Dims(std::span<const int64_t>(view.strides, view.rank));
}

// The element pointer for the view's C++ element type T (the caller has dispatched on dtype).
template <class T> T* data_as(const StridedView& view) { return static_cast<T*>(view.data); }

}  // namespace mt
