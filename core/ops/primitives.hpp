#pragma once
// The primitives of tensor_ops.hpp without autodiff: each checks and prepares its operands
// (devices, dtypes, broadcasting, matmul's promotions), runs the backend and returns what the
// autograd layer needs to record the op. autograd/functions.cpp defines the public, recording
// ops (map, zip, ..., Tensor::to) on top of these; nothing else should call them.
#include "op_tables/binary_ops.hpp"
#include "op_tables/reduce_ops.hpp"
#include "op_tables/unary_ops.hpp"
#include "tensor/tensor.hpp"

namespace mt::primitive {

Tensor map(UnaryOp op, const Tensor& a);

// lhs and rhs: a and b in the dtype and on the device the op ran in.
struct Zip {
  Tensor lhs, rhs, out;
};
Zip zip(BinaryOp op, const Tensor& a, const Tensor& b);

// kept: the backend's output (a's rank, size 1 in the reduced dims); result: the tensor
// returned (a view of kept, without the reduced dims unless keepdim).
struct Reduce {
  Tensor kept, result;
};
Reduce reduce(ReduceOp op, const Tensor& a, const Dims& dims, bool keepdim);

// lhs and rhs: the operands as the backend took them (equal ranks >= 2, one dtype); out: its
// output; result: out without the dims that 1-D operands added.
struct Matmul {
  Tensor lhs, rhs, out, result;
};
Matmul matmul(const Tensor& a, const Tensor& b);

// The out= variants, without the autodiff check.
void map_out(UnaryOp op, const Tensor& a, const Tensor& out);
void zip_out(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out);
void reduce_out(ReduceOp op, const Tensor& a, const Dims& dims, bool keepdim, const Tensor& out);
void matmul_out(const Tensor& a, const Tensor& b, const Tensor& out);

// A contiguous copy of t in `dtype` on t's device.
Tensor convert(const Tensor& t, DType dtype);
// A contiguous copy of t on `device` (another device than t's).
Tensor transfer(const Tensor& t, Device device);

}  // namespace mt::primitive
