#include "ops/creation.hpp"

#include <cmath>

#include "backend/registry.hpp"
#include "tensor/error.hpp"
#include "tensor/index.hpp"

namespace mt {
namespace {

Tensor random_tensor(const Dims& shape, DType dtype, Distribution distribution, double a, double b,
                     Generator& generator, Device device) {
  Tensor out = Tensor::empty(shape, dtype, device);
  const RandomSpec spec{distribution, a, b, generator.seed(),
                        generator.take(static_cast<uint64_t>(out.numel()))};
  backend_for(device).random(out, spec);
  return out;
}

// A contiguous tensor over a caller's buffer, which it does not own.
Tensor borrow_buffer(const void* data, DType dtype, const Dims& shape, const char* what) {
  const int64_t numel = checked_numel(shape);
  if (data == nullptr && numel > 0)
    fail(ErrorCode::InvalidArgument, what, ": null buffer for shape ", shape);
  const int64_t nbytes = checked_mul(numel, itemsize(dtype), what);
  auto storage = Storage::wrap(const_cast<void*>(data), nbytes, nullptr);
  return Tensor(std::move(storage), 0, shape, contiguous_strides(shape), dtype);
}

}  // namespace

Tensor full(const Dims& shape, double value, DType dtype, Device device) {
  Tensor out = Tensor::empty(shape, dtype, device);
  backend_for(device).fill(out, value);
  return out;
}

Tensor zeros(const Dims& shape, DType dtype, Device device) {
  return full(shape, 0, dtype, device);
}
Tensor ones(const Dims& shape, DType dtype, Device device) { return full(shape, 1, dtype, device); }

Tensor arange(double start, double stop, double step, DType dtype, Device device) {
  if (!std::isfinite(start) || !std::isfinite(stop) || !std::isfinite(step) || step == 0)
    fail(ErrorCode::InvalidArgument, "arange: start ", start, ", stop ", stop, ", step ", step,
         " must be finite with a non-zero step");
  const double count = std::ceil((stop - start) / step);
  if (count >= 9.2e18) fail(ErrorCode::Overflow, "arange: ", count, " elements is too many");
  const int64_t n = count > 0 ? static_cast<int64_t>(count) : 0;
  Tensor out = Tensor::empty({n}, dtype);
  dispatch_dtype(dtype, [&](auto zero) {
    using T = decltype(zero);
    T* data = out.data<T>();
    for (int64_t i = 0; i < n; ++i)
      data[i] = static_cast<T>(start + static_cast<double>(i) * step);
  });
  return out.to(device);
}

Tensor rand(const Dims& shape, DType dtype, double low, double high, Generator& generator,
            Device device) {
  if (!(low <= high) || !std::isfinite(low) || !std::isfinite(high))
    fail(ErrorCode::InvalidArgument, "rand: need finite low <= high, got ", low, " and ", high);
  return random_tensor(shape, dtype, Distribution::Uniform, low, high, generator, device);
}

Tensor randn(const Dims& shape, DType dtype, double mean, double std, Generator& generator,
             Device device) {
  if (!(std >= 0) || !std::isfinite(mean) || !std::isfinite(std))
    fail(ErrorCode::InvalidArgument, "randn: need a finite mean and std >= 0, got ", mean, " and ",
         std);
  return random_tensor(shape, dtype, Distribution::Normal, mean, std, generator, device);
}

Tensor from_buffer(const void* src, DType src_dtype, const Dims& shape, Device device) {
  const Tensor borrowed = borrow_buffer(src, src_dtype, shape, "from_buffer");
  return device.is_cpu() ? borrowed.to(src_dtype) : borrowed.to(device);
}

void to_buffer(const Tensor& tensor, void* dst, DType dst_dtype) {
  const Tensor out = borrow_buffer(dst, dst_dtype, tensor.shape(), "to_buffer");
  default_backend().copy(tensor.detach().to(Device::cpu()), out);
}

void check_buffer_size(int64_t count, const Dims& shape) {
  const int64_t numel = checked_numel(shape);
  if (count != numel)
    fail(ErrorCode::ShapeMismatch, count, " values do not fill shape ", shape, " (", numel,
         " elements)");
}

}  // namespace mt
