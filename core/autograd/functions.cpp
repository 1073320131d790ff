// The public, differentiable ops: the frontend's primitives (ops/primitives.hpp) followed by
// their graph nodes. Declared in ops/tensor_ops.hpp and tensor/tensor.hpp; defined here, in the
// layer that records, so that ops/ and tensor/ never depend on autodiff.
#include "autograd/record.hpp"
#include "ops/primitives.hpp"
#include "ops/tensor_ops.hpp"

namespace mt {

Tensor map(UnaryOp op, const Tensor& a) {
  Tensor out = primitive::map(op, a);
  autograd::record_map(op, a, out);
  return out;
}

Tensor zip(BinaryOp op, const Tensor& a, const Tensor& b) {
  primitive::Zip z = primitive::zip(op, a, b);
  autograd::record_zip(op, z.lhs, z.rhs, z.out);
  return std::move(z.out);
}

Tensor reduce(ReduceOp op, const Tensor& a, const Dims& dims, bool keepdim) {
  primitive::Reduce r = primitive::reduce(op, a, dims, keepdim);
  autograd::record_reduce(op, a, r.kept, r.result);
  return std::move(r.result);
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  primitive::Matmul m = primitive::matmul(a, b);
  autograd::record_matmul(m.lhs, m.rhs, m.out.shape(), m.result);
  return std::move(m.result);
}

void map_out(UnaryOp op, const Tensor& a, const Tensor& out) {
  autograd::check_out_no_grad(op_name(op), {&a, &out});
  primitive::map_out(op, a, out);
}

void zip_out(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out) {
  autograd::check_out_no_grad(op_name(op), {&a, &b, &out});
  primitive::zip_out(op, a, b, out);
}

void reduce_out(ReduceOp op, const Tensor& a, const Dims& dims, bool keepdim, const Tensor& out) {
  autograd::check_out_no_grad(op_name(op), {&a, &out});
  primitive::reduce_out(op, a, dims, keepdim, out);
}

void matmul_out(const Tensor& a, const Tensor& b, const Tensor& out) {
  autograd::check_out_no_grad("matmul", {&a, &b, &out});
  primitive::matmul_out(a, b, out);
}

Tensor Tensor::to(DType dtype) const {
  // The engine converts the gradient back to this tensor's dtype.
  return autograd::record_unary("to", *this, primitive::convert(*this, dtype),
                                [](const Tensor& grad) { return grad; });
}

Tensor Tensor::to(Device target) const {
  if (target == device()) return *this;
  const Device source = device();
  return autograd::record_unary("to", *this, primitive::transfer(*this, target),
                                [source](const Tensor& grad) { return grad.to(source); });
}

}  // namespace mt
