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
  // A capture can move only a constant it made itself (a scalar operand, `x * 2` on a device):
  // its values are known now and never change, so the copy is made now and the plan reads it.
  // Anything else would be read when captured, not when the plan runs.
  const bool constant = t.storage()->made_in_capture() == active_capture_id() &&
                        !t.storage()->pending() && t.is_contiguous();
  if (capture_active() && !constant)
    fail(ErrorCode::Unsupported, "to(", target, "): moving a tensor (shape ", t.shape(),
         ") between devices cannot be captured (only a constant the capture made can be); ",
         "move it before the capture");
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
  if (capture_active()) out.storage()->set_written();
  return out;
}

}  // namespace mt::primitive
