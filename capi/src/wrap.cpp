#include "wrap.hpp"

#include <cstdint>

#include "base/capture_state.hpp"

namespace mt::capi {

mt_tensor* wrap_memory(void* data, const char* what, DType dtype, const Dims& shape,
                       const Dims& strides, std::function<void()> release) {
  // A plan keeps what its capture used alive for as long as it lives, far past the caller's
  // release of this tensor: borrowed memory would be read (and its deleter run) after the
  // caller has taken it back.
  if (capture_active())
    fail(ErrorCode::CaptureMisuse, "borrowing the caller's memory (", what,
         ") cannot be captured: a plan would outlive the buffer; borrow it before the capture "
         "begins (then it is used by reference) or copy it in with mt_from_buffer");
  if (shape.size() != strides.size())
    fail(ErrorCode::InvalidArgument, "shape ", shape, " and strides ", strides,
         " have different ranks");
  for (int64_t stride : strides)
    if (stride < 0)
      fail(ErrorCode::Unsupported, "negative strides ", strides, " (only strides >= 0)");
  const int64_t numel = checked_numel(shape);
  if (numel > 0 && data == nullptr)
    fail(ErrorCode::InvalidArgument, what, " is NULL for shape ", shape);
  const auto address = reinterpret_cast<uintptr_t>(data);
  if (address % static_cast<uintptr_t>(itemsize(dtype)) != 0)
    fail(ErrorCode::InvalidArgument, what, " ", data, " is not aligned to the ", itemsize(dtype),
         " bytes of a ", dtype, " element");
  // The bytes from element 0 to the last element reached: (sum (size - 1) * stride + 1) * itemsize.
  int64_t extent = 0;
  if (numel > 0) {
    int64_t last = 0;
    for (int d = 0; d < shape.size(); ++d)
      last = checked_add(last, checked_mul(shape[d] - 1, strides[d], "buffer extent"),
                         "buffer extent");
    extent = checked_mul(checked_add(last, 1, "buffer extent"), itemsize(dtype), "buffer extent");
  }
  if (static_cast<uint64_t>(extent) > UINTPTR_MAX - address)
    fail(ErrorCode::Overflow, what, " ", data, " plus the ", extent, " bytes of shape ", shape,
         " with strides ", strides, " runs past the end of the address space");
  // The deleter is armed only once the handle exists, so a failure on the way (out of memory)
  // leaves the caller's memory alone rather than releasing it behind the caller's back.
  auto armed = std::make_shared<bool>(false);
  auto storage = Storage::wrap(data, extent, [armed, release = std::move(release)](void*) {
    if (*armed && release) release();
  });
  mt_tensor* handle = new_handle(Tensor(std::move(storage), 0, shape, strides, dtype));
  *armed = true;
  return handle;
}

}  // namespace mt::capi
