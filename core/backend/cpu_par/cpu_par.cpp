#include "backend/cpu_par/cpu_par.hpp"

#include <algorithm>
#include <chrono>

#include "backend/cpu_par/elementwise.hpp"
#include "backend/cpu_par/fused.hpp"
#include "backend/cpu_par/matmul.hpp"
#include "backend/cpu_par/parallel.hpp"
#include "backend/cpu_par/reduce.hpp"
#include "backend/diagnostics.hpp"

namespace mt {
namespace {

// Runs `op` (which returns the name of the path it took) and, when diagnostics are on,
// reports the path, the thread count and the time.
template <class Op>
void run_reported(const char* kind, const char* name, const StridedView& out, Op&& op) {
  if (!diagnostics_enabled()) {
    op();
    return;
  }
  const auto start = std::chrono::steady_clock::now();
  const char* path = op();
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  const std::string label = *name ? std::string(kind) + " " + name : std::string(kind);
  report_op({"cpu_par", label, path, num_threads(), numel(out), elapsed.count()});
}

// "ops=5 outputs=1": a fused kernel's computing instructions and its stores.
std::string describe_fused(const FusedKernel& kernel) {
  int ops = 0, outputs = 0;
  for (int i = 0; i < kernel.instruction_count; ++i) {
    const FusedOp kind = kernel.instructions[i].kind;
    outputs += kind == FusedOp::Store;
    ops += kind != FusedOp::Store && kind != FusedOp::Load && kind != FusedOp::Constant;
  }
  return "ops=" + std::to_string(ops) + " outputs=" + std::to_string(outputs);
}

class CpuParBackend final : public Backend {
 public:
  std::string name() const override { return "cpu_par"; }

  void map(UnaryOp op, const StridedView& in, const StridedView& out) override {
    run_reported("map", op_name(op), out, [&] { return cpu_par::map(op, in, out); });
  }
  void zip(BinaryOp op, const StridedView& a, const StridedView& b,
           const StridedView& out) override {
    run_reported("zip", op_name(op), out, [&] { return cpu_par::zip(op, a, b, out); });
  }
  void map_backward(UnaryOp op, const StridedView& in, const StridedView& grad,
                    const StridedView& out) override {
    run_reported("map_backward", op_name(op), out,
                 [&] { return cpu_par::map_backward(op, in, grad, out); });
  }
  void zip_backward(BinaryOp op, int operand, const StridedView& a, const StridedView& b,
                    const StridedView& grad, const StridedView& out) override {
    run_reported(operand == 0 ? "zip_backward a" : "zip_backward b", op_name(op), out,
                 [&] { return cpu_par::zip_backward(op, operand, a, b, grad, out); });
  }
  void reduce(ReduceOp op, const StridedView& in, const StridedView& out) override {
    run_reported("reduce", op_name(op), out, [&] { return cpu_par::reduce(op, in, out); });
  }
  void matmul(const StridedView& a, const StridedView& b, const StridedView& out) override {
    run_reported("matmul", "", out, [&] { return cpu_par::matmul(a, b, out); });
  }
  void copy(const StridedView& src, const StridedView& out) override {
    run_reported("copy", "", out, [&] { return cpu_par::copy(src, out); });
  }
  void fill(const StridedView& out, double value) override {
    run_reported("fill", "", out, [&] { return cpu_par::fill(out, value); });
  }
  void random(const StridedView& out, const RandomSpec& spec) override {
    run_reported("random", "", out, [&] { return cpu_par::random(out, spec); });
  }
  bool fused(const FusedKernel& kernel) override {
    StridedView space{};  // the iteration space, for the element count reported
    space.rank = kernel.rank;
    std::copy(kernel.shape, kernel.shape + kernel.rank, space.shape);
    const std::string name = diagnostics_enabled() ? describe_fused(kernel) : "";
    run_reported("fused", name.c_str(), space, [&] { return cpu_par::run_fused(kernel); });
    return true;
  }
  // Each kernel is a task: small kernels (one tile each) run side by side, and a large one
  // spreads its tiles over the threads as it does alone (nested in the same arena).
  bool fused_batch(std::span<const FusedKernel* const> kernels) override {
    cpu_par::parallel_for(int64_t(kernels.size()), 1, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i)
        fused(*kernels[i]);
    });
    return true;
  }
};

}  // namespace

std::unique_ptr<Backend> make_cpu_par_backend() { return std::make_unique<CpuParBackend>(); }

}  // namespace mt
