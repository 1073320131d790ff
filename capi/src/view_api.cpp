// Views and copies: new handles over the input's memory (or a copy of it).
#include "boundary.hpp"

using namespace mt;
using namespace mt::capi;

namespace {

// The shared body of the view entry points: checks `out`, then stores view(input).
template <class View>
mt_status_t make_view(const char* fn, const mt_tensor* tensor, mt_tensor** out, View&& view) {
  return guarded(fn, [&] {
    const Tensor& t = tensor_of(tensor, "tensor");
    require(out, "out");
    give(out, view(t));
  });
}

}  // namespace

extern "C" {

mt_status_t mt_permute(const mt_tensor* tensor, const int64_t* order, int32_t ndim,
                       mt_tensor** out) {
  return make_view("mt_permute", tensor, out,
                   [&](const Tensor& t) { return t.permute(dims_arg(order, ndim, "order")); });
}

mt_status_t mt_transpose(const mt_tensor* tensor, int64_t dim0, int64_t dim1, mt_tensor** out) {
  return make_view("mt_transpose", tensor, out,
                   [&](const Tensor& t) { return t.transpose(dim0, dim1); });
}

mt_status_t mt_view(const mt_tensor* tensor, const int64_t* shape, int32_t ndim, mt_tensor** out) {
  return make_view("mt_view", tensor, out,
                   [&](const Tensor& t) { return t.view(dims_arg(shape, ndim, "shape")); });
}

mt_status_t mt_reshape(const mt_tensor* tensor, const int64_t* shape, int32_t ndim,
                       mt_tensor** out) {
  return make_view("mt_reshape", tensor, out,
                   [&](const Tensor& t) { return t.reshape(dims_arg(shape, ndim, "shape")); });
}

mt_status_t mt_expand(const mt_tensor* tensor, const int64_t* shape, int32_t ndim,
                      mt_tensor** out) {
  return make_view("mt_expand", tensor, out,
                   [&](const Tensor& t) { return t.expand(dims_arg(shape, ndim, "shape")); });
}

mt_status_t mt_narrow(const mt_tensor* tensor, int64_t dim, int64_t start, int64_t length,
                      mt_tensor** out) {
  return make_view("mt_narrow", tensor, out,
                   [&](const Tensor& t) { return t.narrow(dim, start, length); });
}

mt_status_t mt_slice(const mt_tensor* tensor, int64_t dim, int64_t start, int64_t stop,
                     int64_t step, mt_tensor** out) {
  return make_view("mt_slice", tensor, out,
                   [&](const Tensor& t) { return t.slice(dim, start, stop, step); });
}

mt_status_t mt_select(const mt_tensor* tensor, int64_t dim, int64_t index, mt_tensor** out) {
  return make_view("mt_select", tensor, out, [&](const Tensor& t) { return t.select(dim, index); });
}

mt_status_t mt_unsqueeze(const mt_tensor* tensor, int64_t dim, mt_tensor** out) {
  return make_view("mt_unsqueeze", tensor, out, [&](const Tensor& t) { return t.unsqueeze(dim); });
}

mt_status_t mt_squeeze(const mt_tensor* tensor, int64_t dim, mt_tensor** out) {
  return make_view("mt_squeeze", tensor, out, [&](const Tensor& t) { return t.squeeze(dim); });
}

mt_status_t mt_contiguous(const mt_tensor* tensor, mt_tensor** out) {
  return make_view("mt_contiguous", tensor, out, [&](const Tensor& t) { return t.contiguous(); });
}

mt_status_t mt_to_dtype(const mt_tensor* tensor, mt_dtype_t dtype, mt_tensor** out) {
  return make_view("mt_to_dtype", tensor, out,
                   [&](const Tensor& t) { return t.to(dtype_arg(dtype)); });
}

mt_status_t mt_clone(const mt_tensor* tensor, mt_tensor** out) {
  return make_view("mt_clone", tensor, out, [&](const Tensor& t) { return t.clone(); });
}

mt_status_t mt_detach(const mt_tensor* tensor, mt_tensor** out) {
  return make_view("mt_detach", tensor, out, [&](const Tensor& t) { return t.detach(); });
}

}  // extern "C"
