// The primitives (map, zip, reduce, matmul) and their out= forms.
#include "boundary.hpp"

using namespace mt;
using namespace mt::capi;

extern "C" {

mt_status_t mt_map(mt_map_op_t op, const mt_tensor* a, mt_tensor** out) {
  return guarded("mt_map", [&] {
    const UnaryOp f = unary_arg(op);
    const Tensor& ta = tensor_of(a, "a");
    require(out, "out");
    give(out, map(f, ta));
  });
}

mt_status_t mt_map_out(mt_map_op_t op, const mt_tensor* a, mt_tensor* out) {
  return guarded("mt_map_out", [&] {
    const UnaryOp f = unary_arg(op);
    map_out(f, tensor_of(a, "a"), tensor_of(out, "out"));
  });
}

mt_status_t mt_zip(mt_zip_op_t op, const mt_tensor* a, const mt_tensor* b, mt_tensor** out) {
  return guarded("mt_zip", [&] {
    const BinaryOp f = binary_arg(op);
    const Tensor& ta = tensor_of(a, "a");
    const Tensor& tb = tensor_of(b, "b");
    require(out, "out");
    give(out, zip(f, ta, tb));
  });
}

mt_status_t mt_zip_out(mt_zip_op_t op, const mt_tensor* a, const mt_tensor* b, mt_tensor* out) {
  return guarded("mt_zip_out", [&] {
    const BinaryOp f = binary_arg(op);
    zip_out(f, tensor_of(a, "a"), tensor_of(b, "b"), tensor_of(out, "out"));
  });
}

mt_status_t mt_reduce(mt_reduce_op_t op, const mt_tensor* a, const int64_t* dims, int32_t ndims,
                      int32_t keepdim, mt_tensor** out) {
  return guarded("mt_reduce", [&] {
    const ReduceOp f = reduce_arg(op);
    const Tensor& ta = tensor_of(a, "a");
    const Dims folded = dims_arg(dims, ndims, "dims");
    require(out, "out");
    give(out, reduce(f, ta, folded, keepdim != 0));
  });
}

mt_status_t mt_reduce_out(mt_reduce_op_t op, const mt_tensor* a, const int64_t* dims, int32_t ndims,
                          int32_t keepdim, mt_tensor* out) {
  return guarded("mt_reduce_out", [&] {
    const ReduceOp f = reduce_arg(op);
    reduce_out(f, tensor_of(a, "a"), dims_arg(dims, ndims, "dims"), keepdim != 0,
               tensor_of(out, "out"));
  });
}

mt_status_t mt_mean(const mt_tensor* a, const int64_t* dims, int32_t ndims, int32_t keepdim,
                    mt_tensor** out) {
  return guarded("mt_mean", [&] {
    const Tensor& ta = tensor_of(a, "a");
    const Dims folded = dims_arg(dims, ndims, "dims");
    require(out, "out");
    give(out, mean(ta, folded, keepdim != 0));
  });
}

mt_status_t mt_matmul(const mt_tensor* a, const mt_tensor* b, mt_tensor** out) {
  return guarded("mt_matmul", [&] {
    const Tensor& ta = tensor_of(a, "a");
    const Tensor& tb = tensor_of(b, "b");
    require(out, "out");
    give(out, matmul(ta, tb));
  });
}

mt_status_t mt_matmul_out(const mt_tensor* a, const mt_tensor* b, mt_tensor* out) {
  return guarded("mt_matmul_out",
                 [&] { matmul_out(tensor_of(a, "a"), tensor_of(b, "b"), tensor_of(out, "out")); });
}

const char* mt_map_name(mt_map_op_t op) {
  return op >= 0 && op < kUnaryOpCount ? op_name(static_cast<UnaryOp>(op)) : nullptr;
}
const char* mt_zip_name(mt_zip_op_t op) {
  return op >= 0 && op < kBinaryOpCount ? op_name(static_cast<BinaryOp>(op)) : nullptr;
}
const char* mt_reduce_name(mt_reduce_op_t op) {
  return op >= 0 && op < kReduceOpCount ? op_name(static_cast<ReduceOp>(op)) : nullptr;
}

}  // extern "C"
