// Creating tensors, copying data in and out, reference counting.
#include "boundary.hpp"
#include "wrap.hpp"

using namespace mt;
using namespace mt::capi;

extern "C" {

int32_t mt_retain(mt_tensor* tensor) {
  return guarded("mt_retain",
                 [&] { require(tensor, "tensor")->refs.fetch_add(1, std::memory_order_relaxed); });
}

void mt_release(mt_tensor* tensor) {
  // acq_rel: the thread that frees sees every write made through the other references.
  if (tensor && tensor->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete tensor;
}

int32_t mt_empty(const int64_t* shape, int32_t ndim, int32_t dtype, mt_tensor** out) {
  return guarded("mt_empty", [&] {
    require(out, "out");
    give(out, Tensor::empty(dims_arg(shape, ndim, "shape"), dtype_arg(dtype)));
  });
}

int32_t mt_zeros(const int64_t* shape, int32_t ndim, int32_t dtype, mt_tensor** out) {
  return guarded("mt_zeros", [&] {
    require(out, "out");
    give(out, zeros(dims_arg(shape, ndim, "shape"), dtype_arg(dtype)));
  });
}

int32_t mt_ones(const int64_t* shape, int32_t ndim, int32_t dtype, mt_tensor** out) {
  return guarded("mt_ones", [&] {
    require(out, "out");
    give(out, ones(dims_arg(shape, ndim, "shape"), dtype_arg(dtype)));
  });
}

int32_t mt_full(const int64_t* shape, int32_t ndim, double value, int32_t dtype, mt_tensor** out) {
  return guarded("mt_full", [&] {
    require(out, "out");
    give(out, full(dims_arg(shape, ndim, "shape"), value, dtype_arg(dtype)));
  });
}

int32_t mt_scalar(double value, int32_t dtype, mt_tensor** out) {
  return guarded("mt_scalar", [&] {
    require(out, "out");
    give(out, scalar(value, dtype_arg(dtype)));
  });
}

int32_t mt_arange(double start, double stop, double step, int32_t dtype, mt_tensor** out) {
  return guarded("mt_arange", [&] {
    require(out, "out");
    give(out, arange(start, stop, step, dtype_arg(dtype)));
  });
}

int32_t mt_rand(const int64_t* shape, int32_t ndim, int32_t dtype, double low, double high,
                mt_generator* generator, mt_tensor** out) {
  return guarded("mt_rand", [&] {
    require(out, "out");
    give(out, rand(dims_arg(shape, ndim, "shape"), dtype_arg(dtype), low, high,
                   generator_arg(generator)));
  });
}

int32_t mt_randn(const int64_t* shape, int32_t ndim, int32_t dtype, double mean, double std,
                 mt_generator* generator, mt_tensor** out) {
  return guarded("mt_randn", [&] {
    require(out, "out");
    give(out, randn(dims_arg(shape, ndim, "shape"), dtype_arg(dtype), mean, std,
                    generator_arg(generator)));
  });
}

int32_t mt_from_buffer(const void* data, int32_t data_dtype, int64_t count, const int64_t* shape,
                       int32_t ndim, int32_t dtype, mt_tensor** out) {
  return guarded("mt_from_buffer", [&] {
    require(out, "out");
    const DType src_dtype = dtype_arg(data_dtype);
    const DType dst_dtype = dtype_arg(dtype);
    const Dims dims = dims_arg(shape, ndim, "shape");
    if (count < 0) fail(ErrorCode::InvalidArgument, "negative count ", count);
    check_buffer_size(count, dims);
    if (count > 0) require(data, "data");
    Tensor copy = from_buffer(data, src_dtype, dims);
    give(out, copy.dtype() == dst_dtype ? copy : copy.to(dst_dtype));
  });
}

int32_t mt_from_blob(void* data, int32_t dtype, const int64_t* shape, const int64_t* strides,
                     int32_t ndim, mt_deleter deleter, void* context, mt_tensor** out) {
  return guarded("mt_from_blob", [&] {
    require(out, "out");
    const Dims dims = dims_arg(shape, ndim, "shape");
    const Dims steps = strides ? dims_arg(strides, ndim, "strides") : contiguous_strides(dims);
    std::function<void()> release;
    if (deleter) release = [deleter, data, context] { deleter(data, context); };
    *out = wrap_memory(data, dtype_arg(dtype), dims, steps, std::move(release));
  });
}

int32_t mt_to_buffer(const mt_tensor* tensor, void* dst, int32_t dtype, int64_t capacity) {
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
