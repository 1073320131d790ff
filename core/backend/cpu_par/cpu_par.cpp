#include "backend/cpu_par/cpu_par.hpp"

#include <chrono>
#include <vector>

#include "autograd/grad_mode.hpp"
#include "backend/cpu_par/elementwise.hpp"
#include "backend/cpu_par/gemm.hpp"
#include "backend/cpu_par/layout.hpp"
#include "backend/cpu_par/parallel.hpp"
#include "backend/cpu_par/reduce.hpp"
#include "backend/diagnostics.hpp"
#include "tensor/index.hpp"

namespace mt {
namespace {

// Runs `op` (which returns the name of the path it took) and, when diagnostics are on,
// reports the path, the thread count and the time.
template <class Op>
void run_reported(const char* kind, const char* name, const Tensor& out, Op&& op) {
  NoGradGuard no_grad;  // the views that the paths take of operands are not part of any graph
  if (!diagnostics_enabled()) {
    op();
    return;
  }
  const auto start = std::chrono::steady_clock::now();
  const char* path = op();
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  const std::string label = *name ? std::string(kind) + " " + name : std::string(kind);
  report_op({"cpu_par", label, path, num_threads(), out.numel(), elapsed.count()});
}

// The batch dims of t alone: its matrix dims cut to (at most) one element.
Tensor batch_part(const Tensor& t) { return t.slice(-2, 0, 1).slice(-1, 0, 1); }

const char* matmul_impl(const Tensor& a, const Tensor& b, const Tensor& out) {
  const int r = out.dim();
  const int64_t m = out.shape()[r - 2], n = out.shape()[r - 1], k = a.shape()[r - 1];
  // Element offsets of each batch item of out, a and b, from a layout over the batch dims
  // (broadcast batch dims of a or b repeat their offset). Plain matrices skip the layout.
  Dims batch_shape = out.shape();
  batch_shape[r - 2] = batch_shape[r - 1] = 1;
  const int64_t batch = checked_numel(batch_shape);
  std::vector<int64_t> co(batch), ao(batch), bo(batch);
  if (batch > 1) {
    const Tensor ob = batch_part(out), ab = batch_part(a), bb = batch_part(b);
    const cpu_par::Layout layout = cpu_par::make_layout(batch_shape, {&ob, &ab, &bb});
    for (int64_t item = 0; item < batch; ++item) {
      int64_t at[cpu_par::kMaxOperands];
      cpu_par::offsets_of(layout, item, layout.rank, at);
      co[item] = at[0];
      ao[item] = at[1];
      bo[item] = at[2];
    }
  }
  return dispatch_dtype(out.dtype(), [&](auto zero) {
    using T = decltype(zero);
    cpu_par::gemm_batched<T>(batch, m, n, k, a.data<T>(), ao.data(), a.strides()[r - 2],
                             a.strides()[r - 1], b.data<T>(), bo.data(), b.strides()[r - 2],
                             b.strides()[r - 1], out.data<T>(), co.data(), out.strides()[r - 2],
                             out.strides()[r - 1]);
    return cpu_par::gemm_kernel_name(sizeof(T) == 8);
  });
}

class CpuParBackend final : public Backend {
 public:
  std::string name() const override { return "cpu_par"; }

  void map(UnaryOp op, const Tensor& in, const Tensor& out) override {
    run_reported("map", op_name(op), out, [&] { return cpu_par::map(op, in, out); });
  }
  void zip(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out) override {
    run_reported("zip", op_name(op), out, [&] { return cpu_par::zip(op, a, b, out); });
  }
  void map_backward(UnaryOp op, const Tensor& in, const Tensor& grad, const Tensor& out) override {
    run_reported("map_backward", op_name(op), out,
                 [&] { return cpu_par::map_backward(op, in, grad, out); });
  }
  void zip_backward(BinaryOp op, int operand, const Tensor& a, const Tensor& b, const Tensor& grad,
                    const Tensor& out) override {
    run_reported(operand == 0 ? "zip_backward a" : "zip_backward b", op_name(op), out,
                 [&] { return cpu_par::zip_backward(op, operand, a, b, grad, out); });
  }
  void reduce(ReduceOp op, const Tensor& in, const Tensor& out) override {
    run_reported("reduce", op_name(op), out, [&] { return cpu_par::reduce(op, in, out); });
  }
  void matmul(const Tensor& a, const Tensor& b, const Tensor& out) override {
    run_reported("matmul", "", out, [&] { return matmul_impl(a, b, out); });
  }
  void copy(const Tensor& src, const Tensor& out) override {
    run_reported("copy", "", out, [&] { return cpu_par::copy(src, out); });
  }
  void fill(const Tensor& out, double value) override {
    run_reported("fill", "", out, [&] { return cpu_par::fill(out, value); });
  }
  void random(const Tensor& out, const RandomSpec& spec) override {
    run_reported("random", "", out, [&] { return cpu_par::random(out, spec); });
  }
};

}  // namespace

std::unique_ptr<Backend> make_cpu_par_backend() { return std::make_unique<CpuParBackend>(); }

}  // namespace mt
