#include "backend/cpu_par/cpu_par.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

#include "backend/cpu_par/elementwise.hpp"
#include "backend/cpu_par/fused.hpp"
#include "backend/cpu_par/gemm.hpp"
#include "backend/cpu_par/parallel.hpp"
#include "backend/cpu_par/reduce.hpp"
#include "backend/diagnostics.hpp"
#include "base/index.hpp"
#include "base/strided_layout.hpp"

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

// The batch dims of v alone: its matrix dims set to size 1, which the layout drops.
StridedView batch_part(const StridedView& v) {
  StridedView batch = v;
  batch.shape[v.rank - 2] = batch.shape[v.rank - 1] = 1;
  return batch;
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

const char* matmul_impl(const StridedView& a, const StridedView& b, const StridedView& out) {
  const int r = out.rank;
  const int64_t m = out.shape[r - 2], n = out.shape[r - 1], k = a.shape[r - 1];
  // Element offsets of each batch item of out, a and b, from a layout over the batch dims
  // (broadcast batch dims of a or b repeat their offset). Plain matrices skip the layout.
  Dims batch_shape = shape_of(out);
  batch_shape[r - 2] = batch_shape[r - 1] = 1;
  const int64_t batch = checked_numel(batch_shape);
  std::vector<int64_t> co(batch), ao(batch), bo(batch);
  if (batch > 1) {
    const StridedView ob = batch_part(out), ab = batch_part(a), bb = batch_part(b);
    const StridedLayout<3> layout = make_layout<3>({&ob, &ab, &bb}, LayoutOrder::Strides);
    for (int64_t item = 0; item < batch; ++item) {
      int64_t at[3];
      layout.offsets(item, at);
      co[item] = at[0];
      ao[item] = at[1];
      bo[item] = at[2];
    }
  }
  return dispatch_dtype(out.dtype, [&](auto zero) {
    using T = decltype(zero);
    cpu_par::gemm_batched<T>(batch, m, n, k, data_as<T>(a), ao.data(), a.strides[r - 2],
                             a.strides[r - 1], data_as<T>(b), bo.data(), b.strides[r - 2],
                             b.strides[r - 1], data_as<T>(out), co.data(), out.strides[r - 2],
                             out.strides[r - 1]);
    return cpu_par::gemm_kernel_name(sizeof(T) == 8);
  });
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
    run_reported("matmul", "", out, [&] { return matmul_impl(a, b, out); });
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
};

}  // namespace

std::unique_ptr<Backend> make_cpu_par_backend() { return std::make_unique<CpuParBackend>(); }

}  // namespace mt
