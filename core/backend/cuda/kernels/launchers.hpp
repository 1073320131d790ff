#pragma once
// The kernel launchers: what the plugin calls for each op. Semantics are mt::Backend's
// (backend/backend.hpp) and plugin_abi.h's: inputs broadcast to out's shape (numpy rules, any
// strides), out does not overlap them, out's dtype is the inputs' (copy converts). Each
// launcher queues its work on `stream` and returns the launch's error; cudaErrorInvalidValue
// for an unknown op, dtype or distribution, or for views that do not fit together. A launcher
// whose output has no elements launches nothing and returns cudaSuccess.
//
// The view data are device pointers: no host code here reads them (under the host emulation
// they are host pointers, which is how the kernel tests call these).
//
// Definitions: elementwise.cuh, reduce.cuh and matmul.cuh. Each module includes those headers
// in exactly one translation unit, compiled by nvcc (.cu) or by the host compiler against the
// emulation (emu/cuda_compat.hpp picks the one that applies).
#include <cstdint>

#include "backend/cuda/emu/cuda_compat.hpp"
#include "backend/cuda/kernels/thread_groups.cuh"
#include "backend/cuda/plugin_abi.h"
#include "op_tables/binary_ops.hpp"
#include "op_tables/reduce_ops.hpp"
#include "op_tables/unary_ops.hpp"

namespace mt::cuda {

cudaError_t map(UnaryOp op, const mt_cuda_view& in, const mt_cuda_view& out, cudaStream_t s);
cudaError_t zip(BinaryOp op, const mt_cuda_view& a, const mt_cuda_view& b, const mt_cuda_view& out,
                cudaStream_t s);
// out has in's rank, size 1 in the reduced dims and in's size in the others.
cudaError_t reduce(ReduceOp op, const mt_cuda_view& in, const mt_cuda_view& out, cudaStream_t s);
// How reduce folds `in` into `out` (views as reduce takes them; out has elements): the group of
// threads per slice and the launch's size. A fused reduction (codegen/) launched the same way
// folds in the same order.
struct ReducePlan {
  Group group = Group::Thread;
  dim3 grid, block;
};
ReducePlan reduce_plan(const mt_cuda_view& in, const mt_cuda_view& out);
cudaError_t map_backward(UnaryOp op, const mt_cuda_view& in, const mt_cuda_view& grad,
                         const mt_cuda_view& out, cudaStream_t s);
// operand 0: the gradient of a (grad_a), 1: of b (grad_b), at out's shape.
cudaError_t zip_backward(BinaryOp op, int operand, const mt_cuda_view& a, const mt_cuda_view& b,
                         const mt_cuda_view& grad, const mt_cuda_view& out, cudaStream_t s);
// a, b and out have the same rank >= 2; a's and b's batch dims broadcast to out's.
cudaError_t matmul(const mt_cuda_view& a, const mt_cuda_view& b, const mt_cuda_view& out,
                   cudaStream_t s);
cudaError_t copy(const mt_cuda_view& src, const mt_cuda_view& out, cudaStream_t s);
cudaError_t fill(const mt_cuda_view& out, double value, cudaStream_t s);
// distribution 0: uniform on [a, b); 1: normal (mean a, std b). Element i of out (row-major) is
// sample (offset + i) of the Philox stream `seed`.
cudaError_t random(const mt_cuda_view& out, int distribution, double a, double b, uint64_t seed,
                   uint64_t offset, cudaStream_t s);

}  // namespace mt::cuda
