#include "ops/tensor_ops.hpp"

#include <type_traits>

#include "base/error.hpp"
#include "base/index.hpp"
#include "op_tables/op_dispatch.hpp"
#include "ops/primitives.hpp"
#include "ops/run.hpp"

namespace mt {
namespace {

Tensor as_dtype(const Tensor& t, DType dtype) { return t.dtype() == dtype ? t : t.to(dtype); }

// A 0-dim CPU tensor is a scalar operand: it may join tensors on another device (PyTorch's
// rule), so that `x * 2` works for x on any device.
bool is_cpu_scalar(const Tensor& t) { return t.dim() == 0 && t.device().is_cpu(); }

// The device that an op on `inputs` runs on: theirs, which must be one (scalars aside).
// (Pointers: copying the handles would cost two atomic operations each, on every op.)
Device op_device(const char* op, std::initializer_list<const Tensor*> inputs) {
  const Tensor* first = nullptr;
  for (const Tensor* t : inputs) {
    if (is_cpu_scalar(*t)) continue;
    if (first == nullptr)
      first = t;
    else if (t->device() != first->device())
      fail(ErrorCode::DeviceMismatch, op, ": tensors on different devices: ", first->device(),
           " (shape ", first->shape(), ") and ", t->device(), " (shape ", t->shape(),
           "); move one with to()");
  }
  return first ? first->device() : (*inputs.begin())->device();
}

// `t` in `dtype` on `device` (op_device has checked that only scalars move).
Tensor prepare(const Tensor& t, DType dtype, Device device) {
  return t.device() == device ? as_dtype(t, dtype) : as_dtype(t.to(device), dtype);
}

// The device that an out= op runs on: out's (outputs never move), where every input must be
// too (scalars aside).
Device out_device(const char* op, const Tensor& out, std::initializer_list<const Tensor*> inputs) {
  for (const Tensor* t : inputs)
    if (!is_cpu_scalar(*t) && t->device() != out.device())
      fail(ErrorCode::DeviceMismatch, op, ": out is on ", out.device(), " but an operand (shape ",
           t->shape(), ") is on ", t->device());
  return out.device();
}

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

// Checks that `out` can take a result of `shape` and `dtype`.
void check_out(const Tensor& out, const Dims& shape, DType dtype, const char* op) {
  if (out.shape() != shape)
    fail(ErrorCode::ShapeMismatch, op, ": out has shape ", out.shape(),
         " but the result has shape ", shape);
  if (out.dtype() != dtype)
    fail(ErrorCode::DTypeMismatch, op, ": out is ", out.dtype(), " but the result is ", dtype);
  out.check_writable(op);
}

// The same elements in the same layout (also through two storages over the same memory).
bool same_view(const Tensor& a, const Tensor& b) {
  return a.raw_data() == b.raw_data() && a.shape() == b.shape() && a.strides() == b.strides() &&
         a.dtype() == b.dtype();
}

// Runs compute(target) so that the result lands in `out`: directly, unless `out` shares memory
// with an input (other than being exactly that input's view, where `in_place_ok`), in which
// case through a temporary that is then copied into `out`. Either way out's storage counts one
// more write (Storage::version, which autodiff checks).
template <class Compute>
void write_into(const Tensor& out, std::initializer_list<Tensor> inputs, bool in_place_ok,
                Compute&& compute) {
  for (const Tensor& in : inputs) {
    if (in.shares_memory(out) && !(in_place_ok && same_view(in, out))) {
      const Tensor tmp = Tensor::empty(out.shape(), out.dtype(), out.device());
      compute(tmp);
      run_copy(tmp, out);
      out.storage()->bump_version();
      return;
    }
  }
  compute(out);
  out.storage()->bump_version();
}

// What a reduction produces: the backend's output shape (size 1 in reduced dims) and the
// result's shape (the same with keepdim, without the reduced dims otherwise).
struct ReducePlan {
  Dims flags;
  Dims kept_shape;
  Dims result_shape;
};

ReducePlan plan_reduce(ReduceOp op, const Tensor& a, const Dims& dims, bool keepdim) {
  ReducePlan plan{reduced_dims(dims, a.dim()), a.shape(), {}};
  const bool empty_allowed =
      dispatch_reduce(op, [](auto fn) { return decltype(fn)::kEmptyAllowed; });
  for (int d = 0; d < a.dim(); ++d) {
    if (!plan.flags[d]) {
      plan.result_shape.push_back(a.shape()[d]);
      continue;
    }
    if (a.shape()[d] == 0 && !empty_allowed)
      fail(ErrorCode::InvalidArgument, op_name(op), ": dim ", d, " of shape ", a.shape(),
           " is empty and ", op_name(op), " of nothing is undefined");
    plan.kept_shape[d] = 1;
  }
  if (keepdim) plan.result_shape = plan.kept_shape;
  return plan;
}

// matmul after numpy's promotions: operands of equal rank for the backend, the backend's
// output shape, and the result's shape (without the dims that 1-D operands added).
struct MatmulPlan {
  Tensor lhs, rhs;
  Dims full_shape;
  Dims result_shape;
  DType dtype;
};

MatmulPlan plan_matmul(const Tensor& a, const Tensor& b) {
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
  Dims full_shape;
  try {
    full_shape = shape_broadcast(lhs_batch, rhs_batch);
  } catch (const Error& e) {
    fail(ErrorCode::ShapeMismatch, "matmul: batch dims of shapes ", a.shape(), " and ", b.shape(),
         " do not broadcast (", e.what(), ")");
  }
  Dims result_shape = full_shape;
  full_shape.push_back(lhs.size(-2));
  full_shape.push_back(rhs.size(-1));
  if (a.dim() > 1) result_shape.push_back(lhs.size(-2));
  if (b.dim() > 1) result_shape.push_back(rhs.size(-1));
  // The backend wants equal ranks: give the operand with fewer batch dims leading 1s.
  while (lhs.dim() < full_shape.size())
    lhs = lhs.unsqueeze(0);
  while (rhs.dim() < full_shape.size())
    rhs = rhs.unsqueeze(0);
  const DType dtype = promote(a.dtype(), b.dtype());
  op_device("matmul", {&a, &b});
  return {as_dtype(lhs, dtype), as_dtype(rhs, dtype), full_shape, result_shape, dtype};
}

}  // namespace

namespace primitive {

Tensor map(UnaryOp op, const Tensor& a) {
  Tensor out = Tensor::empty(a.shape(), a.dtype(), a.device());
  run_map(op, a, out);
  return out;
}

void map_out(UnaryOp op, const Tensor& a, const Tensor& out) {
  check_out(out, a.shape(), a.dtype(), op_name(op));
  const Device device = out_device(op_name(op), out, {&a});
  const Tensor in = a.to(device);
  write_into(out, {in}, true, [&](const Tensor& target) { run_map(op, in, target); });
}

Zip zip(BinaryOp op, const Tensor& a, const Tensor& b) {
  const DType dtype = promote(a.dtype(), b.dtype());
  const Device device = op_device(op_name(op), {&a, &b});
  Tensor out = Tensor::empty(shape_broadcast(a.shape(), b.shape()), dtype, device);
  Zip z{prepare(a, dtype, device), prepare(b, dtype, device), std::move(out)};
  run_zip(op, z.lhs, z.rhs, z.out);
  return z;
}

void zip_out(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out) {
  const DType dtype = promote(a.dtype(), b.dtype());
  check_out(out, shape_broadcast(a.shape(), b.shape()), dtype, op_name(op));
  const Device device = out_device(op_name(op), out, {&a, &b});
  const Tensor lhs = prepare(a, dtype, device), rhs = prepare(b, dtype, device);
  write_into(out, {lhs, rhs}, true, [&](const Tensor& target) { run_zip(op, lhs, rhs, target); });
}

Reduce reduce(ReduceOp op, const Tensor& a, const Dims& dims, bool keepdim) {
  const ReducePlan plan = plan_reduce(op, a, dims, keepdim);
  Tensor kept = Tensor::empty(plan.kept_shape, a.dtype(), a.device());
  run_reduce(op, a, kept);
  Tensor result = kept.view(plan.result_shape);
  return {std::move(kept), std::move(result)};
}

void reduce_out(ReduceOp op, const Tensor& a, const Dims& dims, bool keepdim, const Tensor& out) {
  const ReducePlan plan = plan_reduce(op, a, dims, keepdim);
  check_out(out, plan.result_shape, a.dtype(), op_name(op));
  const Device device = out_device(op_name(op), out, {&a});
  const Tensor in = a.to(device);
  // The backend writes an output of a's rank: put the reduced dims back as size 1.
  Tensor kept = out;
  if (!keepdim)
    for (int d = 0; d < a.dim(); ++d)
      if (plan.flags[d]) kept = kept.unsqueeze(d);
  write_into(kept, {in}, false, [&](const Tensor& target) { run_reduce(op, in, target); });
}

Matmul matmul(const Tensor& a, const Tensor& b) {
  MatmulPlan plan = plan_matmul(a, b);
  Tensor out = Tensor::empty(plan.full_shape, plan.dtype, a.device());
  // An empty result needs no work (and its batch count may be huge: (2^62, 0, 0) @ ...).
  if (out.numel() > 0) run_matmul(plan.lhs, plan.rhs, out);
  Tensor result = out.view(plan.result_shape);
  return {std::move(plan.lhs), std::move(plan.rhs), std::move(out), std::move(result)};
}

void matmul_out(const Tensor& a, const Tensor& b, const Tensor& out) {
  const MatmulPlan plan = plan_matmul(a, b);
  check_out(out, plan.result_shape, plan.dtype, "matmul");
  out_device("matmul", out, {&a, &b});
  Tensor full = out;
  if (a.dim() == 1) full = full.unsqueeze(-2 + (b.dim() == 1 ? 1 : 0));
  if (b.dim() == 1) full = full.unsqueeze(-1);
  if (full.numel() == 0) return;  // nothing to write, as in matmul
  write_into(full, {plan.lhs, plan.rhs}, false,
             [&](const Tensor& target) { run_matmul(plan.lhs, plan.rhs, target); });
}

}  // namespace primitive

Tensor reduce(ReduceOp op, const Tensor& a, int64_t dim, bool keepdim) {
  return reduce(op, a, Dims{dim}, keepdim);
}

Tensor map_backward(UnaryOp op, const Tensor& x, const Tensor& g) {
  if (x.shape() != g.shape())
    fail(ErrorCode::ShapeMismatch, op_name(op), " backward: x has shape ", x.shape(),
         " but the gradient has shape ", g.shape());
  const DType dtype = promote(x.dtype(), g.dtype());
  const Device device = op_device(op_name(op), {&x, &g});
  Tensor out = Tensor::empty(x.shape(), dtype, device);
  run_map_backward(op, prepare(x, dtype, device), prepare(g, dtype, device), out);
  return out;
}

Tensor zip_backward(BinaryOp op, int operand, const Tensor& a, const Tensor& b, const Tensor& g) {
  if (operand != 0 && operand != 1)
    fail(ErrorCode::InvalidArgument, op_name(op), " backward: operand ", operand,
         " is neither 0 (a) nor 1 (b)");
  const Dims shape = shape_broadcast(a.shape(), b.shape());
  if (g.shape() != shape)
    fail(ErrorCode::ShapeMismatch, op_name(op), " backward: the gradient has shape ", g.shape(),
         " but the result of shapes ", a.shape(), " and ", b.shape(), " has shape ", shape);
  const DType dtype = promote(promote(a.dtype(), b.dtype()), g.dtype());
  const Device device = op_device(op_name(op), {&a, &b, &g});
  Tensor out = Tensor::empty(shape, dtype, device);
  run_zip_backward(op, operand, prepare(a, dtype, device), prepare(b, dtype, device),
                   prepare(g, dtype, device), out);
  return out;
}

bool is_differentiable(BinaryOp op) {
  return dispatch_binary(
      op, [](auto fn) { return !std::is_base_of_v<binary::ZeroGrad, decltype(fn)>; });
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
