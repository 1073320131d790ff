// The one header that CUDA kernel code includes. Under nvcc it is the CUDA runtime; under a host
// compiler it is the emulation (cuda_emulation.hpp), which runs the same kernel source on host
// threads, so that the kernels are tested without a GPU. Either way, kernels are launched through
// mt::cuda::launch rather than <<<...>>>, which only nvcc parses.
#pragma once

#if defined(__CUDACC__)
#include <cuda_runtime.h>
#else
#include "cuda_emulation.hpp"
#endif

#include <cstddef>
#include <utility>

namespace mt::cuda {

// kernel<<<grid, block, shared_bytes, stream>>>(args...); returns cudaGetLastError(), so a bad
// configuration, or an earlier unchecked error of this thread, is reported here. The emulation
// runs the kernel to completion before returning.
template <class... P, class... A>
cudaError_t launch(void (*kernel)(P...), dim3 grid, dim3 block, std::size_t shared_bytes,
                   cudaStream_t stream, A&&... args) {
#if defined(__CUDACC__)
  kernel<<<grid, block, shared_bytes, stream>>>(std::forward<A>(args)...);
#else
  emu::launch(kernel, grid, block, shared_bytes, stream, std::forward<A>(args)...);
#endif
  return cudaGetLastError();
}

// The block's dynamic shared memory (the launch's shared_bytes), 16-byte aligned; CUDA spells it
// `extern __shared__ T name[];`, which the emulation cannot express.
template <class T> __device__ __forceinline__ T* dynamic_shared() {
#if defined(__CUDACC__)
  extern __shared__ __align__(16) unsigned char mt_dynamic_shared[];
  return reinterpret_cast<T*>(mt_dynamic_shared);
#else
  return static_cast<T*>(emu::dynamic_shared_memory());
#endif
}

}  // namespace mt::cuda
