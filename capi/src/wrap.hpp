#pragma once
// Tensors over memory that minitensor does not own (mt_from_blob, mt_from_dlpack).
#include <functional>

#include "mt.hpp"

namespace mt::capi {

// A tensor over `data` with `shape` and `strides` (elements, >= 0) that calls `release` exactly
// once when its last view dies. Everything is checked before the tensor exists: when this
// throws, `release` has not run and the memory is still the caller's.
Tensor wrap_memory(void* data, DType dtype, const Dims& shape, const Dims& strides,
                   std::function<void()> release);

}  // namespace mt::capi
