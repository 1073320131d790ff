// Capture and plans (core/fusion): a captured program, planned and run, gives bitwise what the
// same calls give eagerly; fusion counts and reasons; capture misuse is refused clearly.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <vector>

#include "fusion_programs.hpp"
#include "mt.hpp"
#include "test_support.hpp"

namespace mt {
namespace {

using test::capture_graph;
using test::Program;

// Its plan; by default as MINITENSOR_FUSION says (the suite also runs with fusion off).
std::shared_ptr<fusion::Plan> capture(const Program& program, const std::vector<Tensor>& inputs,
                                      bool fuse = fusion::fusion_enabled_by_environment()) {
  return std::make_shared<fusion::Plan>(capture_graph(program, inputs), fuse);
}

// Runs `program` eagerly and as a plan; expects the same bits and returns the plan.
std::shared_ptr<fusion::Plan> expect_same(const Program& program,
                                          const std::vector<Tensor>& inputs) {
  const std::vector<Tensor> eager = program(inputs);
  const auto plan = capture(program, inputs);
  const std::vector<Tensor> planned = plan->run(inputs);
  EXPECT_EQ(eager.size(), planned.size());
  for (size_t i = 0; i < eager.size() && i < planned.size(); ++i)
    EXPECT_TRUE(test::bitwise_equal(eager[i], planned[i])) << "output " << i << "\n"
                                                           << eager[i] << "\n"
                                                           << planned[i] << "\n"
                                                           << plan->report();
  return plan;
}

Tensor uniform(test::Rng& rng, const Dims& shape, DType dtype = DType::Float32, double low = -2,
               double high = 2) {
  return test::random_strided(rng, shape, dtype, low, high);
}

// Counts and reasons exist only with fusion on.
#define SKIP_WITHOUT_FUSION() \
  if (!fusion::fusion_enabled_by_environment()) GTEST_SKIP() << "MINITENSOR_FUSION=0"

TEST(Fusion, IssueExpressionsAreOneKernelEach) {
  SKIP_WITHOUT_FUSION();
  test::Rng rng = test::test_rng();
  const Dims n{1000};
  const std::vector<Tensor> in{uniform(rng, n), uniform(rng, n), uniform(rng, n)};
  const std::vector<Program> programs{
      [](const std::vector<Tensor>& x) { return std::vector{x[0] * x[1] + x[2]}; },
      [](const std::vector<Tensor>& x) {
        const Tensor d = x[0] - x[1];
        return std::vector{exp(-(d * d)) * x[2]};
      },
      [](const std::vector<Tensor>& x) { return std::vector{sigmoid(x[0] * x[1] + x[2])}; },
      [](const std::vector<Tensor>& x) { return std::vector{sum(x[0] * x[1])}; },
      [](const std::vector<Tensor>& x) { return std::vector{relu(x[0]) * x[1] + tanh(x[2])}; },
  };
  for (const Program& p : programs) {
    const auto plan = expect_same(p, in);
    EXPECT_EQ(plan->stats().kernels, 1) << plan->report();
    EXPECT_EQ(plan->stats().fused_kernels, 1) << plan->report();
  }
}

// Adam's update in place, as bench/fusion.py writes it: the update of v joins the update of p,
// which then reads the m that the kernel before it stores; kernels are joined until nothing
// joins, so the step is one kernel (it was two, m stored and loaded again between them). In it
// m, v and p are stored once each: m *= beta1's store is dead once m += ... stores again.
TEST(Fusion, InPlaceAdamStepIsOneKernel) {
  SKIP_WITHOUT_FUSION();
  test::Rng rng = test::test_rng();
  const auto step = [](const Tensor& g, const Tensor& p, const Tensor& m, const Tensor& v) {
    const auto c = [&](double value) { return scalar(value, g.dtype()); };
    zip_out(BinaryOp::Mul, m, c(0.9), m);
    zip_out(BinaryOp::Add, m, g * c(0.1), m);
    zip_out(BinaryOp::Mul, v, c(0.999), v);
    zip_out(BinaryOp::Add, v, g * g * c(0.001), v);
    zip_out(BinaryOp::Sub, p, m * c(1e-3) / (sqrt(v) / c(0.1) + c(1e-8)), p);
  };
  const Dims n{1000};
  const Tensor g = uniform(rng, n);
  std::vector<Tensor> eager{uniform(rng, n), uniform(rng, n), uniform(rng, n, DType::Float32, 0)};
  std::vector<Tensor> planned;
  for (const Tensor& t : eager)
    planned.push_back(t.clone());
  fusion::begin_capture();
  step(fusion::capture_input(n, DType::Float32), planned[0], planned[1], planned[2]);
  const fusion::Plan plan(fusion::end_capture({}), true);
  EXPECT_EQ(plan.stats().kernels, 1) << plan.report();
  EXPECT_NE(plan.report().find("11 inputs, 3 outputs"), std::string::npos) << plan.report();
  for (int run = 0; run < 3; ++run) {
    step(g, eager[0], eager[1], eager[2]);
    plan.run(std::vector{g});
    for (size_t i = 0; i < eager.size(); ++i)
      ASSERT_TRUE(test::bitwise_equal(planned[i], eager[i])) << "run " << run << " state " << i;
  }
}

// Kernels are joined in passes until nothing joins; a join refused in the first pass is tried
// again in the next, and its reason is still said once.
TEST(Fusion, EveryNoteIsSaidOnce) {
  SKIP_WITHOUT_FUSION();
  test::Rng rng = test::test_rng();
  const auto plan = expect_same(
      [](const std::vector<Tensor>& x) {
        const Tensor v = x[0] * 2.0, w = x[1] * 3.0;
        zip_out(BinaryOp::Add, v.transpose(0, 1), w, v.transpose(0, 1));  // refused joins
        return std::vector{v * w, v, w};
      },
      {uniform(rng, {4, 4}), uniform(rng, {4, 4})});
  const std::vector<std::string>& notes = plan->decisions().notes;
  EXPECT_NE(plan->report().find("kept the kernel of"), std::string::npos) << plan->report();
  for (const std::string& note : notes)
    EXPECT_EQ(std::count(notes.begin(), notes.end(), note), 1) << note << "\n" << plan->report();
}

TEST(Fusion, BroadcastProducerIsComputedInItsConsumer) {
  SKIP_WITHOUT_FUSION();
  test::Rng rng = test::test_rng();
  const std::vector<Tensor> in{uniform(rng, {7, 1}), uniform(rng, {7, 5})};
  const auto plan =
      expect_same([](const std::vector<Tensor>& x) { return std::vector{relu(x[0]) * x[1]}; }, in);
  EXPECT_EQ(plan->stats().kernels, 1) << plan->report();
}

TEST(Fusion, CostlyValueWithTwoConsumersIsStoredOnce) {
  SKIP_WITHOUT_FUSION();
  test::Rng rng = test::test_rng();
  const std::vector<Tensor> in{uniform(rng, {64})};
  const auto plan = expect_same(
      [](const std::vector<Tensor>& x) {
        const Tensor e = exp(x[0]);
        return std::vector{e + 1.0, e * e};
      },
      in);
  EXPECT_NE(plan->report().find("too costly to compute again"), std::string::npos)
      << plan->report();
}

TEST(Fusion, FusionOffRunsEveryOp) {
  test::Rng rng = test::test_rng();
  const std::vector<Tensor> in{uniform(rng, {33}), uniform(rng, {33})};
  const Program p = [](const std::vector<Tensor>& x) { return std::vector{exp(x[0]) * x[1]}; };
  const auto plan = capture(p, in, false);
  EXPECT_EQ(plan->stats().kernels, 2);
  EXPECT_EQ(plan->stats().fused_kernels, 0);
  EXPECT_TRUE(test::bitwise_equal(plan->run(in)[0], p(in)[0]));
}

TEST(Fusion, ValueReadsDuringCaptureAreRefused) {
  fusion::begin_capture();
  const Tensor x = fusion::capture_input({3}, DType::Float32);
  const Tensor y = x + 1.0;
  EXPECT_TRUE(test::throws_error([&] { y.get({0}); }, {ErrorCode::CaptureMisuse}, {"capture"}));
  EXPECT_TRUE(test::throws_error([&] { fusion::begin_capture(); }, {ErrorCode::CaptureMisuse},
                                 {"do not nest"}));
  const auto graph = fusion::end_capture(std::vector{y});
  // After the capture the placeholder still holds no values: reading it is an error too.
  EXPECT_TRUE(test::throws_error([&] { y.get({0}); }, {ErrorCode::CaptureMisuse}, {"made during"}));
  EXPECT_TRUE(test::throws_error([&] { y + 1.0; }, {ErrorCode::CaptureMisuse}, {"made during"}));
}

// A tensor made in an earlier capture: without values (its capture abandoned, or a plan never
// wrote it) it is refused where a later capture uses it, never read as garbage; with values (a
// plan's state that a run wrote) it is memory from outside, updated in place by the new plan.
TEST(Fusion, TensorsOfEarlierCapturesAreRefusedOrUsedByReference) {
  fusion::begin_capture();
  const Tensor stale = exp(ones({4}));
  fusion::abandon_capture();
  fusion::begin_capture();
  EXPECT_TRUE(test::throws_error([&] { stale + ones({4}); }, {ErrorCode::CaptureMisuse},
                                 {"earlier capture", "(4,)"}));
  fusion::abandon_capture();
  EXPECT_TRUE(
      test::throws_error([&] { stale + 1.0; }, {ErrorCode::CaptureMisuse}, {"made during"}));
  // Written by a later plan, it holds that plan's values.
  fusion::begin_capture();
  zip_out(BinaryOp::Add, ones({4}), ones({4}), stale);
  const fusion::Plan writer(fusion::end_capture({}), fusion::fusion_enabled_by_environment());
  writer.run({});
  EXPECT_TRUE(test::bitwise_equal(stale, full({4}, 2, DType::Float32))) << stale;

  fusion::begin_capture();
  const Tensor state = zeros({4});  // state the first plan writes (it escapes the capture)
  zip_out(BinaryOp::Add, state, ones({4}), state);
  const fusion::Plan first(fusion::end_capture({}), fusion::fusion_enabled_by_environment());
  first.run({});
  fusion::begin_capture();
  zip_out(BinaryOp::Mul, state, scalar(3, DType::Float32), state);
  const fusion::Plan second(fusion::end_capture({}), fusion::fusion_enabled_by_environment());
  second.run({});
  second.run({});
  EXPECT_TRUE(test::bitwise_equal(state, full({4}, 9, DType::Float32))) << state;
}

// Programs the random test found planned wrongly (at trial counts above the suite's), reduced:
// the plans now equal eager bit for bit. The first, third and fourth fail without their fix;
// the second gave right bits by chance here, so its refusal is checked in the report.
void expect_regressions_fixed() {
  test::Rng rng = test::test_rng(3);
  // A broadcast input (4, 1) of a zip read through a narrow of the zip's last dim: the
  // narrow's start must not move the broadcast input (its size-1 dim has a stride of 1).
  expect_same(
      [](const std::vector<Tensor>& x) { return std::vector{abs((x[0] + x[1]).narrow(-1, 1, 2))}; },
      {uniform(rng, {4, 1}), uniform(rng, {1, 4, 3})});
  // An epilogue reading its reduction's result transposed: not from the head's register.
  const auto transposed = expect_same(
      [](const std::vector<Tensor>& x) {
        return std::vector{max(x[0], {1}).transpose(0, 1) * x[1]};
      },
      {uniform(rng, {4, 3, 4}, DType::Float64), uniform(rng, {}, DType::Float64)});
  if (fusion::fusion_enabled_by_environment()) {
    EXPECT_NE(transposed->report().find("not element for element"), std::string::npos)
        << transposed->report();
  }
  // A matmul reads v before v is updated in place: the update may not move above it.
  expect_same(
      [](const std::vector<Tensor>& x) {
        const Tensor v = x[0] * 2.0;
        const Tensor w = relu(matmul(v.unsqueeze(-1), x[1].reshape({1, -1})));  // fused
        zip_out(BinaryOp::Sub, v, x[0], v);
        return std::vector{w, v * 1.0};
      },
      {uniform(rng, {5}, DType::Float64), uniform(rng, {5}, DType::Float64)});
  // An in-place update through a transposed view, then a read of the plain view: the
  // register of the update holds other elements.
  expect_same(
      [](const std::vector<Tensor>& x) {
        const Tensor t = x[0] / x[1];
        const Tensor tt = t.transpose(0, 2);
        zip_out(BinaryOp::Mul, tt, sum(x[1]), tt);
        return std::vector{t * 3.0};
      },
      // Contiguous: a plan copies strided inputs first, and a sum folds in the order of its
      // input's layout.
      {uniform(rng, {3, 3, 3}).contiguous(), uniform(rng, {3, 1, 3}).contiguous()});
}

TEST(Fusion, RegressionsFromRandomPrograms) {
  for (const char* backend : {"cpu_seq", "cpu_par"}) {
    SCOPED_TRACE(backend);
    set_default_backend(backend);
    expect_regressions_fixed();
  }
  set_default_backend("cpu_par");
}

TEST(Fusion, WrongSignatureNamesExpectedAndGiven) {
  const auto plan = capture([](const std::vector<Tensor>& x) { return std::vector{x[0] * 2.0}; },
                            {zeros({4, 3})});
  EXPECT_TRUE(test::throws_error(
      [&] {
        plan->run(std::vector{zeros({4, 2})});
      },
      {ErrorCode::ShapeMismatch}, {"(4, 3)", "(4, 2)"}));
  EXPECT_TRUE(test::throws_error(
      [&] {
        plan->run(std::vector{zeros({4, 3}, DType::Float64)});
      },
      {ErrorCode::DTypeMismatch}, {"float32", "float64"}));
  EXPECT_TRUE(test::throws_error([&] { plan->run(std::vector<Tensor>{}); },
                                 {ErrorCode::InvalidArgument}, {"1 inputs", "given 0"}));
}

}  // namespace
}  // namespace mt

namespace mt {
namespace {

class FusionRandom : public ::testing::TestWithParam<const char*> {};

TEST_P(FusionRandom, PlansEqualEagerBitwise) {
  set_default_backend(GetParam());
  test::Rng rng = test::test_rng();
  test::for_each_random_program(rng, 1000, Device::cpu(), [](const test::RandomTrial& trial) {
    for (int threads : {1, 2, 3}) {
      set_num_threads(threads);
      ASSERT_TRUE(test::same_as_eager(trial, trial.plan->run(trial.inputs)))
          << "threads " << threads;
    }
  });
  set_num_threads(0);
  set_default_backend("cpu_par");
}

INSTANTIATE_TEST_SUITE_P(Backends, FusionRandom, ::testing::Values("cpu_seq", "cpu_par"));

}  // namespace
}  // namespace mt

namespace mt {
namespace {

// The classifier's step: Linear-ReLU-Linear-sigmoid-BCE, backward, SGD.
Tensor train_step(const nn::Mlp& model, nn::SGD& optimizer, const Tensor& x, const Tensor& y) {
  optimizer.zero_grad();
  Tensor loss = nn::binary_cross_entropy(sigmoid(model(x)), y);
  loss.backward();
  optimizer.step();
  return loss;
}

TEST(Fusion, CapturedTrainingStepMatchesEagerAfter100Steps) {
  test::Rng rng = test::test_rng();
  const Tensor x = uniform(rng, {10, 2}, DType::Float64);
  const Tensor y =
      gt(uniform(rng, {10, 1}, DType::Float64), zeros({}, DType::Float64)).to(DType::Float64);
  Generator g_eager(5), g_plan(5);
  const nn::Mlp eager_model({2, 100, 1}, DType::Float64, g_eager);
  const nn::Mlp plan_model({2, 100, 1}, DType::Float64, g_plan);
  nn::SGD eager_sgd(eager_model.parameters(), 0.5), plan_sgd(plan_model.parameters(), 0.5);

  fusion::begin_capture();
  Tensor px = fusion::capture_input(x.shape(), x.dtype());
  Tensor py = fusion::capture_input(y.shape(), y.dtype());
  Tensor captured_loss = train_step(plan_model, plan_sgd, px, py);
  const auto graph = fusion::end_capture(std::vector{captured_loss});
  captured_loss = px = py = Tensor();
  const fusion::Plan plan(graph, fusion::fusion_enabled_by_environment());
  if (fusion::fusion_enabled_by_environment()) {
    EXPECT_LE(plan.stats().kernels, 11) << plan.report();  // the issue's bound
  }

  for (int step = 0; step < 100; ++step) {
    const Tensor expected = train_step(eager_model, eager_sgd, x, y);
    const Tensor got = plan.run(std::vector{x, y})[0];
    ASSERT_TRUE(test::bitwise_equal(got, expected)) << "step " << step << "\n" << plan.report();
  }
  const std::vector<Tensor> pe = eager_model.parameters(), pp = plan_model.parameters();
  for (size_t i = 0; i < pe.size(); ++i) {
    EXPECT_TRUE(test::bitwise_equal(pp[i], pe[i])) << "parameter " << i;
    EXPECT_TRUE(test::bitwise_equal(pp[i].grad(), pe[i].grad())) << "gradient " << i;
  }
}

}  // namespace
}  // namespace mt

namespace mt {
namespace {

// Captures `program` over placeholders like `inputs` and compiles it through the plan cache.
std::shared_ptr<fusion::Plan> compile_cached(const Program& program,
                                             const std::vector<Tensor>& inputs) {
  return fusion::compile(capture_graph(program, inputs));
}

TEST(FusionCache, SizesShareOneEntry) {
  fusion::clear_plan_cache();
  test::Rng rng = test::test_rng();
  const Program p = [](const std::vector<Tensor>& x) {
    return std::vector{sigmoid(x[0] * x[1] + 1.0), sum(x[0] * x[1], {1})};
  };
  for (int64_t n = 10; n <= 50; ++n) {
    const std::vector<Tensor> in{uniform(rng, {n, 3}), uniform(rng, {n, 3})};
    const auto plan = compile_cached(p, in);
    const std::vector<Tensor> got = plan->run(in), expected = p(in);
    for (size_t i = 0; i < got.size(); ++i)
      ASSERT_TRUE(test::bitwise_equal(got[i], expected[i])) << "n " << n << "\n" << plan->report();
  }
  const fusion::PlanCacheStats stats = fusion::plan_cache_stats();
  EXPECT_EQ(stats.entries, 1);
  EXPECT_EQ(stats.misses, 1);
  EXPECT_EQ(stats.hits, 40);
}

TEST(FusionCache, MissesSayWhatDiffered) {
  fusion::clear_plan_cache();
  compile_cached([](const std::vector<Tensor>& x) { return std::vector{x[0] * x[0]}; },
                 {zeros({4})});
  EXPECT_EQ(fusion::plan_cache_stats().last_miss, "the cache is empty");
  compile_cached([](const std::vector<Tensor>& x) { return std::vector{x[0] + x[0]}; },
                 {zeros({4})});
  EXPECT_NE(fusion::plan_cache_stats().last_miss.find("op 0 op"), std::string::npos)
      << fusion::plan_cache_stats().last_miss;
  compile_cached([](const std::vector<Tensor>& x) { return std::vector{x[0] + x[0]}; },
                 {zeros({4}, DType::Float64)});
  EXPECT_NE(fusion::plan_cache_stats().last_miss.find("dtype"), std::string::npos)
      << fusion::plan_cache_stats().last_miss;
}

TEST(FusionCache, GrowingProgramsStayWithinTheBound) {
  fusion::clear_plan_cache();
  fusion::set_plan_cache_capacity(16);
  const std::vector<Tensor> in{zeros({8})};
  for (int ops = 1; ops <= 1000; ++ops) {
    compile_cached(
        [ops](const std::vector<Tensor>& x) {
          Tensor y = x[0];
          for (int i = 0; i < ops % 40 + 1; ++i)
            y = y * 1.5 + 1.0;
          return std::vector{y};
        },
        in);
    ASSERT_LE(fusion::plan_cache_stats().entries, 16);
  }
  EXPECT_TRUE(test::throws_error([] { fusion::set_plan_cache_capacity(-1); },
                                 {ErrorCode::InvalidArgument}, {"-1"}));
  fusion::set_plan_cache_capacity(64);
}

}  // namespace
}  // namespace mt

namespace mt {
namespace {

// y = W @ W, then W -= 0.1 y in place: the update must not join the product's kernel, where
// blocks still being multiplied would read the updated W.
TEST(Fusion, ProductOperandsAreNotWrittenInTheirKernel) {
  test::Rng rng = test::test_rng();
  const Tensor w_eager = uniform(rng, {70, 70}), w_plan = w_eager.clone();
  const auto step = [](const Tensor& w) {
    NoGradGuard no_grad;
    const Tensor y = matmul(w, w);
    zip_out(BinaryOp::Sub, w, y * 0.1, w);
    return y;
  };
  fusion::begin_capture();
  Tensor y = step(w_plan);
  const auto plan = fusion::compile(fusion::end_capture(std::vector{y}));
  y = Tensor();
  for (int i = 0; i < 3; ++i) {
    const Tensor expected = step(w_eager), got = plan->run({})[0];
    ASSERT_TRUE(test::bitwise_equal(got, expected)) << plan->report();
    ASSERT_TRUE(test::bitwise_equal(w_plan, w_eager)) << plan->report();
  }
  if (fusion::fusion_enabled_by_environment()) {
    EXPECT_NE(plan->report().find("two different views"), std::string::npos) << plan->report();
  }
}

}  // namespace
}  // namespace mt

namespace mt {
namespace {

// A reduction of a transposed parameter folds in the order of its layout: its epilogue stays
// apart (a reduction kernel folds row-major), and the bits equal eager's.
TEST(Fusion, ReductionOfAViewKeepsItsOrder) {
  test::Rng rng = test::test_rng();
  const Tensor w = uniform(rng, {300, 257});
  const auto program = [&](const std::vector<Tensor>&) {
    return std::vector{sum(w.transpose(0, 1), {1}) * 0.5};
  };
  const std::vector<Tensor> eager = program({});
  fusion::begin_capture();
  std::vector<Tensor> out = program({});
  const auto plan = fusion::compile(fusion::end_capture(out));
  out.clear();
  EXPECT_TRUE(test::bitwise_equal(plan->run({})[0], eager[0])) << plan->report();
  if (fusion::fusion_enabled_by_environment()) {
    EXPECT_EQ(plan->stats().kernels, 2) << plan->report();
  }
}

}  // namespace
}  // namespace mt
