// The copies behind Tensor::to: between dtypes through the backend, between devices through
// base's device memory.
#include "base/capture_state.hpp"
#include "base/error.hpp"
#include "ops/primitives.hpp"
#include "ops/run.hpp"
#include "tensor/strided_view.hpp"

namespace mt::primitive {

Tensor convert(const Tensor& t, DType dtype) {
  Tensor out = Tensor::empty(t.shape(), dtype, t.device());
  run_copy(t, out);
  return out;
}

Tensor transfer(const Tensor& t, Device target) {
  if (capture_active())
    fail(ErrorCode::Unsupported, "to(", target, "): moving a tensor (shape ", t.shape(),
         ") between devices cannot be captured; plans run on the CPU");
  Tensor out = Tensor::empty(t.shape(), t.dtype(), target);
  if (t.numel() > 0) {
    // Bytes cross between host and device only in contiguous form; one device reaches another
    // through the host. detach(): these internal copies are not part of the graph.
    const Device device = t.device();
    const Tensor src =
        device.is_cpu() || target.is_cpu() ? t.detach().contiguous() : t.detach().to(Device::cpu());
    const int64_t nbytes = t.numel() * itemsize(t.dtype());
    if (target.is_cpu())
      device_memory(device).copy_to_host(device.index, out.raw_data(), src.raw_data(), nbytes);
    else
      device_memory(target).copy_to_device(target.index, out.raw_data(), src.raw_data(), nbytes);
  }
  return out;
}

}  // namespace mt::primitive
