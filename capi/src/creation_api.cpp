// Creating tensors, copying data in and out, reference counting.
#include "boundary.hpp"
#include "wrap.hpp"

using namespace mt;
using namespace mt::capi;

// Each creator and its *_on form (on a device) share one body, named after the C function.
namespace {

mt_status_t empty_on(const char* fn, const int64_t* shape, int32_t ndim, mt_dtype_t dtype,
                     mt_device_type_t device_type, int32_t device_index, mt_tensor** out) {
  return guarded(fn, [&] {
    require(out, "out");
    give(out, Tensor::empty(dims_arg(shape, ndim, "shape"), dtype_arg(dtype),
                            make_device(device_type, device_index)));
  });
}

mt_status_t full_on(const char* fn, const int64_t* shape, int32_t ndim, double value,
                    mt_dtype_t dtype, mt_device_type_t device_type, int32_t device_index,
                    mt_tensor** out) {
  return guarded(fn, [&] {
    require(out, "out");
    give(out, full(dims_arg(shape, ndim, "shape"), value, dtype_arg(dtype),
                   make_device(device_type, device_index)));
  });
}

// `sample` is mt::rand or mt::randn; a and b are (low, high) or (mean, std).
using Sampler = Tensor (*)(const Dims&, DType, double, double, Generator&, Device);
mt_status_t random_on(const char* fn, Sampler sample, const int64_t* shape, int32_t ndim,
                      mt_dtype_t dtype, double a, double b, mt_generator* generator,
                      mt_device_type_t device_type, int32_t device_index, mt_tensor** out) {
  return guarded(fn, [&] {
    require(out, "out");
    give(out, sample(dims_arg(shape, ndim, "shape"), dtype_arg(dtype), a, b,
                     generator_arg(generator), make_device(device_type, device_index)));
  });
}

mt_status_t from_buffer_on(const char* fn, const void* data, mt_dtype_t data_dtype, int64_t count,
                           const int64_t* shape, int32_t ndim, mt_dtype_t dtype,
                           mt_device_type_t device_type, int32_t device_index, mt_tensor** out) {
  return guarded(fn, [&] {
    require(out, "out");
    const DType src_dtype = dtype_arg(data_dtype);
    const DType dst_dtype = dtype_arg(dtype);
    const Dims dims = dims_arg(shape, ndim, "shape");
    const Device device = make_device(device_type, device_index);
    if (count < 0) fail(ErrorCode::InvalidArgument, "negative count ", count);
    check_buffer_size(count, dims);
    if (count > 0) require(data, "data");
    Tensor copy = from_buffer(data, src_dtype, dims, device);
    give(out, copy.dtype() == dst_dtype ? copy : copy.to(dst_dtype));
  });
}

}  // namespace

extern "C" {

mt_status_t mt_retain(mt_tensor* tensor) {
  return guarded("mt_retain", [&] {
    tensor_of(tensor, "tensor");  // checks that the handle is live
    tensor->refs.fetch_add(1, std::memory_order_relaxed);
  });
}

void mt_release(mt_tensor* tensor) { release_tensor(tensor); }

mt_status_t mt_empty(const int64_t* shape, int32_t ndim, mt_dtype_t dtype, mt_tensor** out) {
  return empty_on("mt_empty", shape, ndim, dtype, MT_DEVICE_CPU, 0, out);
}

mt_status_t mt_empty_on(const int64_t* shape, int32_t ndim, mt_dtype_t dtype,
                        mt_device_type_t device_type, int32_t device_index, mt_tensor** out) {
  return empty_on("mt_empty_on", shape, ndim, dtype, device_type, device_index, out);
}

mt_status_t mt_zeros(const int64_t* shape, int32_t ndim, mt_dtype_t dtype, mt_tensor** out) {
  return full_on("mt_zeros", shape, ndim, 0, dtype, MT_DEVICE_CPU, 0, out);
}

mt_status_t mt_ones(const int64_t* shape, int32_t ndim, mt_dtype_t dtype, mt_tensor** out) {
  return full_on("mt_ones", shape, ndim, 1, dtype, MT_DEVICE_CPU, 0, out);
}

mt_status_t mt_full(const int64_t* shape, int32_t ndim, double value, mt_dtype_t dtype,
                    mt_tensor** out) {
  return full_on("mt_full", shape, ndim, value, dtype, MT_DEVICE_CPU, 0, out);
}

mt_status_t mt_full_on(const int64_t* shape, int32_t ndim, double value, mt_dtype_t dtype,
                       mt_device_type_t device_type, int32_t device_index, mt_tensor** out) {
  return full_on("mt_full_on", shape, ndim, value, dtype, device_type, device_index, out);
}

mt_status_t mt_scalar(double value, mt_dtype_t dtype, mt_tensor** out) {
  return guarded("mt_scalar", [&] {
    require(out, "out");
    give(out, scalar(value, dtype_arg(dtype)));
  });
}

mt_status_t mt_arange(double start, double stop, double step, mt_dtype_t dtype, mt_tensor** out) {
  return guarded("mt_arange", [&] {
    require(out, "out");
    give(out, arange(start, stop, step, dtype_arg(dtype)));
  });
}

mt_status_t mt_rand(const int64_t* shape, int32_t ndim, mt_dtype_t dtype, double low, double high,
                    mt_generator* generator, mt_tensor** out) {
  return random_on("mt_rand", mt::rand, shape, ndim, dtype, low, high, generator, MT_DEVICE_CPU, 0,
                   out);
}

mt_status_t mt_rand_on(const int64_t* shape, int32_t ndim, mt_dtype_t dtype, double low,
                       double high, mt_generator* generator, mt_device_type_t device_type,
                       int32_t device_index, mt_tensor** out) {
  return random_on("mt_rand_on", mt::rand, shape, ndim, dtype, low, high, generator, device_type,
                   device_index, out);
}

mt_status_t mt_randn(const int64_t* shape, int32_t ndim, mt_dtype_t dtype, double mean, double std,
                     mt_generator* generator, mt_tensor** out) {
  return random_on("mt_randn", mt::randn, shape, ndim, dtype, mean, std, generator, MT_DEVICE_CPU,
                   0, out);
}

mt_status_t mt_randn_on(const int64_t* shape, int32_t ndim, mt_dtype_t dtype, double mean,
                        double std, mt_generator* generator, mt_device_type_t device_type,
                        int32_t device_index, mt_tensor** out) {
  return random_on("mt_randn_on", mt::randn, shape, ndim, dtype, mean, std, generator, device_type,
                   device_index, out);
}

mt_status_t mt_from_buffer(const void* data, mt_dtype_t data_dtype, int64_t count,
                           const int64_t* shape, int32_t ndim, mt_dtype_t dtype, mt_tensor** out) {
  return from_buffer_on("mt_from_buffer", data, data_dtype, count, shape, ndim, dtype,
                        MT_DEVICE_CPU, 0, out);
}

mt_status_t mt_from_buffer_on(const void* data, mt_dtype_t data_dtype, int64_t count,
                              const int64_t* shape, int32_t ndim, mt_dtype_t dtype,
                              mt_device_type_t device_type, int32_t device_index, mt_tensor** out) {
  return from_buffer_on("mt_from_buffer_on", data, data_dtype, count, shape, ndim, dtype,
                        device_type, device_index, out);
}

mt_status_t mt_from_blob(void* data, mt_dtype_t dtype, const int64_t* shape, const int64_t* strides,
                         int32_t ndim, mt_deleter deleter, void* context, mt_tensor** out) {
  return guarded("mt_from_blob", [&] {
    require(out, "out");
    const Dims dims = dims_arg(shape, ndim, "shape");
    const Dims steps = strides ? dims_arg(strides, ndim, "strides") : contiguous_strides(dims);
    std::function<void()> release;
    if (deleter) release = [deleter, data, context] { deleter(data, context); };
    *out = wrap_memory(data, "data", dtype_arg(dtype), dims, steps, std::move(release));
  });
}

mt_status_t mt_to_buffer(const mt_tensor* tensor, void* dst, mt_dtype_t dtype, int64_t capacity) {
  return guarded("mt_to_buffer", [&] {
    const Tensor& t = tensor_of(tensor, "tensor");
    const DType dst_dtype = dtype_arg(dtype);
    if (capacity < t.numel())
      fail(ErrorCode::ShapeMismatch, "the buffer holds ", capacity, " elements but the tensor of ",
           "shape ", t.shape(), " has ", t.numel());
    if (t.numel() > 0) require(dst, "dst");
    to_buffer(t, dst, dst_dtype);
  });
}

}  // extern "C"
