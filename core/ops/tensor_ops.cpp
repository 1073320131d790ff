#include "ops/tensor_ops.hpp"

#include "backend/registry.hpp"
#include "tensor/error.hpp"
#include "tensor/index.hpp"

namespace mt {
namespace {

Tensor as_dtype(const Tensor& t, DType dtype) { return t.dtype() == dtype ? t : t.to(dtype); }

// One flag per dim of a rank-`rank` tensor: 1 where `dims` reduces (all dims when empty).
Dims reduced_dims(const Dims& dims, int rank) {
  Dims flags = Dims::filled(rank, dims.empty() ? 1 : 0);
  for (int64_t dim : dims) {
    const int d = normalize_dim(dim, rank);
    if (flags[d]) fail(ErrorCode::InvalidArgument, "dim ", dim, " appears twice in dims ", dims);
    flags[d] = 1;
  }
  return flags;
}

}  // namespace

Tensor map(UnaryOp op, const Tensor& a) {
  Tensor out = Tensor::empty(a.shape(), a.dtype());
  default_backend().map(op, a, out);
  return out;
}

Tensor zip(BinaryOp op, const Tensor& a, const Tensor& b) {
  const DType dtype = promote(a.dtype(), b.dtype());
  Tensor out = Tensor::empty(shape_broadcast(a.shape(), b.shape()), dtype);
  default_backend().zip(op, as_dtype(a, dtype), as_dtype(b, dtype), out);
  return out;
}

Tensor reduce(ReduceOp op, const Tensor& a, const Dims& dims, bool keepdim) {
  const Dims flags = reduced_dims(dims, a.dim());
  const bool empty_allowed =
      dispatch_reduce(op, [](auto fn) { return decltype(fn)::kEmptyAllowed; });
  Dims out_shape = a.shape(), squeezed;
  for (int d = 0; d < a.dim(); ++d) {
    if (!flags[d]) {
      squeezed.push_back(a.shape()[d]);
      continue;
    }
    if (a.shape()[d] == 0 && !empty_allowed)
      fail(ErrorCode::InvalidArgument, op_name(op), ": dim ", d, " of shape ", a.shape(),
           " is empty and ", op_name(op), " of nothing is undefined");
    out_shape[d] = 1;
  }
  Tensor out = Tensor::empty(out_shape, a.dtype());
  default_backend().reduce(op, a, out);
  return keepdim ? out : out.view(squeezed);
}

Tensor reduce(ReduceOp op, const Tensor& a, int64_t dim, bool keepdim) {
  return reduce(op, a, Dims{dim}, keepdim);
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  if (a.dim() == 0 || b.dim() == 0)
    fail(ErrorCode::InvalidArgument, "matmul: operands need at least one dim, got shapes ",
         a.shape(), " and ", b.shape());
  // numpy's promotion of vectors: a row on the left, a column on the right.
  Tensor lhs = a.dim() == 1 ? a.unsqueeze(0) : a;
  Tensor rhs = b.dim() == 1 ? b.unsqueeze(1) : b;
  if (lhs.size(-1) != rhs.size(-2))
    fail(ErrorCode::ShapeMismatch, "matmul: shapes ", a.shape(), " and ", b.shape(),
         " do not match: ", lhs.size(-1), " columns against ", rhs.size(-2), " rows");
  const Dims lhs_batch(std::span(lhs.shape().data(), lhs.dim() - 2));
  const Dims rhs_batch(std::span(rhs.shape().data(), rhs.dim() - 2));
  Dims out_shape;
  try {
    out_shape = shape_broadcast(lhs_batch, rhs_batch);
  } catch (const Error& e) {
    fail(ErrorCode::ShapeMismatch, "matmul: batch dims of shapes ", a.shape(), " and ", b.shape(),
         " do not broadcast (", e.what(), ")");
  }
  out_shape.push_back(lhs.size(-2));
  out_shape.push_back(rhs.size(-1));
  // The backend wants equal ranks: give the operand with fewer batch dims leading 1s.
  while (lhs.dim() < out_shape.size())
    lhs = lhs.unsqueeze(0);
  while (rhs.dim() < out_shape.size())
    rhs = rhs.unsqueeze(0);
  const DType dtype = promote(a.dtype(), b.dtype());
  Tensor out = Tensor::empty(out_shape, dtype);
  default_backend().matmul(as_dtype(lhs, dtype), as_dtype(rhs, dtype), out);
  if (a.dim() == 1) out = out.squeeze(-2);
  if (b.dim() == 1) out = out.squeeze(-1);
  return out;
}

Tensor neg(const Tensor& a) { return map(UnaryOp::Neg, a); }
Tensor exp(const Tensor& a) { return map(UnaryOp::Exp, a); }
Tensor log(const Tensor& a) { return map(UnaryOp::Log, a); }
Tensor sigmoid(const Tensor& a) { return map(UnaryOp::Sigmoid, a); }
Tensor relu(const Tensor& a) { return map(UnaryOp::Relu, a); }
Tensor tanh(const Tensor& a) { return map(UnaryOp::Tanh, a); }
Tensor inv(const Tensor& a) { return map(UnaryOp::Inv, a); }
Tensor abs(const Tensor& a) { return map(UnaryOp::Abs, a); }
Tensor sqrt(const Tensor& a) { return map(UnaryOp::Sqrt, a); }
Tensor square(const Tensor& a) { return map(UnaryOp::Square, a); }

Tensor add(const Tensor& a, const Tensor& b) { return zip(BinaryOp::Add, a, b); }
Tensor sub(const Tensor& a, const Tensor& b) { return zip(BinaryOp::Sub, a, b); }
Tensor mul(const Tensor& a, const Tensor& b) { return zip(BinaryOp::Mul, a, b); }
Tensor div(const Tensor& a, const Tensor& b) { return zip(BinaryOp::Div, a, b); }
Tensor pow(const Tensor& a, const Tensor& b) { return zip(BinaryOp::Pow, a, b); }
Tensor maximum(const Tensor& a, const Tensor& b) { return zip(BinaryOp::Max, a, b); }
Tensor minimum(const Tensor& a, const Tensor& b) { return zip(BinaryOp::Min, a, b); }
Tensor lt(const Tensor& a, const Tensor& b) { return zip(BinaryOp::Lt, a, b); }
Tensor gt(const Tensor& a, const Tensor& b) { return zip(BinaryOp::Gt, a, b); }
Tensor eq(const Tensor& a, const Tensor& b) { return zip(BinaryOp::Eq, a, b); }
Tensor is_close(const Tensor& a, const Tensor& b) { return zip(BinaryOp::IsClose, a, b); }

Tensor sum(const Tensor& a, const Dims& dims, bool keepdim) {
  return reduce(ReduceOp::Sum, a, dims, keepdim);
}
Tensor prod(const Tensor& a, const Dims& dims, bool keepdim) {
  return reduce(ReduceOp::Prod, a, dims, keepdim);
}
Tensor max(const Tensor& a, const Dims& dims, bool keepdim) {
  return reduce(ReduceOp::Max, a, dims, keepdim);
}
Tensor min(const Tensor& a, const Dims& dims, bool keepdim) {
  return reduce(ReduceOp::Min, a, dims, keepdim);
}

Tensor mean(const Tensor& a, const Dims& dims, bool keepdim) {
  const Dims flags = reduced_dims(dims, a.dim());
  double count = 1;
  for (int d = 0; d < a.dim(); ++d)
    if (flags[d]) count *= static_cast<double>(a.shape()[d]);
  return sum(a, dims, keepdim) / count;
}

Tensor scalar(double value, DType dtype) {
  Tensor t = Tensor::empty({}, dtype);
  t.set({}, value);
  return t;
}

Tensor operator-(const Tensor& a) { return neg(a); }
Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator+(const Tensor& a, double b) { return add(a, scalar(b, a.dtype())); }
Tensor operator-(const Tensor& a, double b) { return sub(a, scalar(b, a.dtype())); }
Tensor operator*(const Tensor& a, double b) { return mul(a, scalar(b, a.dtype())); }
Tensor operator/(const Tensor& a, double b) { return div(a, scalar(b, a.dtype())); }
Tensor operator+(double a, const Tensor& b) { return add(scalar(a, b.dtype()), b); }
Tensor operator-(double a, const Tensor& b) { return sub(scalar(a, b.dtype()), b); }
Tensor operator*(double a, const Tensor& b) { return mul(scalar(a, b.dtype()), b); }
Tensor operator/(double a, const Tensor& b) { return div(scalar(a, b.dtype()), b); }

}  // namespace mt
