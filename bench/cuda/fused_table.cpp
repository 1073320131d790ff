// Fused plans on the GPU (issue 17): element-wise chains and a reduction captured on the
// device, each run as one generated kernel against the same plan unfused (one kernel per op)
// and against a device copy of n elements (the memory floor: a fused kernel that reads k
// inputs and writes one output cannot beat (k + 1) / 2 copies). Also the time to build each
// plan: the first build generates and compiles its kernels (NVRTC, or a disk-cache hit when
// MINITENSOR_KERNEL_CACHE already holds them), the second finds them in memory.
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fusion/capture.hpp"
#include "fusion/plan.hpp"
#include "gpu_timing.hpp"

namespace mt::bench {
namespace {

struct FusedCase {
  const char* name;
  int inputs;    // each of n elements
  double moved;  // elements read and written by the fused kernel, in units of n
  std::function<Tensor(const std::vector<Tensor>&)> program;
};

std::vector<FusedCase> fused_cases() {
  return {
      {"a*b + c", 3, 4, [](const std::vector<Tensor>& x) { return x[0] * x[1] + x[2]; }},
      {"exp(-(a-b)^2) * c", 3, 4,
       [](const std::vector<Tensor>& x) { return exp(-square(x[0] - x[1])) * x[2]; }},
      {"sigmoid(a*w + b)", 3, 4,
       [](const std::vector<Tensor>& x) { return sigmoid(x[0] * x[1] + x[2]); }},
      {"relu(a)*b + tanh(c)", 3, 4,
       [](const std::vector<Tensor>& x) { return relu(x[0]) * x[1] + tanh(x[2]); }},
      {"sum(a*b)", 2, 2, [](const std::vector<Tensor>& x) { return sum(x[0] * x[1]); }},
  };
}

double elapsed_ms(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

std::shared_ptr<const fusion::Graph> capture(const FusedCase& c, int64_t n, DType dtype) {
  fusion::begin_capture();
  std::vector<Tensor> inputs;
  for (int i = 0; i < c.inputs; ++i)
    inputs.push_back(fusion::capture_input({n}, dtype, kGpu));
  const Tensor out = c.program(inputs);
  return fusion::end_capture({&out, 1});
}

}  // namespace

void fused_table(int runs) {
  const DType dtype = DType::Float32;
  std::printf(
      "\nfused plans, float32: ms are medians; 'of copy' is the fused kernel's bandwidth\n"
      "(elements read and written) over a device copy's in the same run\n");
  std::printf("%-22s %8s %9s %9s %8s %8s %8s %10s %10s\n", "case", "elements", "fused ms",
              "unfused", "speedup", "of copy", "kernels", "build ms", "rebuild");
  for (int log2 : {22, 26}) {
    const int64_t n = int64_t{1} << log2;
    const Tensor a = uniform({n}, dtype), copy_out = Tensor::empty({n}, dtype, kGpu);
    const double copy_ms = median_ms([&] { map_out(UnaryOp::Id, a, copy_out); }, runs);
    for (const FusedCase& c : fused_cases()) {
      const auto graph = capture(c, n, dtype);
      auto start = std::chrono::steady_clock::now();
      const fusion::Plan fused(graph, true);
      const double build_ms = elapsed_ms(start);
      start = std::chrono::steady_clock::now();
      const fusion::Plan again(graph, true);
      const double rebuild_ms = elapsed_ms(start);
      const fusion::Plan unfused(graph, false);
      std::vector<Tensor> inputs;
      for (int i = 0; i < c.inputs; ++i)
        inputs.push_back(uniform({n}, dtype));
      const double fused_ms = median_ms([&] { fused.run(inputs); }, runs);
      const double unfused_ms = median_ms([&] { unfused.run(inputs); }, runs);
      const double of_copy = (c.moved / fused_ms) / (2.0 / copy_ms);
      std::printf("%-22s %8s %9.4f %9.4f %7.2fx %7.0f%% %4lld (%lld) %10.1f %10.2f\n", c.name,
                  ("2^" + std::to_string(log2)).c_str(), fused_ms, unfused_ms,
                  unfused_ms / fused_ms, 100 * of_copy,
                  static_cast<long long>(fused.stats().kernels),
                  static_cast<long long>(fused.stats().fused_kernels), build_ms, rebuild_ms);
      if (fused.stats().fused_kernels == 0) std::printf("%s", fused.report().c_str());
    }
    std::printf("%-22s %8s %9.4f  (copy: %.1f GB/s)\n", "device copy",
                ("2^" + std::to_string(log2)).c_str(), copy_ms,
                2.0 * n * itemsize(dtype) / (copy_ms * 1e-3) / 1e9);
  }
}

}  // namespace mt::bench
