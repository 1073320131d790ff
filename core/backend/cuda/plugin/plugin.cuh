// The plugin's entry table (plugin_abi.h): devices, streams, the caching allocator, copies, and
// the ops, which run the kernel launchers (kernels/launchers.hpp) or cuBLAS. Compiled in exactly
// one translation unit per plugin: by nvcc into libminitensor_cuda.so, and by the host compiler
// against the emulation into libminitensor_cuda_emu.so, which has no cuBLAS.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <type_traits>
#include <vector>

#include "backend/cuda/emu/cuda_compat.hpp"
#include "backend/cuda/kernels/launchers.hpp"
#include "backend/cuda/plugin/caching_allocator.hpp"
#include "backend/cuda/plugin/cuda_check.hpp"
#include "backend/cuda/plugin/fused_kernels.hpp"
#include "backend/cuda/plugin_abi.h"
#include "base/error.hpp"

#if defined(__CUDACC__)
#include <cublas_v2.h>

#include "backend/cuda/plugin/gemm_layout.hpp"
#endif

namespace mt::cuda {
namespace {

// ---------------------------------------------------------------------------------------------
// Devices

struct DeviceState {
  std::string name;  // "NVIDIA H200 (sm_90)"
  int sm_major = 0, sm_minor = 0;
  CachingAllocator allocator;
  std::mutex mutex;  // guards the lazy creation of the members below
  cudaStream_t stream = nullptr;
  std::unique_ptr<FusedKernels> fused;
#if defined(__CUDACC__)
  cublasHandle_t cublas = nullptr;
#endif
};

struct Devices {
  std::string failure;  // why there are none; empty when init succeeded
  std::vector<std::unique_ptr<DeviceState>> states;
};

// "13.0" from CUDA's version number 13000.
std::string cuda_version(int version) { return cat(version / 1000, ".", version % 1000 / 10); }

std::string no_device_reason(cudaError_t error) {
  const std::string detail = cat("cudaGetDeviceCount: ", error_text(error));
  int runtime = 0, driver = 0;
  (void)cudaRuntimeGetVersion(&runtime);
  (void)cudaDriverGetVersion(&driver);  // 0 when there is no driver
  (void)cudaGetLastError();
  if (error == cudaErrorInsufficientDriver && driver == 0)
    return cat("no CUDA driver is installed (", detail, ")");
  if (error == cudaErrorInsufficientDriver)
    return cat("the CUDA driver supports CUDA ", cuda_version(driver), ", this plugin needs ",
               cuda_version(runtime), " or newer (", detail, ")");
  if (error == cudaErrorNoDevice) return cat("no CUDA device (", detail, ")");
  return cat("CUDA cannot start (", detail, ")");
}

Devices find_devices() {
  Devices devices;
  int count = 0;
  if (const cudaError_t error = cudaGetDeviceCount(&count); error != cudaSuccess) {
    devices.failure = no_device_reason(error);
    return devices;
  }
  if (count == 0) devices.failure = "no CUDA device (the driver reports none)";
  for (int device = 0; device < count; ++device) {
    cudaDeviceProp prop{};
    check(cudaGetDeviceProperties(&prop, device), "cudaGetDeviceProperties(", device, ")");
    devices.states.push_back(std::make_unique<DeviceState>());
    DeviceState& state = *devices.states.back();
    state.name = cat(prop.name, " (sm_", prop.major, prop.minor, ")");
    state.sm_major = prop.major;
    state.sm_minor = prop.minor;
  }
  return devices;
}

// Found once, on first use, from any thread. Never destroyed: tensors may release memory until
// the process ends, and CUDA calls from static destructors race the runtime's own teardown.
const Devices& devices() {
  static const Devices* const found = new Devices(find_devices());
  return *found;
}

// The state of `device`, made the calling thread's current device.
DeviceState& use_device(int32_t device) {
  const Devices& all = devices();
  if (!all.failure.empty()) fail(ErrorCode::DeviceUnavailable, all.failure);
  const auto count = static_cast<int32_t>(all.states.size());
  if (device < 0 || device >= count)
    fail(ErrorCode::InvalidArgument, "no CUDA device ", device, " (", count,
         count == 1 ? " device)" : " devices)");
  check(cudaSetDevice(device), "cudaSetDevice(", device, ")");
  return *all.states[device];
}

// The device's one stream, created on first use. Non-blocking: it does not wait for the legacy
// default stream, which other libraries in the process may keep busy.
cudaStream_t stream(DeviceState& state) {
  const std::lock_guard lock(state.mutex);
  if (state.stream == nullptr)
    check(cudaStreamCreateWithFlags(&state.stream, cudaStreamNonBlocking),
          "cudaStreamCreateWithFlags");
  return state.stream;
}

// The device's fused kernels, made on first use.
FusedKernels& fused_kernels(int32_t device, DeviceState& state) {
  const std::lock_guard lock(state.mutex);
  if (!state.fused)
    state.fused = std::make_unique<FusedKernels>(device, state.sm_major, state.sm_minor);
  return *state.fused;
}

// ---------------------------------------------------------------------------------------------
// Argument checks

const char* dtype_name(int32_t dtype) { return dtype == 0 ? "float32" : "float64"; }

// "[2, 3] float32"
std::string describe(const mt_cuda_view& view) {
  std::string text = "[";
  for (int d = 0; d < view.rank; ++d)
    text += cat(d ? ", " : "", view.shape[d]);
  return text + "] " + dtype_name(view.dtype);
}

// A view that any entry can take: present, a known dtype, rank 0..MT_CUDA_MAX_RANK, sizes >= 0
// whose product fits int64, and data unless it is empty.
const mt_cuda_view& checked(const mt_cuda_view* view, const char* role) {
  if (view == nullptr) fail(ErrorCode::InvalidArgument, role, " is null");
  if (view->dtype != 0 && view->dtype != 1)
    fail(ErrorCode::InvalidArgument, role, " has an unknown dtype ", view->dtype);
  if (view->rank < 0 || view->rank > MT_CUDA_MAX_RANK)
    fail(ErrorCode::InvalidArgument, role, " has rank ", view->rank, ", not 0..", MT_CUDA_MAX_RANK);
  int64_t numel = 1;
  for (int d = 0; d < view->rank; ++d) {
    if (view->shape[d] < 0)
      fail(ErrorCode::InvalidArgument, role, " has a negative size: ", describe(*view));
    if (__builtin_mul_overflow(numel, view->shape[d], &numel))
      fail(ErrorCode::InvalidArgument, role,
           " has more elements than int64 counts: ", describe(*view));
  }
  if (numel > 0 && view->data == nullptr)
    fail(ErrorCode::InvalidArgument, role, " ", describe(*view), " has no data");
  return *view;
}

void check_dtype(const mt_cuda_view& in, const char* role, const mt_cuda_view& out) {
  if (in.dtype != out.dtype)
    fail(ErrorCode::InvalidArgument, role, " is ", dtype_name(in.dtype), ", out ",
         dtype_name(out.dtype));
}

// An input of an element-wise entry: it broadcasts to out's shape (numpy's rules, dims aligned
// on the right) and, unless it is copy's source, has out's dtype.
const mt_cuda_view& input(const mt_cuda_view* view, const char* role, const mt_cuda_view& out,
                          bool same_dtype = true) {
  const mt_cuda_view& in = checked(view, role);
  bool fits = in.rank <= out.rank;
  for (int d = 1; fits && d <= in.rank; ++d) {
    const int64_t n = in.shape[in.rank - d];
    fits = n == 1 || n == out.shape[out.rank - d];
  }
  if (!fits)
    fail(ErrorCode::InvalidArgument, role, " ", describe(in), " does not broadcast to out ",
         describe(out));
  if (same_dtype) check_dtype(in, role, out);
  return in;
}

// reduce: out has in's rank, and in each dim in's size or 1 (a reduced dim).
void check_reduce(const mt_cuda_view& in, const mt_cuda_view& out) {
  bool fits = in.rank == out.rank;
  for (int d = 0; fits && d < in.rank; ++d)
    fits = out.shape[d] == in.shape[d] || out.shape[d] == 1;
  if (!fits)
    fail(ErrorCode::InvalidArgument, "out ", describe(out), " is not a reduction of in ",
         describe(in));
  check_dtype(in, "in", out);
}

// matmul: [..., M, K] x [..., K, N] -> [..., M, N], one rank >= 2, a's and b's batch dims 1 or
// out's.
void check_matmul(const mt_cuda_view& a, const mt_cuda_view& b, const mt_cuda_view& out) {
  const int r = out.rank;
  bool fits = r >= 2 && a.rank == r && b.rank == r && a.shape[r - 1] == b.shape[r - 2] &&
              a.shape[r - 2] == out.shape[r - 2] && b.shape[r - 1] == out.shape[r - 1];
  for (int d = 0; fits && d < r - 2; ++d)
    fits = (a.shape[d] == 1 || a.shape[d] == out.shape[d]) &&
           (b.shape[d] == 1 || b.shape[d] == out.shape[d]);
  if (!fits)
    fail(ErrorCode::InvalidArgument, "a ", describe(a), " times b ", describe(b),
         " does not give out ", describe(out));
  check_dtype(a, "a", out);
  check_dtype(b, "b", out);
}

// The op enumeration value `op`, which must be below `count`.
template <class Op> Op op_value(int32_t op, int count, const char* kind) {
  if (op < 0 || op >= count) fail(ErrorCode::InvalidArgument, "unknown ", kind, " op ", op);
  return static_cast<Op>(op);
}

void check_kernel(cudaError_t error, const mt_cuda_view& out) {
  check(error, "kernel for out ", describe(out));
}

// ---------------------------------------------------------------------------------------------
// Matmul: the project's kernel, or cuBLAS where the layouts allow

std::atomic<int32_t> matmul_choice{MT_CUDA_MATMUL_KERNEL};

#if defined(__CUDACC__)
template <class... Context> void check_cublas(cublasStatus_t status, const Context&... context) {
  if (status == CUBLAS_STATUS_SUCCESS) return;
  fail(status == CUBLAS_STATUS_ALLOC_FAILED ? ErrorCode::OutOfMemory : ErrorCode::DeviceUnavailable,
       context..., ": ", cublasGetStatusName(status), " (", cublasGetStatusString(status), ")");
}

// The device's cuBLAS handle, created on first use and bound to its stream.
cublasHandle_t cublas(DeviceState& state, cudaStream_t on) {
  const std::lock_guard lock(state.mutex);
  if (state.cublas == nullptr) {
    cublasHandle_t handle = nullptr;
    check_cublas(cublasCreate(&handle), "cublasCreate");
    if (const cublasStatus_t status = cublasSetStream(handle, on);
        status != CUBLAS_STATUS_SUCCESS) {
      cublasDestroy(handle);
      check_cublas(status, "cublasSetStream");
    }
    state.cublas = handle;
  }
  return state.cublas;
}

template <class T> cublasStatus_t gemm(cublasHandle_t handle, const StridedGemm& g) {
  const T one = 1, zero = 0;
  const auto op = [](const GemmOperand& x) { return x.transpose ? CUBLAS_OP_T : CUBLAS_OP_N; };
  const auto* a = static_cast<const T*>(g.a.data);
  const auto* b = static_cast<const T*>(g.b.data);
  auto* c = static_cast<T*>(g.c);
  if constexpr (std::is_same_v<T, float>)
    return cublasSgemmStridedBatched(handle, op(g.a), op(g.b), g.m, g.n, g.k, &one, a, g.a.ld,
                                     g.a.batch_stride, b, g.b.ld, g.b.batch_stride, &zero, c, g.ldc,
                                     g.c_batch_stride, g.batch);
  else
    return cublasDgemmStridedBatched(handle, op(g.a), op(g.b), g.m, g.n, g.k, &one, a, g.a.ld,
                                     g.a.batch_stride, b, g.b.ld, g.b.batch_stride, &zero, c, g.ldc,
                                     g.c_batch_stride, g.batch);
}

// Runs out = a b through cuBLAS when its layouts fit one strided batched GEMM; false otherwise.
bool cublas_matmul(DeviceState& state, cudaStream_t on, const mt_cuda_view& a,
                   const mt_cuda_view& b, const mt_cuda_view& out) {
  const std::optional<StridedGemm> g = strided_gemm(a, b, out);
  if (!g) return false;
  const cublasHandle_t handle = cublas(state, on);
  check_cublas(out.dtype == 0 ? gemm<float>(handle, *g) : gemm<double>(handle, *g),
               "cuBLAS GEMM for out ", describe(out));
  return true;
}
#endif

// ---------------------------------------------------------------------------------------------
// The entries

thread_local std::string last_error_text;

// The status of a failed entry (its ErrorCode, which the core maps back) after setting the
// thread's error text: "<call> on cuda:<device>: <what>", or `what` alone without a call name.
int32_t failed(const char* call, int32_t device, const char* what, ErrorCode code) noexcept {
  try {
    last_error_text = call == nullptr ? what
                      : device < 0    ? cat(call, ": ", what)
                                      : cat(call, " on cuda:", device, ": ", what);
  } catch (...) {
    last_error_text = {};  // no memory for the text: the status still tells
  }
  return static_cast<int32_t>(code);
}

// Runs an entry's body; 0 when it succeeds, else failed()'s status. Nothing escapes.
template <class Body> int32_t guard(const char* call, int32_t device, Body&& body) noexcept {
  try {
    last_error_text.clear();
    body();
    return 0;
  } catch (const Error& e) {
    return failed(call, device, e.what(), e.code());
  } catch (const std::bad_alloc&) {
    return failed(call, device, "out of host memory", ErrorCode::OutOfMemory);
  } catch (const std::exception& e) {
    return failed(call, device, e.what(), ErrorCode::DeviceUnavailable);
  } catch (...) {
    return failed(call, device, "unknown exception", ErrorCode::DeviceUnavailable);
  }
}

namespace entry {

const char* last_error() { return last_error_text.c_str(); }

int32_t init(int32_t* device_count) {
  return guard(nullptr, -1, [&] {
    if (device_count == nullptr) fail(ErrorCode::InvalidArgument, "init: device_count is null");
    const Devices& all = devices();
    if (!all.failure.empty()) fail(ErrorCode::DeviceUnavailable, all.failure);
    *device_count = static_cast<int32_t>(all.states.size());
  });
}

const char* device_name(int32_t device) {
  try {
    const Devices& all = devices();
    if (device >= 0 && device < static_cast<int32_t>(all.states.size()))
      return all.states[device]->name.c_str();
  } catch (...) {
    // no devices: no name
  }
  return "";
}

int32_t allocate(int32_t device, int64_t nbytes, void** out) {
  return guard("allocate", device, [&] {
    if (out == nullptr) fail(ErrorCode::InvalidArgument, "out is null");
    *out = use_device(device).allocator.allocate(nbytes);
  });
}

// The allocator knows each block's size; nbytes is not needed.
void release(int32_t device, void* data, int64_t /*nbytes*/) {
  try {
    const Devices& all = devices();
    if (device >= 0 && device < static_cast<int32_t>(all.states.size()))
      all.states[device]->allocator.release(data);
  } catch (...) {
    // release cannot fail; only a bug makes a block it cannot take back
  }
}

int32_t empty_cache(int32_t device) {
  return guard("empty_cache", device, [&] { use_device(device).allocator.empty_cache(); });
}

int32_t memory_stats(int32_t device, int64_t* in_use, int64_t* cached) {
  return guard("memory_stats", device, [&] {
    if (in_use == nullptr || cached == nullptr)
      fail(ErrorCode::InvalidArgument, "in_use or cached is null");
    const MemoryStats stats = use_device(device).allocator.stats();
    *in_use = stats.in_use;
    *cached = stats.cached;
  });
}

// Whether the host may reuse `src` as soon as cudaMemcpyAsync returns: CUDA copies pageable
// memory to a staging buffer before returning, while page-locked memory is read by the DMA
// engine later, when the stream gets to the copy.
bool staged_before_return(const void* src) {
  cudaPointerAttributes attributes{};
  if (cudaPointerGetAttributes(&attributes, src) != cudaSuccess) {
    (void)cudaGetLastError();
    return false;
  }
  return attributes.type == cudaMemoryTypeUnregistered;
}

// A copy queued on the device's stream. It returns once the host may reuse `src` (to the
// device) or read `dst` (to the host); a copy from pageable memory to the device does not wait
// for the stream, so `x.to(cuda) * y` queues both without a synchronization.
int32_t copy_bytes(const char* call, int32_t device, void* dst, const void* src, int64_t nbytes,
                   cudaMemcpyKind kind) {
  return guard(call, device, [&] {
    if (nbytes < 0) fail(ErrorCode::InvalidArgument, "negative size ", nbytes, " bytes");
    if (nbytes > 0 && (dst == nullptr || src == nullptr))
      fail(ErrorCode::InvalidArgument, "null pointer for ", nbytes, " bytes");
    DeviceState& state = use_device(device);
    if (nbytes == 0) return;
    const cudaStream_t on = stream(state);
    check(cudaMemcpyAsync(dst, src, static_cast<std::size_t>(nbytes), kind, on),
          "cudaMemcpyAsync of ", nbytes, " bytes");
    if (kind == cudaMemcpyHostToDevice && staged_before_return(src)) return;
    check(cudaStreamSynchronize(on), "cudaStreamSynchronize after a copy of ", nbytes, " bytes");
  });
}

int32_t copy_to_device(int32_t device, void* dst, const void* src, int64_t nbytes) {
  return copy_bytes("copy_to_device", device, dst, src, nbytes, cudaMemcpyHostToDevice);
}

int32_t copy_to_host(int32_t device, void* dst, const void* src, int64_t nbytes) {
  return copy_bytes("copy_to_host", device, dst, src, nbytes, cudaMemcpyDeviceToHost);
}

int32_t synchronize(int32_t device) {
  return guard("synchronize", device, [&] {
    check(cudaStreamSynchronize(stream(use_device(device))), "cudaStreamSynchronize");
  });
}

int32_t map(int32_t device, int32_t op, const mt_cuda_view* in, const mt_cuda_view* out) {
  return guard("map", device, [&] {
    const cudaStream_t on = stream(use_device(device));
    const mt_cuda_view& o = checked(out, "out");
    const mt_cuda_view& x = input(in, "in", o);
    check_kernel(cuda::map(op_value<UnaryOp>(op, kUnaryOpCount, "unary"), x, o, on), o);
  });
}

int32_t zip(int32_t device, int32_t op, const mt_cuda_view* a, const mt_cuda_view* b,
            const mt_cuda_view* out) {
  return guard("zip", device, [&] {
    const cudaStream_t on = stream(use_device(device));
    const mt_cuda_view& o = checked(out, "out");
    const mt_cuda_view &x = input(a, "a", o), &y = input(b, "b", o);
    check_kernel(cuda::zip(op_value<BinaryOp>(op, kBinaryOpCount, "binary"), x, y, o, on), o);
  });
}

int32_t reduce(int32_t device, int32_t op, const mt_cuda_view* in, const mt_cuda_view* out) {
  return guard("reduce", device, [&] {
    const cudaStream_t on = stream(use_device(device));
    const mt_cuda_view &x = checked(in, "in"), &o = checked(out, "out");
    check_reduce(x, o);
    check_kernel(cuda::reduce(op_value<ReduceOp>(op, kReduceOpCount, "reduce"), x, o, on), o);
  });
}

int32_t map_backward(int32_t device, int32_t op, const mt_cuda_view* in, const mt_cuda_view* grad,
                     const mt_cuda_view* out) {
  return guard("map_backward", device, [&] {
    const cudaStream_t on = stream(use_device(device));
    const mt_cuda_view& o = checked(out, "out");
    const mt_cuda_view &x = input(in, "in", o), &g = input(grad, "grad", o);
    const auto unary = op_value<UnaryOp>(op, kUnaryOpCount, "unary");
    check_kernel(cuda::map_backward(unary, x, g, o, on), o);
  });
}

int32_t zip_backward(int32_t device, int32_t op, int32_t operand, const mt_cuda_view* a,
                     const mt_cuda_view* b, const mt_cuda_view* grad, const mt_cuda_view* out) {
  return guard("zip_backward", device, [&] {
    const cudaStream_t on = stream(use_device(device));
    const mt_cuda_view& o = checked(out, "out");
    const mt_cuda_view &x = input(a, "a", o), &y = input(b, "b", o), &g = input(grad, "grad", o);
    const auto binary = op_value<BinaryOp>(op, kBinaryOpCount, "binary");
    if (operand != 0 && operand != 1)
      fail(ErrorCode::InvalidArgument, "operand ", operand, " is neither 0 nor 1");
    check_kernel(cuda::zip_backward(binary, operand, x, y, g, o, on), o);
  });
}

int32_t matmul(int32_t device, const mt_cuda_view* a, const mt_cuda_view* b,
               const mt_cuda_view* out) {
  return guard("matmul", device, [&] {
    DeviceState& state = use_device(device);
    const cudaStream_t on = stream(state);
    const mt_cuda_view &x = checked(a, "a"), &y = checked(b, "b"), &o = checked(out, "out");
    check_matmul(x, y, o);
#if defined(__CUDACC__)
    if (matmul_choice.load(std::memory_order_relaxed) == MT_CUDA_MATMUL_CUBLAS &&
        cublas_matmul(state, on, x, y, o))
      return;
#endif
    check_kernel(cuda::matmul(x, y, o, on), o);
  });
}

int32_t copy(int32_t device, const mt_cuda_view* src, const mt_cuda_view* out) {
  return guard("copy", device, [&] {
    const cudaStream_t on = stream(use_device(device));
    const mt_cuda_view& o = checked(out, "out");
    check_kernel(cuda::copy(input(src, "src", o, /*same_dtype=*/false), o, on), o);
  });
}

int32_t fill(int32_t device, const mt_cuda_view* out, double value) {
  return guard("fill", device, [&] {
    const cudaStream_t on = stream(use_device(device));
    const mt_cuda_view& o = checked(out, "out");
    check_kernel(cuda::fill(o, value, on), o);
  });
}

int32_t random(int32_t device, const mt_cuda_view* out, int32_t distribution, double a, double b,
               uint64_t seed, uint64_t offset) {
  return guard("random", device, [&] {
    const cudaStream_t on = stream(use_device(device));
    const mt_cuda_view& o = checked(out, "out");
    if (distribution != 0 && distribution != 1)
      fail(ErrorCode::InvalidArgument, "unknown distribution ", distribution);
    check_kernel(cuda::random(o, distribution, a, b, seed, offset, on), o);
  });
}

int32_t set_matmul(int32_t which) {
  return guard("set_matmul", -1, [&] {
    if (which != MT_CUDA_MATMUL_KERNEL && which != MT_CUDA_MATMUL_CUBLAS)
      fail(ErrorCode::InvalidArgument, "unknown matmul ", which);
#if !defined(__CUDACC__)
    if (which == MT_CUDA_MATMUL_CUBLAS)
      fail(ErrorCode::Unsupported, "cuBLAS is not available in the CUDA emulation");
#endif
    matmul_choice.store(which, std::memory_order_relaxed);
  });
}

int32_t get_matmul() { return matmul_choice.load(std::memory_order_relaxed); }

// The kernel and its info as the core sends them (checked there: analyze_fused_kernel).
const FusedKernel& fused_kernel(const void* kernel, const void* info) {
  if (kernel == nullptr || info == nullptr)
    fail(ErrorCode::InvalidArgument, "kernel or info is null");
  return *static_cast<const FusedKernel*>(kernel);
}

// A refusal's text is the reason alone: the plan's report quotes it.
int32_t fused_prepare(int32_t device, const void* kernel, const void* info) {
  std::string why;
  const int32_t status = guard("fused_prepare", device, [&] {
    DeviceState& state = use_device(device);
    const FusedKernel& k = fused_kernel(kernel, info);
    why = fused_kernels(device, state).prepare(k, *static_cast<const FusedProgramInfo*>(info));
  });
  if (status != 0 || why.empty()) return status;
  return failed(nullptr, device, why.c_str(), ErrorCode::Unsupported);
}

int32_t fused_run(int32_t device, const void* kernel, const void* info) {
  return guard("fused_run", device, [&] {
    DeviceState& state = use_device(device);
    const cudaStream_t on = stream(state);
    const FusedKernel& k = fused_kernel(kernel, info);
    fused_kernels(device, state).run(k, *static_cast<const FusedProgramInfo*>(info), on);
  });
}

}  // namespace entry
}  // namespace
}  // namespace mt::cuda

extern "C" __attribute__((visibility("default"))) const mt_cuda_plugin* mt_cuda_plugin_entry(void) {
  namespace e = mt::cuda::entry;
  static const mt_cuda_plugin table = {MT_CUDA_PLUGIN_ABI_VERSION,
                                       e::last_error,
                                       e::init,
                                       e::device_name,
                                       e::allocate,
                                       e::release,
                                       e::empty_cache,
                                       e::memory_stats,
                                       e::copy_to_device,
                                       e::copy_to_host,
                                       e::synchronize,
                                       e::map,
                                       e::zip,
                                       e::reduce,
                                       e::map_backward,
                                       e::zip_backward,
                                       e::matmul,
                                       e::copy,
                                       e::fill,
                                       e::random,
                                       e::set_matmul,
                                       e::get_matmul,
                                       e::fused_prepare,
                                       e::fused_run};
  return &table;
}
