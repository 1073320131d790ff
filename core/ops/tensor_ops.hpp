#pragma once
// The tensor-level operations: broadcasting, dtype promotion and shape checks happen here,
// once; the arithmetic runs on the default backend (backend/registry.hpp). The primitives and
// their out= variants are defined in autograd/functions.cpp, which records them for autodiff
// on top of ops/primitives.hpp. Bad arguments throw mt::Error (base/error.hpp).
#include <cstdint>

#include "base/error.hpp"
#include "op_tables/binary_ops.hpp"
#include "op_tables/reduce_ops.hpp"
#include "op_tables/unary_ops.hpp"
#include "tensor/tensor.hpp"

namespace mt {

// --- The primitives ---
Tensor map(UnaryOp op, const Tensor& a);
// Broadcasts a and b (numpy rules) and promotes float32 with float64 to float64.
Tensor zip(BinaryOp op, const Tensor& a, const Tensor& b);
// Folds the listed dims (negative dims count from the end; an empty list means every dim).
// With keepdim the reduced dims stay as size 1. max/min over an empty dim are errors.
Tensor reduce(ReduceOp op, const Tensor& a, const Dims& dims, bool keepdim = false);
Tensor reduce(ReduceOp op, const Tensor& a, int64_t dim, bool keepdim = false);
// numpy's matmul: (..., n, k) @ (..., k, m) -> (..., n, m) with broadcast batch dims; a 1-D
// left operand is a row (1, k) and a 1-D right operand a column (k, 1), and the added dim is
// removed from the result. Fused: no (n, k, m) intermediate.
Tensor matmul(const Tensor& a, const Tensor& b);

// --- The op tables' derivatives (what autodiff runs) ---
// g * op'(x): the gradient that flows to x when g flows to map(op, x); x and g have one shape.
Tensor map_backward(UnaryOp op, const Tensor& x, const Tensor& g);
// The gradient that flows to operand `operand` (0: a, 1: b) of zip(op, a, b) when g flows to
// its result, at the result's (broadcast) shape and dtype.
Tensor zip_backward(BinaryOp op, int operand, const Tensor& a, const Tensor& b, const Tensor& g);
// False for the comparisons, whose gradient is zero everywhere: their results do not record.
bool is_differentiable(BinaryOp op);

// --- out= variants: write the result into `out`, which must have exactly the result's shape
// and dtype and no two of its elements may be the same memory (a broadcast view, or overlapping
// strides: Tensor::check_writable). `out` may be
// one of the inputs (in-place); any other overlap with an input is computed through a temporary.
// They record no gradients: with grad mode on, an input or `out` that requires grad is an
// error (use them under NoGradGuard, as optimizers do).
void map_out(UnaryOp op, const Tensor& a, const Tensor& out);
void zip_out(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out);
void reduce_out(ReduceOp op, const Tensor& a, const Dims& dims, bool keepdim, const Tensor& out);
void matmul_out(const Tensor& a, const Tensor& b, const Tensor& out);

// --- Named ops ---
Tensor neg(const Tensor& a);
Tensor exp(const Tensor& a);
Tensor log(const Tensor& a);
Tensor sigmoid(const Tensor& a);
Tensor relu(const Tensor& a);
Tensor tanh(const Tensor& a);
Tensor inv(const Tensor& a);
Tensor abs(const Tensor& a);
Tensor sqrt(const Tensor& a);
Tensor square(const Tensor& a);

Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, const Tensor& b);
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor eq(const Tensor& a, const Tensor& b);
Tensor is_close(const Tensor& a, const Tensor& b);

Tensor sum(const Tensor& a, const Dims& dims = {}, bool keepdim = false);
Tensor prod(const Tensor& a, const Dims& dims = {}, bool keepdim = false);
Tensor max(const Tensor& a, const Dims& dims = {}, bool keepdim = false);
Tensor min(const Tensor& a, const Dims& dims = {}, bool keepdim = false);
// sum / count; the mean of nothing is NaN, as in numpy.
Tensor mean(const Tensor& a, const Dims& dims = {}, bool keepdim = false);

// A rank-0 tensor holding `value` in `dtype`: how scalars enter binary ops.
Tensor scalar(double value, DType dtype);

Tensor operator-(const Tensor& a);
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
// A scalar operand takes the tensor's dtype.
Tensor operator+(const Tensor& a, double b);
Tensor operator-(const Tensor& a, double b);
Tensor operator*(const Tensor& a, double b);
Tensor operator/(const Tensor& a, double b);
Tensor operator+(double a, const Tensor& b);
Tensor operator-(double a, const Tensor& b);
Tensor operator*(double a, const Tensor& b);
Tensor operator/(double a, const Tensor& b);

}  // namespace mt
