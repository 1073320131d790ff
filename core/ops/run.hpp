#pragma once
// The frontend's last step: one backend primitive on tensors that the frontend has checked and
// prepared. It runs on the backend of the output's device or, while this thread captures
// (fusion/capture.hpp), is recorded instead. Outside a capture, an operand made in a capture
// (whose storage holds no values) is refused.
#include "backend/backend.hpp"
#include "random/generator.hpp"
#include "tensor/tensor.hpp"

namespace mt {

void run_map(UnaryOp op, const Tensor& in, const Tensor& out);
void run_zip(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out);
void run_reduce(ReduceOp op, const Tensor& in, const Tensor& out);
void run_map_backward(UnaryOp op, const Tensor& x, const Tensor& g, const Tensor& out);
void run_zip_backward(BinaryOp op, int operand, const Tensor& a, const Tensor& b, const Tensor& g,
                      const Tensor& out);
void run_matmul(const Tensor& a, const Tensor& b, const Tensor& out);
void run_copy(const Tensor& src, const Tensor& out);
void run_fill(const Tensor& out, double value);
// Draws out.numel() counters from `generator`; a capture records the call and takes nothing,
// each run of its plan does (fusion/plan.hpp).
void run_random(const Tensor& out, Distribution distribution, double a, double b,
                Generator& generator);

}  // namespace mt
