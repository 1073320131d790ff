#pragma once
// A backend for tests that forwards every call to the sequential reference (fused kernels
// included), so that a test can register it and override only what it observes or changes.
#include <memory>
#include <span>

#include "backend/cpu_seq/cpu_seq.hpp"
#include "mt.hpp"

namespace mt::test {

class DelegatingBackend : public Backend {
 public:
  void map(UnaryOp op, const StridedView& in, const StridedView& out) override {
    called();
    ref_->map(op, in, out);
  }
  void zip(BinaryOp op, const StridedView& a, const StridedView& b,
           const StridedView& out) override {
    called();
    ref_->zip(op, a, b, out);
  }
  void reduce(ReduceOp op, const StridedView& in, const StridedView& out) override {
    called();
    ref_->reduce(op, in, out);
  }
  void map_backward(UnaryOp op, const StridedView& in, const StridedView& grad,
                    const StridedView& out) override {
    called();
    ref_->map_backward(op, in, grad, out);
  }
  void zip_backward(BinaryOp op, int operand, const StridedView& a, const StridedView& b,
                    const StridedView& grad, const StridedView& out) override {
    called();
    ref_->zip_backward(op, operand, a, b, grad, out);
  }
  void matmul(const StridedView& a, const StridedView& b, const StridedView& out) override {
    called();
    ref_->matmul(a, b, out);
  }
  void copy(const StridedView& src, const StridedView& out) override {
    called();
    ref_->copy(src, out);
  }
  void fill(const StridedView& out, double value) override {
    called();
    ref_->fill(out, value);
  }
  void random(const StridedView& out, const RandomSpec& spec) override {
    called();
    ref_->random(out, spec);
  }
  bool fused(const FusedKernel& kernel) override {
    called();
    return ref_->fused(kernel);
  }

 protected:
  // Before each forwarded call.
  virtual void called() {}

 private:
  std::unique_ptr<Backend> ref_ = make_cpu_seq_backend();
};

}  // namespace mt::test
