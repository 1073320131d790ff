#pragma once
// CUDA errors as mt::Error exceptions, which the plugin's entries turn into a status and the
// thread's error text.
#include <string>

#include "backend/cuda/emu/cuda_compat.hpp"
#include "base/error.hpp"

namespace mt::cuda {

// "cudaErrorMemoryAllocation (out of memory)"
inline std::string error_text(cudaError_t error) {
  return cat(cudaGetErrorName(error), " (", cudaGetErrorString(error), ")");
}

// Throws "<context...>: <error_text>" unless `error` is cudaSuccess. A failed allocation is
// OutOfMemory; any other CUDA failure leaves the device unusable for the call.
template <class... Context> void check(cudaError_t error, const Context&... context) {
  if (error == cudaSuccess) return;
  // The failed call also set this thread's last error; clear it, or the next launch, which
  // returns cudaGetLastError(), would report it again.
  (void)cudaGetLastError();
  fail(error == cudaErrorMemoryAllocation ? ErrorCode::OutOfMemory : ErrorCode::DeviceUnavailable,
       context..., ": ", error_text(error));
}

}  // namespace mt::cuda
