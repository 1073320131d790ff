// minitensor's benchmark cases, each at 1..N threads, plus a STREAM-like bandwidth reference
// measured in the same run. Prints one JSON object per line on stdout:
//   {"meta": ...}                       the backend, ISA and settings, first
//   {"case": ..., "impl": "minitensor", "threads": ..., "median_ms": ..., "gbps" | "gflops": ...}
//   {"case": "stream_add", "impl": "stream", ...}   plain C++ threads, STREAM byte counting
// bench/compare.py runs the same cases with numpy and PyTorch and tabulates the ratios. The
// training cases (train_*, float64; train_cases.cpp) time one epoch of an MLP classifier.
#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "backend/cpu_par/isa.hpp"
#include "backend/cpu_par/parallel.hpp"
#include "mt.hpp"
#include "tensor/strided_view.hpp"
#include "train_cases.hpp"

namespace {

struct Options {
  int threads = 2;              // cases run at 1..threads
  double min_time = 0.3;        // seconds of timed runs per measurement
  int min_reps = 3;             // timed runs at least (unless one run is slower than slow_time)
  int max_reps = 50;            // timed runs at most
  double slow_time = 1.0;       // a first run slower than this (s) is the only sample
  double max_case_time = 10.0;  // skip a case estimated to take longer per run (s)
  std::string filter;           // run only cases whose name contains this
  std::string dtype = "all";
  bool stream = true;
};

struct Timing {
  double median_ms = 0;
  double min_ms = 0;
  int reps = 0;
};

double elapsed_ms(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// Warm-up runs for 50 ms (at least one), then timed runs until min_time has passed (at least
// min_reps, at most max_reps). A case whose first run exceeds slow_time is not repeated: that
// run is its only sample, so that a slow backend still finishes the suite in minutes.
Timing measure(const std::function<void()>& run, const Options& opt) {
  auto start = std::chrono::steady_clock::now();
  run();
  const double warm_ms = elapsed_ms(start);
  for (int i = 0; i < opt.max_reps && elapsed_ms(start) < 50; ++i)
    run();
  std::vector<double> samples;
  if (warm_ms > opt.slow_time * 1e3) {
    samples.push_back(warm_ms);
  } else {
    double total_ms = 0;
    while (static_cast<int>(samples.size()) < opt.max_reps &&
           (static_cast<int>(samples.size()) < opt.min_reps || total_ms < opt.min_time * 1e3)) {
      start = std::chrono::steady_clock::now();
      run();
      samples.push_back(elapsed_ms(start));
      total_ms += samples.back();
    }
  }
  std::sort(samples.begin(), samples.end());
  const size_t n = samples.size();
  const double median = n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
  return {median, samples.front(), static_cast<int>(n)};
}

// A case: setup() makes its inputs and returns the work to time, so that inputs exist only
// while their case runs. Its rate is `bytes` per second (GB/s) when bytes > 0, else `flops`
// per second (GFLOP/s).
struct Case {
  std::string name;
  std::string shape;
  double bytes = 0;
  double flops = 0;
  std::function<std::function<void()>()> setup;
  // Time estimate: `scale` times the median of the earlier case `scale_from` (same dtype and
  // threads). A case estimated above --max-case-time is skipped, not run: the sequential
  // reference backend needs minutes for one 2048 matmul.
  std::string scale_from = {};
  double scale = 0;
};

void print_result(const Case& c, const char* dtype, int threads, const Timing& t) {
  const bool is_bytes = c.bytes > 0;
  const double rate = (is_bytes ? c.bytes : c.flops) / (t.median_ms * 1e-3) / 1e9;
  std::printf(
      "{\"case\": \"%s\", \"shape\": \"%s\", \"dtype\": \"%s\", \"impl\": \"minitensor\", "
      "\"threads\": %d, \"median_ms\": %.6g, \"min_ms\": %.6g, \"reps\": %d, \"%s\": %.6g}\n",
      c.name.c_str(), c.shape.c_str(), dtype, threads, t.median_ms, t.min_ms, t.reps,
      is_bytes ? "gbps" : "gflops", rate);
  std::fflush(stdout);
}

void print_skipped(const Case& c, const char* dtype, int threads, double estimate_ms) {
  std::printf(
      "{\"case\": \"%s\", \"shape\": \"%s\", \"dtype\": \"%s\", \"impl\": \"minitensor\", "
      "\"threads\": %d, \"skipped\": \"estimated %.1f s per run (from %s) > --max-case-time\"}\n",
      c.name.c_str(), c.shape.c_str(), dtype, threads, estimate_ms * 1e-3, c.scale_from.c_str());
  std::fflush(stdout);
}

// printf into a std::string (GCC 12 warns falsely about "(" + std::to_string(n)).
template <class... Args> std::string format(const char* pattern, Args... args) {
  char text[128];
  std::snprintf(text, sizeof text, pattern, args...);
  return text;
}

// A fused kernel (backend/fused_kernel.hpp) over `operands` (viewed as they are) and the
// iteration space of operands[0], run on the default backend.
void run_fused(const std::vector<mt::Tensor>& operands, const mt::Dims& space,
               const std::vector<mt::FusedInstruction>& program, int registers) {
  mt::FusedKernel kernel;
  kernel.rank = space.size();
  std::copy(space.begin(), space.end(), kernel.shape);
  kernel.operand_count = static_cast<int32_t>(operands.size());
  for (size_t k = 0; k < operands.size(); ++k)
    kernel.operands[k] = mt::strided_view(operands[k]);
  kernel.instruction_count = static_cast<int32_t>(program.size());
  std::copy(program.begin(), program.end(), kernel.instructions);
  kernel.register_count = registers;
  mt::default_backend().fused(kernel);
}

// The cases for one dtype. Inputs come from mt::rand, uniform in [-1, 1), with each case's
// generator seeded 42; the work closures own them (captured by value), out= cases their output.
std::vector<Case> make_cases(mt::DType dt) {
  using mt::Tensor;
  using Work = std::function<void()>;
  struct Inputs {
    mt::DType dt;
    mt::Generator gen{42};
    Tensor operator()(const mt::Dims& shape) { return mt::rand(shape, dt, -1, 1, gen); }
  };
  const double s = static_cast<double>(mt::itemsize(dt));
  std::vector<Case> cases;

  for (int64_t n : {int64_t{1} << 20, int64_t{1} << 24}) {
    const std::string name = n == (int64_t{1} << 20) ? "add_1M" : "add_16M";
    const std::string shape = format("(%lld,)", static_cast<long long>(n));
    const double bytes = 3 * static_cast<double>(n) * s;
    cases.push_back({name, shape, bytes, 0, [=]() -> Work {
                       Inputs rand{dt};
                       return [a = rand({n}), b = rand({n})] { mt::add(a, b); };
                     }});
    cases.push_back({name + "_out", shape, bytes, 0, [=]() -> Work {
                       Inputs rand{dt};
                       return [a = rand({n}), b = rand({n}), out = Tensor::empty({n}, dt)] {
                         mt::zip_out(mt::BinaryOp::Add, a, b, out);
                       };
                     }});
  }
  for (const auto& unary :
       {std::pair{"exp", mt::UnaryOp::Exp}, {"sigmoid", mt::UnaryOp::Sigmoid}}) {
    const std::string name = unary.first;
    const mt::UnaryOp op = unary.second;  // a variable, not a binding: clang 14 captures it
    const int64_t n = int64_t{1} << 24;
    const std::string shape = format("(%lld,)", static_cast<long long>(n));
    const double bytes = 2 * static_cast<double>(n) * s;
    cases.push_back({name + "_16M", shape, bytes, 0, [=]() -> Work {
                       Inputs rand{dt};
                       return [a = rand({n}), op] { mt::map(op, a); };
                     }});
    cases.push_back({name + "_16M_out", shape, bytes, 0, [=]() -> Work {
                       Inputs rand{dt};
                       return [a = rand({n}), out = Tensor::empty({n}, dt), op] {
                         mt::map_out(op, a, out);
                       };
                     }});
  }

  {  // fused kernels against the same ops run eagerly (issue 16's table)
    using mt::FusedOp;
    const int64_t n = int64_t{1} << 24;
    const std::string shape = format("(%lld,)", static_cast<long long>(n));
    const auto load = [dt](int operand, int dst) {
      return mt::FusedInstruction{FusedOp::Load, 0, operand, dst, -1, -1, -1, dt, 0};
    };
    const auto zip = [dt](mt::BinaryOp op, int dst, int a, int b) {
      return mt::FusedInstruction{FusedOp::Zip, int(op), 0, dst, a, b, -1, dt, 0};
    };
    const auto store = [dt](int operand, int a) {
      return mt::FusedInstruction{FusedOp::Store, 0, operand, -1, a, -1, -1, dt, 0};
    };
    cases.push_back({"sigmoid_axpb_eager", shape, 4 * n * s, 0, [=]() -> Work {
                       Inputs rand{dt};
                       return [a = rand({n}), b = rand({n}), c = rand({n})] {
                         mt::sigmoid(mt::add(mt::mul(a, b), c));
                       };
                     }});
    cases.push_back({"sigmoid_axpb_fused", shape, 4 * n * s, 0, [=]() -> Work {
                       Inputs rand{dt};
                       const std::vector<mt::FusedInstruction> program = {
                           load(1, 0),
                           load(2, 1),
                           zip(mt::BinaryOp::Mul, 0, 0, 1),
                           load(3, 1),
                           zip(mt::BinaryOp::Add, 0, 0, 1),
                           {FusedOp::Map, int(mt::UnaryOp::Sigmoid), 0, 0, 0, -1, -1, dt, 0},
                           store(0, 0)};
                       return [out = Tensor::empty({n}, dt), a = rand({n}), b = rand({n}),
                               c = rand({n}), program, n] {
                         run_fused({out, a, b, c}, mt::Dims{n}, program, 2);
                       };
                     }});
    // out = the sum of a * b over the space's last dims (operands out, a, b).
    const std::vector<mt::FusedInstruction> sum_mul = {
        load(1, 0),
        load(2, 1),
        zip(mt::BinaryOp::Mul, 0, 0, 1),
        {FusedOp::Reduce, int(mt::ReduceOp::Sum), 0, 1, 0, -1, -1, dt, 0},
        store(0, 1)};
    cases.push_back({"sum_mul_eager", shape, 2 * n * s, 0, [=]() -> Work {
                       Inputs rand{dt};
                       return [a = rand({n}), b = rand({n})] { mt::sum(mt::mul(a, b)); };
                     }});
    cases.push_back({"sum_mul_fused", shape, 2 * n * s, 0, [=]() -> Work {
                       Inputs rand{dt};
                       return [out = Tensor::empty({1}, dt), a = rand({n}), b = rand({n}),
                               program = sum_mul, n] {
                         run_fused({out, a, b}, mt::Dims{n}, program, 2);
                       };
                     }});
    // Row sums of 64 elements: many short folds.
    const int64_t rows = n / 64;
    const std::string rows_shape = format("(%lld,64) dim 1", static_cast<long long>(rows));
    cases.push_back(
        {"sum_mul_rows_eager", rows_shape, 2 * n * s, 0, [=]() -> Work {
           Inputs rand{dt};
           return [a = rand({rows, 64}), b = rand({rows, 64})] { mt::sum(mt::mul(a, b), {1}); };
         }});
    cases.push_back({"sum_mul_rows_fused", rows_shape, 2 * n * s, 0, [=]() -> Work {
                       Inputs rand{dt};
                       return [out = Tensor::empty({rows, 1}, dt), a = rand({rows, 64}),
                               b = rand({rows, 64}), program = sum_mul, rows] {
                         run_fused({out, a, b}, mt::Dims{rows, 64}, program, 2);
                       };
                     }});
  }

  // Planning a captured 10-op element-wise graph (no compiler is involved): from scratch, and
  // through the plan cache, which knows the structure after the first call.
  // mul add sub mul neg exp mul add log tanh
  const auto ten_ops = [](std::span<const Tensor> x) {
    return std::vector{
        mt::tanh(mt::log(mt::exp(-((x[0] * x[1] + x[2] - x[3]) * x[4])) * x[0] + x[1]))};
  };
  // The graph of ten_ops over five placeholders of 1000 elements.
  const auto ten_ops_graph = [=] {
    mt::fusion::begin_capture();
    std::vector<Tensor> x;
    for (int i = 0; i < 5; ++i)
      x.push_back(mt::fusion::capture_input({1000}, dt));
    return mt::fusion::end_capture(ten_ops(x));
  };
  for (const bool cached : {false, true}) {
    cases.push_back({cached ? "plan_build_10ops_cached" : "plan_build_10ops", "(1000,) 10 ops", 0,
                     0, [=]() -> Work {
                       auto graph = ten_ops_graph();
                       return [graph, cached] {
                         if (cached)
                           mt::fusion::compile(graph);
                         else
                           mt::fusion::Plan(graph, true);
                       };
                     }});
  }

  // Running that program at 1000 elements: its plan; a traced function of it at a size it
  // knows (the signature lookup added); and at an ever new size (sizes 1000..1099 in turn: more
  // than a function keeps, so each call is a capture, a compile that hits the plan cache and a
  // first run, which builds its tile programs).
  cases.push_back({"plan_run_10ops", "(1000,) 10 ops", 0, 0, [=]() -> Work {
                     Inputs rand{dt};
                     std::vector<Tensor> x;
                     for (int i = 0; i < 5; ++i)
                       x.push_back(rand({1000}));
                     return [plan = mt::fusion::compile(ten_ops_graph()), x] { plan->run(x); };
                   }});
  for (const bool new_size : {false, true}) {
    cases.push_back({new_size ? "traced_new_size_10ops" : "traced_run_10ops",
                     new_size ? "(1000..1099,) 10 ops" : "(1000,) 10 ops", 0, 0, [=]() -> Work {
                       Inputs rand{dt};
                       std::vector<std::vector<Tensor>> inputs(new_size ? 100 : 1);
                       for (size_t k = 0; k < inputs.size(); ++k)
                         for (int i = 0; i < 5; ++i)
                           inputs[k].push_back(rand({1000 + int64_t(k)}));
                       auto traced = std::make_shared<mt::fusion::TracedFunction>(ten_ops);
                       traced->run(inputs[0]);
                       return [traced, inputs, next = size_t(0)]() mutable {
                         traced->run(inputs[next++ % inputs.size()]);
                       };
                     }});
  }

  const int64_t n = 4096;
  const double nb = static_cast<double>(n * n) * s;  // one 4096x4096 tensor
  cases.push_back({"bcast_add", "(4096,1)+(1,4096)", nb + 2 * n * s, 0, [=]() -> Work {
                     Inputs rand{dt};
                     return [a = rand({n, 1}), b = rand({1, n})] { mt::add(a, b); };
                   }});
  cases.push_back(
      {"transpose_add", "(4096,4096).T+(4096,4096)", 3 * nb, 0, [=]() -> Work {
         Inputs rand{dt};
         return [at = rand({n, n}).transpose(0, 1), b = rand({n, n})] { mt::add(at, b); };
       }});
  for (int64_t dim : {-1, 0}) {
    cases.push_back({dim == 0 ? "sum_first" : "sum_last",
                     format("(4096,4096) dim %lld", static_cast<long long>(dim)), nb + n * s, 0,
                     [=]() -> Work {
                       Inputs rand{dt};
                       return [a = rand({n, n}), dim] { mt::sum(a, {dim}); };
                     }});
  }
  for (int64_t m : {128, 512, 1024, 2048}) {
    const long long d = m;
    cases.push_back({format("matmul_%lld", d), format("(%lld,%lld)@(%lld,%lld)", d, d, d, d), 0,
                     2.0 * m * m * m, [=]() -> Work {
                       Inputs rand{dt};
                       return [a = rand({m, m}), b = rand({m, m})] { mt::matmul(a, b); };
                     }});
    if (m > 128) {
      cases.back().scale_from = m == 512 ? "matmul_128" : format("matmul_%lld", d / 2);
      cases.back().scale = m == 512 ? 64 : 8;
    }
  }
  {  // a linear layer's forward, relu(x @ w + b): eager against one matmul kernel (issue 16)
    using mt::FusedOp;
    const int64_t m = 512;
    const std::string shape = "relu((512,512)@(512,512)+(512,))";
    const double flops = 2.0 * m * m * m;
    cases.push_back({"linear_relu_eager", shape, 0, flops,
                     [=]() -> Work {
                       Inputs rand{dt};
                       return [x = rand({m, m}), w = rand({m, m}), b = rand({m})] {
                         mt::relu(mt::add(mt::matmul(x, w), b));
                       };
                     },
                     "matmul_512", 1});
    cases.push_back({"linear_relu_fused", shape, 0, flops,
                     [=]() -> Work {
                       Inputs rand{dt};
                       const std::vector<mt::FusedInstruction> program = {
                           {FusedOp::Product, 0, 1, 0, -1, -1, -1, dt, 0},
                           {FusedOp::Load, 0, 3, 1, -1, -1, -1, dt, 0},
                           {FusedOp::Zip, int(mt::BinaryOp::Add), 0, 0, 0, 1, -1, dt, 0},
                           {FusedOp::Map, int(mt::UnaryOp::Relu), 0, 0, 0, -1, -1, dt, 0},
                           {FusedOp::Store, 0, 0, -1, 0, -1, -1, dt, 0}};
                       return [out = Tensor::empty({m, m}, dt), x = rand({m, m}), w = rand({m, m}),
                               b = rand({1, m}).expand({m, m}), program, m] {
                         run_fused({out, x, w, b}, mt::Dims{m, m}, program, 2);
                       };
                     },
                     "matmul_512", 1});
  }
  cases.push_back(
      {"bmm_64x256", "(64,256,256)@(64,256,256)", 0, 2.0 * 64 * 256 * 256 * 256,
       [=]() -> Work {
         Inputs rand{dt};
         return [a = rand({64, 256, 256}), b = rand({64, 256, 256})] { mt::matmul(a, b); };
       },
       "matmul_1024", 1});  // as many multiply-adds as one 1024 matmul
  // The training cases last, float64 only: one run is one epoch (train_cases.cpp).
  if (dt == mt::DType::Float64)
    for (mt_bench::TrainCase& t : mt_bench::make_train_cases())
      cases.push_back({t.name, t.shape, 0, t.flops, std::move(t.setup)});
  return cases;
}

// --- STREAM-like reference: copy, scale, add, triad over doubles, with plain std::threads. ---

// A huge-page-advised buffer, first touched by the threads that later use each part.
struct Buffer {
  double* data = nullptr;
  size_t bytes = 0;
  explicit Buffer(size_t n) {
    constexpr size_t kHuge = size_t{2} << 20;
    bytes = (n * sizeof(double) + kHuge - 1) / kHuge * kHuge;
    data = static_cast<double*>(std::aligned_alloc(kHuge, bytes));
    if (!data) throw std::runtime_error("stream: out of memory");
    madvise(data, bytes, MADV_HUGEPAGE);  // advice only: ignoring a failure is fine
  }
  ~Buffer() { std::free(data); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
};

// Calls body(begin, end) on `threads` threads over equal parts of [0, n).
template <class Body> void run_parts(int threads, size_t n, const Body& body) {
  auto part = [&](int t) {
    const size_t lo = n * t / threads, hi = n * (t + 1) / threads;
    body(lo, hi);
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t)
    pool.emplace_back(part, t);
  part(0);
  for (auto& th : pool)
    th.join();
}

void run_stream(int threads) {
  constexpr int kTimes = 10;  // as STREAM's NTIMES; the best run counts
  struct Kernel {
    const char* name;
    double words;  // doubles moved per element, as STREAM counts them
  };
  const Kernel kernels[] = {{"copy", 2}, {"scale", 2}, {"add", 3}, {"triad", 3}};
  for (size_t n : {size_t{1} << 24, size_t{1} << 25}) {
    Buffer ba(n), bb(n), bc(n);
    double* __restrict a = ba.data;
    double* __restrict b = bb.data;
    double* __restrict c = bc.data;
    run_parts(threads, n, [&](size_t lo, size_t hi) {
      for (size_t i = lo; i < hi; ++i) {
        a[i] = 1.0;
        b[i] = 2.0;
        c[i] = 0.0;
      }
    });
    const double q = 3.0;
    for (int k = 0; k < 4; ++k) {
      std::vector<double> samples;
      for (int rep = 0; rep < kTimes; ++rep) {
        const auto start = std::chrono::steady_clock::now();
        run_parts(threads, n, [&](size_t lo, size_t hi) {
          switch (k) {
            case 0:
              for (size_t i = lo; i < hi; ++i)
                c[i] = a[i];
              break;
            case 1:
              for (size_t i = lo; i < hi; ++i)
                b[i] = q * c[i];
              break;
            case 2:
              for (size_t i = lo; i < hi; ++i)
                c[i] = a[i] + b[i];
              break;
            default:
              for (size_t i = lo; i < hi; ++i)
                a[i] = b[i] + q * c[i];
          }
        });
        samples.push_back(elapsed_ms(start));
      }
      std::sort(samples.begin(), samples.end());
      const Timing t{(samples[kTimes / 2 - 1] + samples[kTimes / 2]) / 2, samples.front(), kTimes};
      // STREAM reports the best rate: bytes over the fastest run.
      const double bytes = kernels[k].words * sizeof(double) * static_cast<double>(n);
      const double best_gbps = bytes / (t.min_ms * 1e-3) / 1e9;
      std::printf(
          "{\"case\": \"stream_%s\", \"shape\": \"(%zu,)\", \"dtype\": \"f64\", \"impl\": "
          "\"stream\", \"threads\": %d, \"median_ms\": %.6g, \"min_ms\": %.6g, \"reps\": %d, "
          "\"gbps\": %.6g}\n",
          kernels[k].name, n, threads, t.median_ms, t.min_ms, t.reps, best_gbps);
      std::fflush(stdout);
    }
  }
}

void usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s [--threads N] [--filter SUBSTRING] [--dtype f32|f64|all]\n"
               "          [--min-time SECONDS] [--max-reps N] [--slow-time SECONDS] "
               "[--max-case-time SECONDS] [--no-stream]\n"
               "Runs every case at 1..N threads (default 2) and prints JSON lines.\n",
               argv0);
}

Options parse(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--threads") {
      opt.threads = std::stoi(value());
    } else if (arg == "--filter") {
      opt.filter = value();
    } else if (arg == "--dtype") {
      opt.dtype = value();
    } else if (arg == "--min-time") {
      opt.min_time = std::stod(value());
    } else if (arg == "--max-reps") {
      opt.max_reps = std::stoi(value());
    } else if (arg == "--slow-time") {
      opt.slow_time = std::stod(value());
    } else if (arg == "--max-case-time") {
      opt.max_case_time = std::stod(value());
    } else if (arg == "--no-stream") {
      opt.stream = false;
    } else if (arg == "-h" || arg == "--help") {
      usage(argv[0]);
      std::exit(0);
    } else {
      throw std::invalid_argument("unknown argument " + arg);
    }
  }
  if (opt.threads < 1) throw std::invalid_argument("--threads must be at least 1");
  if (opt.dtype != "f32" && opt.dtype != "f64" && opt.dtype != "all")
    throw std::invalid_argument("--dtype must be f32, f64 or all");
  if (opt.max_reps < 1) throw std::invalid_argument("--max-reps must be at least 1");
  return opt;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  try {
    opt = parse(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mt_bench: %s\n", e.what());
    usage(argv[0]);
    return 2;
  }

  // The parallel backend once it exists, else the default one.
  const std::vector<std::string> names = mt::backend_names();
  if (std::find(names.begin(), names.end(), "cpu_par") != names.end())
    mt::set_default_backend("cpu_par");
  std::string listed;
  for (const auto& name : names)
    listed += (listed.empty() ? "\"" : ", \"") + name + "\"";
  std::printf(
      "{\"meta\": {\"backend\": \"%s\", \"backends\": [%s], \"isa\": \"%s\", "
      "\"hardware_threads\": %u, \"max_threads\": %d, \"min_time_s\": %g, \"slow_time_s\": %g, "
      "\"max_case_time_s\": %g}}\n",
      mt::default_backend().name().c_str(), listed.c_str(),
      mt::cpu_par::isa_name(mt::cpu_par::active_isa()), std::thread::hardware_concurrency(),
      opt.threads, opt.min_time, opt.slow_time, opt.max_case_time);
  std::fprintf(stderr, "mt_bench: backend %s, threads 1..%d\n",
               mt::default_backend().name().c_str(), opt.threads);
  std::fflush(stdout);

  try {
    if (opt.stream)
      for (int t = 1; t <= opt.threads; ++t)
        run_stream(t);
    for (mt::DType dt : {mt::DType::Float32, mt::DType::Float64}) {
      const char* dtype = dt == mt::DType::Float32 ? "f32" : "f64";
      if (opt.dtype != "all" && opt.dtype != dtype) continue;
      std::map<std::pair<std::string, int>, double> median_ms;  // (case, threads) -> ms
      for (const Case& c : make_cases(dt)) {
        if (c.name.find(opt.filter) == std::string::npos) continue;
        std::function<void()> work;  // made at the first thread count that is not skipped
        // Thread counts back to back per case, so that their ratio sees the same machine state.
        for (int t = 1; t <= opt.threads; ++t) {
          if (auto it = median_ms.find({c.scale_from, t}); it != median_ms.end()) {
            const double estimate_ms = it->second * c.scale;
            if (estimate_ms > opt.max_case_time * 1e3) {
              median_ms[{c.name, t}] = estimate_ms;
              print_skipped(c, dtype, t, estimate_ms);
              continue;
            }
          }
          if (!work) work = c.setup();
          mt::set_num_threads(t);
          const Timing timing = measure(work, opt);
          median_ms[{c.name, t}] = timing.median_ms;
          print_result(c, dtype, t, timing);
        }
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mt_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
