#pragma once
// The backend interface: the few primitives every backend implements, on plain strided views
// (base/strided_view.hpp). Everything else (tensors, views, broadcasting checks, dtype
// promotion, matmul's 1-D promotion, reductions over several dims) is done once, in the
// frontend (ops/), before a backend is called. A backend runs on one device: the one its views
// point into.
#include <cstdint>
#include <span>
#include <string>

#include "backend/fused_kernel.hpp"
#include "base/strided_view.hpp"
#include "op_tables/binary_ops.hpp"
#include "op_tables/reduce_ops.hpp"
#include "op_tables/unary_ops.hpp"

namespace mt {

enum class Distribution : int32_t { Uniform, Normal };

struct RandomSpec {
  Distribution distribution = Distribution::Uniform;
  double a = 0;  // uniform: low; normal: mean
  double b = 1;  // uniform: high; normal: standard deviation
  uint64_t seed = 0;
  uint64_t offset = 0;  // counter of the output's element 0 (row-major order)
};

// Contracts shared by all entries:
// - `out` is written, any strides, and does not overlap the inputs;
// - every input has out's dtype (except copy's src) and broadcasts to out's shape (numpy rules),
//   and the frontend has already checked that it does.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;

  // out = op(in)
  virtual void map(UnaryOp op, const StridedView& in, const StridedView& out) = 0;
  // out = op(a, b)
  virtual void zip(BinaryOp op, const StridedView& a, const StridedView& b,
                   const StridedView& out) = 0;
  // `out` has in's rank, size 1 in the reduced dims and in's size in the others; each output
  // element folds the input elements that map to it.
  virtual void reduce(ReduceOp op, const StridedView& in, const StridedView& out) = 0;
  // out = unary::<op>::backward(in, grad): the gradient that flows to in when `grad` flows to
  // map(op, in).
  virtual void map_backward(UnaryOp op, const StridedView& in, const StridedView& grad,
                            const StridedView& out) = 0;
  // out = binary::<op>::grad_a(a, b, grad) for operand 0, grad_b for operand 1: the gradient
  // that flows to that operand of zip(op, a, b), at out's (the broadcast) shape.
  virtual void zip_backward(BinaryOp op, int operand, const StridedView& a, const StridedView& b,
                            const StridedView& grad, const StridedView& out) = 0;
  // out[..., i, j] = sum_k a[..., i, k] * b[..., k, j]; a, b and out have the same rank >= 2,
  // and the batch dims (all but the last two) of a and b broadcast to out's.
  virtual void matmul(const StridedView& a, const StridedView& b, const StridedView& out) = 0;
  // out = src, converting the dtype where it differs.
  virtual void copy(const StridedView& src, const StridedView& out) = 0;
  virtual void fill(const StridedView& out, double value) = 0;
  // out[i] = sample of element (spec.offset + i) in row-major order (random/philox.hpp).
  virtual void random(const StridedView& out, const RandomSpec& spec) = 0;
  // Runs a fused group (backend/fused_kernel.hpp) and returns true; or returns false, touching
  // nothing, when this backend has no fused executor (the plan then runs the group's ops one
  // at a time).
  virtual bool fused(const FusedKernel& kernel) {
    (void)kernel;
    return false;
  }
  // Gets a fused kernel of this structure ready to run here (a device backend generates and
  // compiles it, once per structure) and returns ""; or returns why this backend will not run
  // it, and the plan runs that kernel's ops one at a time instead. Data pointers are unset.
  // A kernel prepared here must then run (`fused` returns true for it). Plans are made on any
  // thread, so this may be called from several at once. By default: ready wherever `fused`
  // runs kernels (asked with one of no elements, which touches nothing).
  virtual std::string prepare_fused(const FusedKernel& kernel) {
    (void)kernel;
    FusedKernel empty;
    empty.rank = 1;
    empty.shape[0] = 0;
    return fused(empty) ? std::string() : "the " + name() + " backend runs no fused kernels";
  }
  // Runs kernels that are independent (none writes memory another reads or writes) with the
  // results of running them one after another, which they are by default; a backend may run
  // them at the same time. Returns false as `fused` does (before touching anything).
  virtual bool fused_batch(std::span<const FusedKernel* const> kernels) {
    for (const FusedKernel* kernel : kernels)
      if (!fused(*kernel)) return false;
    return true;
  }
};

}  // namespace mt
