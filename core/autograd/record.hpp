#pragma once
// How ops record themselves into the graph (called by ops/ and the views in tensor/).
#include <functional>
#include <initializer_list>
#include <memory>

#include "autograd/grad_mode.hpp"
#include "autograd/node.hpp"
#include "op_tables/binary_ops.hpp"
#include "op_tables/reduce_ops.hpp"
#include "op_tables/unary_ops.hpp"

namespace mt::autograd {

// True when an op on `inputs` must record: grad mode is on and an input requires grad.
inline bool should_record(std::initializer_list<const Tensor*> inputs) {
  if (!grad_enabled()) return false;
  for (const Tensor* t : inputs)
    if (t->requires_grad()) return true;
  return false;
}

// Makes `node` the grad_fn of `out`, with one edge per input (in order).
void attach(const Tensor& out, std::shared_ptr<Node> node, std::initializer_list<Tensor> inputs);

// The nodes of the primitives; each records only when should_record says so.
void record_map(UnaryOp op, const Tensor& in, const Tensor& out);
void record_zip(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out);
// `kept` is the backend's output (in's rank, size 1 in the reduced dims), `result` the
// tensor returned (a view of it, without the reduced dims unless keepdim).
void record_reduce(ReduceOp op, const Tensor& in, const Tensor& kept, const Tensor& result);
// a and b as the backend's matmul takes them (equal ranks >= 2) and the shape of its output;
// `result` is that output without the dims that 1-D operands added.
void record_matmul(const Tensor& a, const Tensor& b, const Dims& full_shape, const Tensor& result);

// A single-input op whose gradient is `backward(grad)`: the views, copies and casts.
using GradFn = std::function<Tensor(const Tensor& grad)>;
// Records `out` = an op named `name` of `in`, and returns `out`.
Tensor record_unary(const char* name, const Tensor& in, const Tensor& out, GradFn backward);

// Throws InvalidArgument when an out= op (or another write) named `op` would hide a gradient: grad
// mode is on and one of `tensors` (inputs and out) requires grad.
void check_out_no_grad(const char* op, std::initializer_list<const Tensor*> tensors);

}  // namespace mt::autograd
