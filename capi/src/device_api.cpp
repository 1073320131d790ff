// Devices: moving tensors and models, device queries, the CUDA runtime's settings.
#include "backend/cuda/cuda_runtime.hpp"
#include "boundary.hpp"

using namespace mt;
using namespace mt::capi;

namespace {

// Checks a device type (only the type: the count queries take no index).
DeviceType device_type_arg(mt_device_type_t type) { return make_device(type, 0).type; }

}  // namespace

extern "C" {

mt_status_t mt_to_device(const mt_tensor* tensor, mt_device_type_t device_type,
                         int32_t device_index, mt_tensor** out) {
  return guarded("mt_to_device", [&] {
    const Tensor& t = tensor_of(tensor, "tensor");
    require(out, "out");
    give(out, t.to(make_device(device_type, device_index)));
  });
}

mt_status_t mt_linear_to_device(mt_linear* layer, mt_device_type_t device_type,
                                int32_t device_index) {
  return guarded("mt_linear_to_device",
                 [&] { live(layer, "layer").to(make_device(device_type, device_index)); });
}

mt_status_t mt_mlp_to_device(mt_mlp* model, mt_device_type_t device_type, int32_t device_index) {
  return guarded("mt_mlp_to_device",
                 [&] { live(model, "model").to(make_device(device_type, device_index)); });
}

mt_status_t mt_device_count(mt_device_type_t device_type, int32_t* out) {
  return guarded("mt_device_count", [&] {
    const DeviceType type = device_type_arg(device_type);
    *require(out, "out") = type == DeviceType::Cpu ? 1 : cuda_device_count();
  });
}

const char* mt_device_unavailable_reason(mt_device_type_t device_type) {
  return guarded_value("mt_device_unavailable_reason", static_cast<const char*>(nullptr),
                       [&]() -> const char* {
                         if (device_type_arg(device_type) == DeviceType::Cpu) return "";
                         // The plugin is loaded once, so the reason never changes.
                         static const std::string reason = cuda_unavailable_reason();
                         return reason.c_str();
                       });
}

mt_status_t mt_device_name(mt_device_type_t device_type, int32_t device_index, char** out) {
  return guarded("mt_device_name", [&] {
    const Device device = make_device(device_type, device_index);
    require(out, "out");
    *out = malloc_string(device.is_cpu() ? "cpu" : cuda_device_name(device.index));
  });
}

mt_status_t mt_cuda_set_matmul(mt_cuda_matmul_t which) {
  return guarded("mt_cuda_set_matmul", [&] {
    if (which != MT_CUDA_MATMUL_KERNEL && which != MT_CUDA_MATMUL_CUBLAS)
      fail(ErrorCode::InvalidArgument, "unknown CUDA matmul ", which,
           " (valid: MT_CUDA_MATMUL_KERNEL = 0, MT_CUDA_MATMUL_CUBLAS = 1)");
    cuda_set_matmul(static_cast<CudaMatmul>(which));
  });
}

mt_status_t mt_cuda_get_matmul(mt_cuda_matmul_t* out) {
  return guarded("mt_cuda_get_matmul", [&] {
    require(out, "out");
    *out = static_cast<mt_cuda_matmul_t>(cuda_matmul());
  });
}

mt_status_t mt_cuda_synchronize(void) { return guarded("mt_cuda_synchronize", cuda_synchronize); }

mt_status_t mt_cuda_memory_stats(int32_t device_index, int64_t* in_use, int64_t* cached) {
  return guarded("mt_cuda_memory_stats", [&] {
    const Device device = make_device(MT_DEVICE_CUDA, device_index);
    require(in_use, "in_use");
    require(cached, "cached");
    require_distinct(in_use, "in_use", cached, "cached");
    const CudaMemoryStats stats = cuda_memory_stats(device.index);
    *in_use = stats.in_use;
    *cached = stats.cached;
  });
}

mt_status_t mt_cuda_empty_cache(void) { return guarded("mt_cuda_empty_cache", cuda_empty_cache); }

}  // extern "C"
