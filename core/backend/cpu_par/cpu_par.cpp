#include "backend/cpu_par/cpu_par.hpp"

#include <chrono>
#include <vector>

#include "backend/cpu_par/elementwise.hpp"
#include "backend/cpu_par/gemm.hpp"
#include "backend/cpu_par/parallel.hpp"
#include "backend/cpu_par/reduce.hpp"
#include "backend/diagnostics.hpp"

namespace mt {
namespace {

// Runs `op` (which returns the name of the path it took) and, when diagnostics are on,
// reports the path, the thread count and the time.
template <class Op>
void run_reported(const char* kind, const char* name, const Tensor& out, Op&& op) {
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

// Element offsets of each batch item of `t` (rank r >= 2) within the batch shape of `out`:
// a batch dim of size 1 in `t` repeats (offset step 0).
std::vector<int64_t> batch_offsets(const Tensor& t, const Tensor& out) {
  const int batch_dims = out.dim() - 2;
  int64_t count = 1;
  for (int d = 0; d < batch_dims; ++d)
    count *= out.shape()[d];
  std::vector<int64_t> offsets(static_cast<size_t>(count));
  for (int64_t b = 0; b < count; ++b) {
    int64_t rest = b, offset = 0;
    for (int d = batch_dims - 1; d >= 0; --d) {
      const int64_t i = rest % out.shape()[d];
      rest /= out.shape()[d];
      if (t.shape()[d] != 1) offset += i * t.strides()[d];
    }
    offsets[static_cast<size_t>(b)] = offset;
  }
  return offsets;
}

const char* matmul_impl(const Tensor& a, const Tensor& b, const Tensor& out) {
  const int r = out.dim();
  const int64_t m = out.shape()[r - 2], n = out.shape()[r - 1], k = a.shape()[r - 1];
  const std::vector<int64_t> ao = batch_offsets(a, out), bo = batch_offsets(b, out),
                             co = batch_offsets(out, out);
  const auto batch = static_cast<int64_t>(co.size());
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
