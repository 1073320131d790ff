/* The interface between the core and the CUDA plugin (libminitensor_cuda.so), which the core
 * loads with dlopen. Plain C, so that the plugin and the core share no C++ ABI: no exceptions,
 * classes or allocations cross it. Private to minitensor (not installed); the plugin is built
 * from this source tree, and the core refuses a plugin whose abi_version differs. */
#ifndef MT_CUDA_PLUGIN_ABI_H
#define MT_CUDA_PLUGIN_ABI_H
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MT_CUDA_PLUGIN_ABI_VERSION 2
/* Equal to mt::kMaxRank. */
#define MT_CUDA_MAX_RANK 16

/* A strided tensor in device memory: element `index` is at
 * data + sum(index[d] * strides[d]) elements. dtype: 0 float32, 1 float64 (mt::DType). */
typedef struct mt_cuda_view {
  void* data;
  int32_t dtype;
  int32_t rank;
  int64_t shape[MT_CUDA_MAX_RANK];
  int64_t strides[MT_CUDA_MAX_RANK];
} mt_cuda_view;

/* Which GEMM runs matmul. */
enum { MT_CUDA_MATMUL_KERNEL = 0, MT_CUDA_MATMUL_CUBLAS = 1 };

/* Every int32_t function returns 0 on success; on failure an mt::ErrorCode value (1 invalid
 * argument, 6 out of memory, 7 unsupported, 10 a CUDA error: device unavailable or failing)
 * and last_error() describes it (thread-local text, valid until the thread's next call). `device`
 * is a CUDA device ordinal below init's count. Op entries have the contracts of mt::Backend
 * (backend/backend.hpp): inputs broadcast to out's shape, out does not overlap them; the op
 * values are mt::UnaryOp / BinaryOp / ReduceOp. All work runs on one stream per device, in
 * order; only the copies to the host and synchronize() wait for it. */
typedef struct mt_cuda_plugin {
  int32_t abi_version;
  const char* (*last_error)(void);
  /* Finds the devices; fails (with the reason: no driver, no device, ...) when there are none. */
  int32_t (*init)(int32_t* device_count);
  /* "NVIDIA H200 (sm_90)", or the emulation's name. Static text. */
  const char* (*device_name)(int32_t device);

  /* Caching allocator: allocate reuses a cached block of the same size class when there is one;
   * release returns the block to the cache (stream-ordered: later work on the stream may reuse
   * it at once). empty_cache frees every cached block. */
  int32_t (*allocate)(int32_t device, int64_t nbytes, void** out);
  void (*release)(int32_t device, void* data, int64_t nbytes);
  int32_t (*empty_cache)(int32_t device);
  /* Bytes handed out and not released, and bytes held in the cache. */
  int32_t (*memory_stats)(int32_t device, int64_t* in_use, int64_t* cached);

  /* Host <-> device copies of contiguous bytes, queued on the stream. to_device returns once
   * `src` may be reused (without waiting for the stream when src is pageable memory); to_host
   * waits for the stream, so the host sees all work queued before. */
  int32_t (*copy_to_device)(int32_t device, void* dst, const void* src, int64_t nbytes);
  int32_t (*copy_to_host)(int32_t device, void* dst, const void* src, int64_t nbytes);
  int32_t (*synchronize)(int32_t device);

  int32_t (*map)(int32_t device, int32_t op, const mt_cuda_view* in, const mt_cuda_view* out);
  int32_t (*zip)(int32_t device, int32_t op, const mt_cuda_view* a, const mt_cuda_view* b,
                 const mt_cuda_view* out);
  int32_t (*reduce)(int32_t device, int32_t op, const mt_cuda_view* in, const mt_cuda_view* out);
  int32_t (*map_backward)(int32_t device, int32_t op, const mt_cuda_view* in,
                          const mt_cuda_view* grad, const mt_cuda_view* out);
  int32_t (*zip_backward)(int32_t device, int32_t op, int32_t operand, const mt_cuda_view* a,
                          const mt_cuda_view* b, const mt_cuda_view* grad, const mt_cuda_view* out);
  int32_t (*matmul)(int32_t device, const mt_cuda_view* a, const mt_cuda_view* b,
                    const mt_cuda_view* out);
  /* out = src converted to out's dtype; src broadcasts to out's shape. */
  int32_t (*copy)(int32_t device, const mt_cuda_view* src, const mt_cuda_view* out);
  int32_t (*fill)(int32_t device, const mt_cuda_view* out, double value);
  /* distribution: 0 uniform on [a, b), 1 normal (mean a, std b); element i of out (row-major)
   * is sample (offset + i) of the Philox stream `seed` (random/philox.hpp). */
  int32_t (*random)(int32_t device, const mt_cuda_view* out, int32_t distribution, double a,
                    double b, uint64_t seed, uint64_t offset);

  /* MT_CUDA_MATMUL_*; choosing cuBLAS fails (with the reason) where it is unavailable. cuBLAS
   * serves contiguous (row- or column-major) operands without batch broadcasting; every other
   * case runs the project's kernel. */
  int32_t (*set_matmul)(int32_t which);
  int32_t (*get_matmul)(void);

  /* Fused kernels (version 2). `kernel` is an mt::FusedKernel (backend/fused_kernel.hpp) and
   * `info` the mt::FusedProgramInfo that analyze_fused_kernel gave for it: the core checks the
   * kernel before calling. fused_prepare gets a kernel of that structure ready (it generates and
   * compiles one, once per structure; data pointers are not read) and returns 0, or 7
   * (unsupported) with last_error() saying why this plugin will not run it (NVRTC missing, a
   * compile error, a matmul epilogue, ...): the plan then runs the group's ops one at a time.
   * fused_run queues the kernel on the stream (preparing it first if needed). */
  int32_t (*fused_prepare)(int32_t device, const void* kernel, const void* info);
  int32_t (*fused_run)(int32_t device, const void* kernel, const void* info);
} mt_cuda_plugin;

/* The plugin's one exported symbol. Never fails: errors surface from init(). */
typedef const mt_cuda_plugin* (*mt_cuda_plugin_entry_fn)(void);
#define MT_CUDA_PLUGIN_ENTRY "mt_cuda_plugin_entry"

#ifdef __cplusplus
}
#endif
#endif
