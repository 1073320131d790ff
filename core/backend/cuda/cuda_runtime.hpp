#pragma once
// The CUDA backend as the core sees it: the plugin (libminitensor_cuda.so) is loaded on first
// use; where it cannot be (no plugin in this build, a CUDA library missing, no driver, no
// device), CUDA is unavailable, these queries say why, and everything on the CPU works as
// before. All functions are safe to call from any thread.
#include <cstdint>
#include <string>

namespace mt {

// Number of CUDA devices; 0 when CUDA is unavailable.
int32_t cuda_device_count();
// Why CUDA is unavailable ("" when it is available).
std::string cuda_unavailable_reason();
// "NVIDIA H200 (sm_90)"; throws DeviceUnavailable / InvalidArgument (bad index).
std::string cuda_device_name(int32_t index);

// Which GEMM CUDA matmuls use: the project's tiled kernel (the default, every layout) or
// cuBLAS (contiguous operands; the others still take the kernel).
enum class CudaMatmul : int32_t { Kernel = 0, Cublas = 1 };
void cuda_set_matmul(CudaMatmul which);  // throws Unsupported where cuBLAS is unavailable
CudaMatmul cuda_matmul();

// Waits until every device has finished the work queued so far (ops are asynchronous; only
// reads by the host wait by themselves).
void cuda_synchronize();

struct CudaMemoryStats {
  int64_t in_use = 0;  // bytes held by tensors
  int64_t cached = 0;  // bytes kept by the caching allocator for reuse
};
CudaMemoryStats cuda_memory_stats(int32_t index);
// Gives the cached blocks of every device back to the driver.
void cuda_empty_cache();

}  // namespace mt
