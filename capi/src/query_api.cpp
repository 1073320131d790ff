// Queries on a tensor and element access.
#include "autograd/record.hpp"
#include "boundary.hpp"

using namespace mt;
using namespace mt::capi;

namespace {

// Copies `dims` to out[0..capacity), which must hold all of them.
void copy_dims(const Dims& dims, int64_t* out, int32_t capacity, const char* what) {
  if (capacity < dims.size())
    fail(ErrorCode::InvalidArgument, "capacity ", capacity, " is less than the rank ", dims.size(),
         " of the ", what, " ", dims);
  if (dims.size() > 0) require(out, "out");
  std::copy(dims.begin(), dims.end(), out);
}

}  // namespace

extern "C" {

mt_status_t mt_ndim(const mt_tensor* tensor, int32_t* out) {
  return guarded("mt_ndim", [&] {
    const Tensor& t = tensor_of(tensor, "tensor");
    *require(out, "out") = t.dim();
  });
}

mt_status_t mt_numel(const mt_tensor* tensor, int64_t* out) {
  return guarded("mt_numel", [&] {
    const Tensor& t = tensor_of(tensor, "tensor");
    *require(out, "out") = t.numel();
  });
}

mt_status_t mt_dtype(const mt_tensor* tensor, mt_dtype_t* out) {
  return guarded("mt_dtype", [&] {
    const Tensor& t = tensor_of(tensor, "tensor");
    *require(out, "out") = static_cast<mt_dtype_t>(t.dtype());
  });
}

mt_status_t mt_device(const mt_tensor* tensor, mt_device_type_t* type, int32_t* index) {
  return guarded("mt_device", [&] {
    const Device device = tensor_of(tensor, "tensor").device();
    require(type, "type");
    require(index, "index");
    require_distinct(type, "type", index, "index");
    *type = static_cast<mt_device_type_t>(device.type);
    *index = device.index;
  });
}

mt_status_t mt_size(const mt_tensor* tensor, int64_t dim, int64_t* out) {
  return guarded("mt_size", [&] {
    const Tensor& t = tensor_of(tensor, "tensor");
    require(out, "out");
    *out = t.size(dim);
  });
}

mt_status_t mt_stride(const mt_tensor* tensor, int64_t dim, int64_t* out) {
  return guarded("mt_stride", [&] {
    const Tensor& t = tensor_of(tensor, "tensor");
    require(out, "out");
    *out = t.stride(dim);
  });
}

mt_status_t mt_shape(const mt_tensor* tensor, int64_t* out, int32_t capacity) {
  return guarded("mt_shape",
                 [&] { copy_dims(tensor_of(tensor, "tensor").shape(), out, capacity, "shape"); });
}

mt_status_t mt_strides(const mt_tensor* tensor, int64_t* out, int32_t capacity) {
  return guarded("mt_strides", [&] {
    copy_dims(tensor_of(tensor, "tensor").strides(), out, capacity, "strides");
  });
}

mt_status_t mt_is_contiguous(const mt_tensor* tensor, int32_t* out) {
  return guarded("mt_is_contiguous", [&] {
    const Tensor& t = tensor_of(tensor, "tensor");
    *require(out, "out") = t.is_contiguous();
  });
}

mt_status_t mt_shares_memory(const mt_tensor* a, const mt_tensor* b, int32_t* out) {
  return guarded("mt_shares_memory", [&] {
    const Tensor& ta = tensor_of(a, "a");
    const Tensor& tb = tensor_of(b, "b");
    *require(out, "out") = ta.shares_memory(tb);
  });
}

mt_status_t mt_item(const mt_tensor* tensor, double* out) {
  return guarded("mt_item", [&] {
    const Tensor& t = tensor_of(tensor, "tensor");
    require(out, "out");
    *out = t.item();
  });
}

mt_status_t mt_get(const mt_tensor* tensor, const int64_t* index, int32_t ndim, double* out) {
  return guarded("mt_get", [&] {
    const Tensor& t = tensor_of(tensor, "tensor");
    const Dims at = dims_arg(index, ndim, "index");
    require(out, "out");
    *out = t.get(at);
  });
}

mt_status_t mt_set(mt_tensor* tensor, const int64_t* index, int32_t ndim, double value) {
  return guarded("mt_set", [&] {
    const Tensor& t = tensor_of(tensor, "tensor");
    const Dims at = dims_arg(index, ndim, "index");
    // A write into a tensor that requires grad would hide it from the gradient (as torch's
    // in-place rule): allowed only with grad mode off.
    autograd::check_out_no_grad("set", {&t});
    t.set(at, value);
  });
}

mt_status_t mt_to_string(const mt_tensor* tensor, char** out) {
  return guarded("mt_to_string", [&] {
    const Tensor& t = tensor_of(tensor, "tensor");
    require(out, "out");
    *out = malloc_string(to_string(t));
  });
}

}  // extern "C"
