// The CUDA backend's speed through the core API: bandwidth of map, zip and reduce (GB/s, bytes
// read and written once) and matmul GFLOP/s, float32 and float64, the project's kernel beside
// cuBLAS. Each time is the median of N runs, each run one op followed by cuda_synchronize(), so
// small sizes show the launch and synchronization latency. First, the kernel's and cuBLAS's
// matmuls are checked against the CPU's on layouts that exercise cuBLAS's transposes, leading
// dimensions and batch strides (a mismatch fails the program); the timed matmuls report how far
// the kernel's results are from cuBLAS's.
//
//   mt_cuda_bench [runs] [--fused-only]      (runs: default 20)
//
// Then fused plans (issue 17): each against the same plan unfused and against a copy of the
// same size (the bandwidth floor), and the time to build the plan (compile its kernels).
//
// Uses the real plugin of this build unless MINITENSOR_CUDA_PLUGIN names another.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "gpu_timing.hpp"

namespace {

using mt::Device;
using mt::DType;
using mt::Tensor;
using mt::bench::kGpu;
using mt::bench::median_ms;
using mt::bench::uniform;

// One element-wise or reduction case on n elements: the op, and the elements it moves (read
// plus written) in units of n.
struct Traffic {
  const char* name;
  double moved;  // bytes = moved * n * itemsize
  std::function<std::function<void()>(int64_t n, DType dtype)> setup;
};

std::vector<Traffic> traffic_cases() {
  using mt::BinaryOp;
  using mt::ReduceOp;
  using mt::UnaryOp;
  constexpr int64_t kRow = 1024;  // the row length of the 2-D cases
  return {
      {"exp", 2,
       [](int64_t n, DType dtype) {
         const Tensor a = uniform({n}, dtype), out = Tensor::empty({n}, dtype, kGpu);
         return [=] { mt::map_out(UnaryOp::Exp, a, out); };
       }},
      {"exp of a transpose", 2,
       [](int64_t n, DType dtype) {
         const Tensor a = uniform({kRow, n / kRow}, dtype).transpose(0, 1);
         const Tensor out = Tensor::empty({n / kRow, kRow}, dtype, kGpu);
         return [=] { mt::map_out(UnaryOp::Exp, a, out); };
       }},
      {"add", 3,
       [](int64_t n, DType dtype) {
         const Tensor a = uniform({n}, dtype), b = uniform({n}, dtype);
         const Tensor out = Tensor::empty({n}, dtype, kGpu);
         return [=] { mt::zip_out(BinaryOp::Add, a, b, out); };
       }},
      {"add a row (broadcast)", 2,
       [](int64_t n, DType dtype) {
         const Tensor a = uniform({n / kRow, kRow}, dtype), b = uniform({kRow}, dtype);
         const Tensor out = Tensor::empty({n / kRow, kRow}, dtype, kGpu);
         return [=] { mt::zip_out(BinaryOp::Add, a, b, out); };
       }},
      {"sum (all)", 1,
       [](int64_t n, DType dtype) {
         const Tensor a = uniform({n}, dtype), out = Tensor::empty({}, dtype, kGpu);
         return [=] { mt::reduce_out(ReduceOp::Sum, a, {0}, false, out); };
       }},
      {"sum of rows", 1,
       [](int64_t n, DType dtype) {
         const Tensor a = uniform({n / kRow, kRow}, dtype);
         const Tensor out = Tensor::empty({n / kRow}, dtype, kGpu);
         return [=] { mt::reduce_out(ReduceOp::Sum, a, {1}, false, out); };
       }},
      {"sum of columns", 1,
       [](int64_t n, DType dtype) {
         const Tensor a = uniform({n / kRow, kRow}, dtype);
         const Tensor out = Tensor::empty({kRow}, dtype, kGpu);
         return [=] { mt::reduce_out(ReduceOp::Sum, a, {0}, false, out); };
       }},
  };
}

void bandwidth_table(int runs) {
  std::printf("\n%-24s %-8s %10s %12s %10s\n", "case", "dtype", "elements", "median ms", "GB/s");
  for (const Traffic& c : traffic_cases())
    for (DType dtype : {DType::Float32, DType::Float64})
      for (int log2 : {20, 24, 27}) {
        const int64_t n = int64_t{1} << log2;
        const double ms = median_ms(c.setup(n, dtype), runs);
        const double bytes = c.moved * static_cast<double>(n) * mt::itemsize(dtype);
        std::printf("%-24s %-8s %10s %12.4f %10.1f\n", c.name, mt::dtype_name(dtype),
                    ("2^" + std::to_string(log2)).c_str(), ms, bytes / (ms * 1e-3) / 1e9);
      }
}

// The largest |x - y| over the largest |y|.
double relative_difference(const Tensor& x, const Tensor& y) {
  const Tensor hx = x.to(Device::cpu()), hy = y.to(Device::cpu());
  return mt::max(mt::abs(hx - hy)).item() / mt::max(mt::abs(hy)).item();
}

double tolerance(DType dtype) { return dtype == DType::Float32 ? 1e-5 : 1e-12; }

// a b into `out` (a fresh tensor unless given) with `which` GEMM.
Tensor matmul_with(mt::CudaMatmul which, const Tensor& a, const Tensor& b, Tensor out = {}) {
  mt::cuda_set_matmul(which);
  if (!out.defined()) return mt::matmul(a, b);
  mt::matmul_out(a, b, out);
  return out;
}

// The kernel and cuBLAS against the CPU on the layouts that cuBLAS takes with transposes,
// leading dimensions and batch strides, and on one it leaves to the kernel. False on a mismatch.
bool check_matmul_layouts() {
  struct Layout {
    const char* name;
    std::function<void(DType, Tensor&, Tensor&, Tensor&)> make;  // a, b, out (or undefined)
  };
  const std::vector<Layout> layouts = {
      {"row-major",
       [](DType t, Tensor& a, Tensor& b, Tensor&) {
         a = uniform({64, 48}, t), b = uniform({48, 80}, t);
       }},
      {"a transposed",
       [](DType t, Tensor& a, Tensor& b, Tensor&) {
         a = uniform({48, 64}, t).transpose(0, 1), b = uniform({48, 80}, t);
       }},
      {"b transposed",
       [](DType t, Tensor& a, Tensor& b, Tensor&) {
         a = uniform({64, 48}, t), b = uniform({80, 48}, t).transpose(0, 1);
       }},
      {"out transposed",
       [](DType t, Tensor& a, Tensor& b, Tensor& out) {
         a = uniform({64, 48}, t), b = uniform({48, 80}, t);
         out = Tensor::empty({80, 64}, t, kGpu).transpose(0, 1);
       }},
      {"a sliced (leading dim)",
       [](DType t, Tensor& a, Tensor& b, Tensor&) {
         a = uniform({64, 100}, t).slice(1, 0, 48), b = uniform({48, 80}, t);
       }},
      {"batch, b broadcast",
       [](DType t, Tensor& a, Tensor& b, Tensor&) {
         a = uniform({3, 64, 48}, t), b = uniform({48, 80}, t);
       }},
      {"batch dims permuted (kernel)",
       [](DType t, Tensor& a, Tensor& b, Tensor&) {
         a = uniform({4, 3, 64, 48}, t).transpose(0, 1), b = uniform({3, 4, 48, 80}, t);
       }},
  };
  bool ok = true;
  std::printf("\n%-30s %-8s %14s %14s\n", "matmul layout", "dtype", "kernel diff", "cuBLAS diff");
  for (const Layout& layout : layouts)
    for (DType dtype : {DType::Float32, DType::Float64}) {
      Tensor a, b, out;
      layout.make(dtype, a, b, out);
      const Tensor expected = mt::matmul(a.to(Device::cpu()), b.to(Device::cpu()));
      const double kernel =
          relative_difference(matmul_with(mt::CudaMatmul::Kernel, a, b, out), expected);
      const double cublas =
          relative_difference(matmul_with(mt::CudaMatmul::Cublas, a, b, out), expected);
      const bool good = kernel <= tolerance(dtype) && cublas <= tolerance(dtype);
      std::printf("%-30s %-8s %14.2e %14.2e%s\n", layout.name, mt::dtype_name(dtype), kernel,
                  cublas, good ? "" : "   MISMATCH");
      ok = ok && good;
    }
  mt::cuda_set_matmul(mt::CudaMatmul::Kernel);
  return ok;
}

void matmul_table(int runs) {
  std::printf("\n%-8s %-8s %6s %12s %10s %12s %10s %14s %12s\n", "matmul", "dtype", "n",
              "kernel ms", "GFLOP/s", "cuBLAS ms", "GFLOP/s", "kernel/cuBLAS", "rel. diff");
  for (DType dtype : {DType::Float32, DType::Float64})
    for (int64_t n : {256, 1024, 4096}) {
      const Tensor a = uniform({n, n}, dtype), b = uniform({n, n}, dtype);
      const Tensor kernel_out = Tensor::empty({n, n}, dtype, kGpu);
      const Tensor cublas_out = Tensor::empty({n, n}, dtype, kGpu);
      double ms[2] = {};
      for (const mt::CudaMatmul which : {mt::CudaMatmul::Kernel, mt::CudaMatmul::Cublas}) {
        mt::cuda_set_matmul(which);
        const Tensor& out = which == mt::CudaMatmul::Kernel ? kernel_out : cublas_out;
        ms[static_cast<int>(which)] = median_ms([&] { mt::matmul_out(a, b, out); }, runs);
      }
      mt::cuda_set_matmul(mt::CudaMatmul::Kernel);
      const double flops = 2.0 * static_cast<double>(n) * static_cast<double>(n * n);
      const auto gflops = [&](double t) { return flops / (t * 1e-3) / 1e9; };
      std::printf("%-8s %-8s %6lld %12.4f %10.1f %12.4f %10.1f %14.3f %12.2e\n", "",
                  mt::dtype_name(dtype), static_cast<long long>(n), ms[0], gflops(ms[0]), ms[1],
                  gflops(ms[1]), gflops(ms[0]) / gflops(ms[1]),
                  relative_difference(kernel_out, cublas_out));
    }
}

}  // namespace

int main(int argc, char** argv) {
  setenv("MINITENSOR_CUDA_PLUGIN", MT_CUDA_PLUGIN_PATH, /*overwrite=*/0);
  const int runs = argc > 1 ? std::atoi(argv[1]) : 20;
  const bool fused_only = argc > 2 && std::string(argv[2]) == "--fused-only";
  if (runs < 1 || argc > 3 || (argc == 3 && !fused_only)) {
    std::fprintf(stderr, "usage: mt_cuda_bench [runs >= 1] [--fused-only]\n");
    return 2;
  }
  if (mt::cuda_device_count() == 0) {
    std::fprintf(stderr, "mt_cuda_bench: CUDA is unavailable: %s\n",
                 mt::cuda_unavailable_reason().c_str());
    return 1;
  }
  try {
    std::printf("%s, median of %d runs per case\n", mt::cuda_device_name(0).c_str(), runs);
    if (fused_only) {
      mt::bench::fused_table(runs);
      return 0;
    }
    if (!check_matmul_layouts()) {
      std::fprintf(stderr, "mt_cuda_bench: a matmul result differs from the CPU's\n");
      return 1;
    }
    bandwidth_table(runs);
    matmul_table(runs);
    mt::bench::fused_table(runs);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mt_cuda_bench: %s\n", e.what());
    return 1;
  }
}
