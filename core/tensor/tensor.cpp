#include "tensor/tensor.hpp"

#include "base/capture_state.hpp"
#include "base/error.hpp"
#include "base/index.hpp"
#include "base/strided_view.hpp"
#include "tensor/overlap.hpp"

namespace mt {

Tensor::Tensor(std::shared_ptr<Storage> storage, int64_t offset, const Dims& shape,
               const Dims& strides, DType dtype) {
  if (!storage) fail(ErrorCode::InvalidArgument, "tensor: null storage");
  if (dtype != DType::Float32 && dtype != DType::Float64)
    fail(ErrorCode::DTypeMismatch, "unknown dtype ", static_cast<int32_t>(dtype));
  if (shape.size() != strides.size())
    fail(ErrorCode::InvalidArgument, "shape ", shape, " and strides ", strides,
         " have different ranks");
  if (offset < 0) fail(ErrorCode::InvalidArgument, "negative storage offset ", offset);
  for (int64_t stride : strides)
    if (stride < 0) fail(ErrorCode::InvalidArgument, "negative stride in strides ", strides);
  const int64_t numel = checked_numel(shape);
  if (numel > 0) {
    // The last element reached is at offset + sum (size - 1) * stride; it must be in storage.
    int64_t last = offset;
    for (int d = 0; d < shape.size(); ++d)
      last = checked_add(last, checked_mul(shape[d] - 1, strides[d], "tensor extent"),
                         "tensor extent");
    const int64_t needed =
        checked_mul(checked_add(last, 1, "tensor extent"), itemsize(dtype), "tensor extent");
    if (needed > storage->nbytes())
      fail(ErrorCode::InvalidArgument, "shape ", shape, " with strides ", strides, " and offset ",
           offset, " needs ", needed, " bytes but the storage holds ", storage->nbytes());
  }
  impl_ = std::make_shared<Impl>(
      Impl{std::move(storage), offset, shape, strides, numel, dtype, nullptr});
}

Tensor Tensor::empty(const Dims& shape, DType dtype, Device device) {
  const int64_t numel = checked_numel(shape);
  const Dims strides = contiguous_strides(shape);
  auto storage =
      Storage::allocate(checked_mul(numel, itemsize(dtype), "tensor size in bytes"), device);
  return Tensor(std::move(storage), 0, shape, strides, dtype);
}

const Tensor::Impl& Tensor::impl() const {
  if (!impl_) fail(ErrorCode::InvalidArgument, "use of an undefined tensor");
  return *impl_;
}

void Tensor::check_dtype(DType expected, const char* what) const {
  if (dtype() != expected)
    fail(ErrorCode::DTypeMismatch, what, ": tensor is ", dtype(), ", not ", expected);
}

void Tensor::check_on_cpu(const char* what) const {
  if (!device().is_cpu())
    fail(ErrorCode::DeviceMismatch, what, ": the tensor is on ", device(),
         "; host code needs it on the CPU (to(cpu))");
}

int64_t Tensor::size(int64_t dim) const { return shape()[normalize_dim(dim, this->dim())]; }
int64_t Tensor::stride(int64_t dim) const { return strides()[normalize_dim(dim, this->dim())]; }

bool Tensor::is_contiguous() const { return is_row_major(dim(), shape().data(), strides().data()); }

void* Tensor::raw_data() const {
  // A tensor without elements addresses nothing; its offset may be far past its storage (a
  // narrow of (2^62, 0) at 2^62 - 4), where offset * itemsize would overflow.
  if (numel() == 0) return storage()->data();
  return static_cast<char*>(storage()->data()) + offset() * itemsize(dtype());
}

namespace {

// The storage position of `index`, after checking that it is a valid index of `shape`.
int64_t checked_position(const Dims& index, const Dims& shape, const Dims& strides) {
  if (index.size() != shape.size())
    fail(ErrorCode::IndexOutOfRange, "index ", index, " has rank ", index.size(),
         " but the tensor has shape ", shape);
  for (int d = 0; d < shape.size(); ++d)
    if (index[d] < 0 || index[d] >= shape[d])
      fail(ErrorCode::IndexOutOfRange, "index ", index, " is out of range for shape ", shape);
  return index_to_position(index, strides);
}

}  // namespace

void Tensor::check_readable(const char* what) const {
  check_not_capturing(what);
  if (storage()->pending())
    fail(ErrorCode::CaptureMisuse, what, ": this tensor (shape ", shape(),
         ") was made during a capture and holds no values; a plan's run returns the values");
}

double Tensor::get(const Dims& index) const {
  check_readable("get");
  const int64_t position = checked_position(index, shape(), strides());
  return dispatch_dtype(dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* element = static_cast<const T*>(raw_data()) + position;
    T value;
    if (device().is_cpu())
      value = *element;
    else
      device_memory(device()).copy_to_host(device().index, &value, element, sizeof value);
    return static_cast<double>(value);
  });
}

bool Tensor::shares_memory(const Tensor& other) const {
  return shares_storage(other) ||
         (storage() && other.storage() && storage()->overlaps(*other.storage()));
}

void Tensor::check_writable(const char* op) const {
  if (is_contiguous()) return;
  const SelfOverlap overlap = find_self_overlap(shape(), strides());
  switch (overlap.kind) {
    case SelfOverlap::Kind::None: return;
    case SelfOverlap::Kind::Found: {
      bool broadcast = false;  // expand's views: a dim of several elements with stride 0
      for (int d = 0; d < dim(); ++d)
        broadcast |= shape()[d] > 1 && strides()[d] == 0;
      fail(ErrorCode::InvalidArgument, op, ": the tensor written (shape ", shape(), ", strides ",
           strides(), ") ",
           broadcast ? "is a broadcast view whose elements overlap" : "has elements that overlap",
           ": indices ", overlap.first, " and ", overlap.second, " are the same memory");
    }
    case SelfOverlap::Kind::Undecided:
      fail(ErrorCode::InvalidArgument, op, ": the tensor written (shape ", shape(), ", strides ",
           strides(), ") may have overlapping elements (too many stride combinations to rule ",
           "it out); write into a contiguous tensor instead");
  }
}

void Tensor::set(const Dims& index, double value) const {
  check_writable("set");
  const int64_t position = checked_position(index, shape(), strides());
  dispatch_dtype(dtype(), [&](auto zero) {
    using T = decltype(zero);
    T* element = static_cast<T*>(raw_data()) + position;
    const T converted = static_cast<T>(value);
    if (device().is_cpu())
      *element = converted;
    else
      device_memory(device()).copy_to_device(device().index, element, &converted, sizeof converted);
  });
  storage()->bump_version();
  // A constant made in a capture (a scalar operand): once all of it is written it is real.
  if (numel() * itemsize(dtype()) == storage()->nbytes()) storage()->set_written();
}

double Tensor::item() const {
  if (numel() != 1)
    fail(ErrorCode::ShapeMismatch, "item() needs a tensor of one element, not shape ", shape());
  return get(Dims::filled(dim(), 0));
}

Tensor Tensor::contiguous() const { return is_contiguous() ? *this : to(dtype()); }

Tensor Tensor::with_layout(int64_t offset, const Dims& shape, const Dims& strides) const {
  const Impl& base = impl();
  return Tensor(std::make_shared<Impl>(
      Impl{base.storage, offset, shape, strides, checked_numel(shape), base.dtype, nullptr}));
}

}  // namespace mt
