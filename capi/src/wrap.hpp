#pragma once
// Tensors over memory that minitensor does not own (mt_from_blob, mt_from_dlpack).
#include <functional>

#include "boundary.hpp"

namespace mt::capi {

// A new handle to a tensor over `data` with `shape` and `strides` (elements, >= 0) that calls
// `release` exactly once when its last view dies. `data` must be aligned to the element size
// (reads through a misaligned pointer are undefined behaviour) and the elements must lie inside
// the address space; messages call it `what`. When this throws, `release` has not run and
// will not: the memory is still the caller's.
mt_tensor* wrap_memory(void* data, const char* what, DType dtype, const Dims& shape,
                       const Dims& strides, std::function<void()> release);

}  // namespace mt::capi
