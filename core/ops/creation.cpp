#include "ops/creation.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>

#include "backend/registry.hpp"
#include "base/capture_state.hpp"
#include "base/error.hpp"
#include "base/index.hpp"
#include "ops/run.hpp"
#include "random/philox.hpp"
#include "tensor/strided_view.hpp"

namespace mt {
namespace {

Tensor random_tensor(const Dims& shape, DType dtype, Distribution distribution, double a, double b,
                     Generator& generator, Device device) {
  Tensor out = Tensor::empty(shape, dtype, device);
  run_random(out, distribution, a, b, generator);
  return out;
}

// Throws Overflow, naming `fn` and `what`, when the finite `value` has no finite counterpart in
// `dtype` (1e39 would become a float32 infinity). Infinities and NaN are the caller's business.
void check_fits(double value, DType dtype, const char* fn, const char* what) {
  if (std::isfinite(value) &&
      !std::isfinite(dtype == DType::Float32 ? static_cast<float>(value) : value))
    fail(ErrorCode::Overflow, fn, ": ", what, " ", value, " is outside the finite range of ", dtype,
         " (+-", largest_finite(dtype), ")");
}

// Whether elements of `dtype` may be read or written at `data`. Callers' buffers may sit at any
// address (a record in a byte stream), and a misaligned access is undefined behaviour, so the
// copies stage such a buffer through aligned memory with memcpy, which has no alignment needs.
bool aligned_for(const void* data, DType dtype) {
  return reinterpret_cast<uintptr_t>(data) % static_cast<uintptr_t>(itemsize(dtype)) == 0;
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
  check_fits(value, dtype, "full", "value");
  Tensor out = Tensor::empty(shape, dtype, device);
  run_fill(out, value);
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
  // Where stop - start or start + i * step overflow (bounds near the largest finite values of
  // opposite signs), the same numbers are computed at half scale: halving is exact, and so is
  // doubling a result that lies between start / 2 and stop / 2.
  const double span = stop - start;
  const double count =
      std::ceil(std::isfinite(span) ? span / step : (stop / 2 - start / 2) / (step / 2));
  if (count >= 9.2e18) fail(ErrorCode::Overflow, "arange: ", count, " elements is too many");
  const int64_t n = count > 0 ? static_cast<int64_t>(count) : 0;
  const auto value = [&](int64_t i) {
    const double x = start + static_cast<double>(i) * step;
    return std::isfinite(x) ? x : 2 * (start / 2 + static_cast<double>(i) * (step / 2));
  };
  if (n > 0) {  // the first and the last are the largest in magnitude
    check_fits(value(0), dtype, "arange", "start");
    check_fits(value(n - 1), dtype, "arange", "the last value");
  }
  Tensor out = Tensor::empty({n}, dtype);
  dispatch_dtype(dtype, [&](auto zero) {
    using T = decltype(zero);
    T* data = out.data<T>();
    for (int64_t i = 0; i < n; ++i)
      data[i] = static_cast<T>(value(i));
  });
  out.storage()->set_written();
  return out.to(device);
}

Tensor rand(const Dims& shape, DType dtype, double low, double high, Generator& generator,
            Device device) {
  if (!(low <= high) || !std::isfinite(low) || !std::isfinite(high))
    fail(ErrorCode::InvalidArgument, "rand: need finite low <= high, got ", low, " and ", high);
  check_fits(low, dtype, "rand", "low");
  check_fits(high, dtype, "rand", "high");
  return random_tensor(shape, dtype, Distribution::Uniform, low, high, generator, device);
}

Tensor randn(const Dims& shape, DType dtype, double mean, double std, Generator& generator,
             Device device) {
  if (!(std >= 0) || !std::isfinite(mean) || !std::isfinite(std))
    fail(ErrorCode::InvalidArgument, "randn: need a finite mean and std >= 0, got ", mean, " and ",
         std);
  // A sample can reach mean +- kPhiloxNormalBound std; beyond the dtype's range it would be inf.
  if (std::abs(mean) + kPhiloxNormalBound * std > largest_finite(dtype))
    fail(ErrorCode::Overflow, "randn: mean ", mean, " and std ", std, " can give samples beyond ",
         dtype, "'s finite range (+-", largest_finite(dtype), "): |mean| + ", kPhiloxNormalBound,
         " std must stay inside it");
  return random_tensor(shape, dtype, Distribution::Normal, mean, std, generator, device);
}

Tensor from_buffer(const void* src, DType src_dtype, const Dims& shape, Device device) {
  // In a capture the copy is made now: a recorded copy would read the caller's buffer when the
  // plan runs, long after this call returned.
  if (!aligned_for(src, src_dtype) || capture_active()) {
    Tensor staged = Tensor::empty(shape, src_dtype);
    if (staged.numel() > 0)  // src may be NULL for no elements, which memcpy does not allow
      std::memcpy(staged.raw_data(), src,
                  static_cast<size_t>(staged.numel()) * itemsize(src_dtype));
    staged.storage()->set_written();
    return staged.to(device);
  }
  const Tensor borrowed = borrow_buffer(src, src_dtype, shape, "from_buffer");
  return device.is_cpu() ? borrowed.to(src_dtype) : borrowed.to(device);
}

void to_buffer(const Tensor& tensor, void* dst, DType dst_dtype) {
  tensor.check_readable("to_buffer");
  if (!aligned_for(dst, dst_dtype)) {
    const Tensor staged = Tensor::empty(tensor.shape(), dst_dtype);
    to_buffer(tensor, staged.raw_data(), dst_dtype);
    std::memcpy(dst, staged.raw_data(), static_cast<size_t>(staged.numel()) * itemsize(dst_dtype));
    return;
  }
  const Tensor out = borrow_buffer(dst, dst_dtype, tensor.shape(), "to_buffer");
  default_backend().copy(strided_view(tensor.detach().to(Device::cpu())), strided_view(out));
}

void check_buffer_size(int64_t count, const Dims& shape) {
  const int64_t numel = checked_numel(shape);
  if (count != numel)
    fail(ErrorCode::ShapeMismatch, count, " values do not fill shape ", shape, " (", numel,
         " elements)");
}

}  // namespace mt
