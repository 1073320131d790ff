// Plans run independent kernels as one batch (fusion/schedule.hpp), and refuse inputs that
// alias memory the plan writes.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "mt.hpp"
#include "test_support.hpp"

namespace mt {
namespace {

// Parameters of several shapes with gradients from an eager backward: a captured optimizer
// step then updates them from memory outside the plan.
std::vector<Tensor> parameters_with_gradients(uint64_t seed) {
  test::Rng rng = test::test_rng(seed);
  std::vector<Tensor> params;
  for (const Dims& shape : {Dims{3, 5}, Dims{5}, Dims{7, 2}, Dims{1}, Dims{33, 17}}) {
    Tensor p = test::random_strided(rng, shape, DType::Float64, -1, 1).contiguous();
    p.set_requires_grad(true);
    sum(p * p * p).backward();
    params.push_back(p);
  }
  return params;
}

TEST(FusionSchedule, OptimizerStepOverAllParametersIsOneBatch) {
  for (const char* backend : {"cpu_seq", "cpu_par"}) {
    set_default_backend(backend);
    for (int threads : {1, 2, 3}) {
      set_num_threads(threads);
      const std::vector<Tensor> eager_params = parameters_with_gradients(1),
                                plan_params = parameters_with_gradients(1);
      nn::SGD eager(eager_params, 0.1, 0, 0.01), planned(plan_params, 0.1, 0, 0.01);
      fusion::begin_capture();
      planned.step();
      const fusion::Plan plan(fusion::end_capture({}), fusion::fusion_enabled_by_environment());
      if (fusion::fusion_enabled_by_environment()) {
        ASSERT_EQ(plan.stats().kernels, int64_t(plan_params.size())) << plan.report();
        ASSERT_EQ(plan.batches().size(), 1u) << plan.report();
        EXPECT_NE(plan.report().find("kernels 0 to 4 run together"), std::string::npos)
            << plan.report();
      }
      for (int step = 0; step < 3; ++step) {
        eager.step();
        plan.run({});
      }
      for (size_t i = 0; i < eager_params.size(); ++i)
        ASSERT_TRUE(test::bitwise_equal(plan_params[i], eager_params[i]))
            << backend << " threads " << threads << " parameter " << i;
    }
  }
  set_num_threads(0);
  set_default_backend("cpu_par");
}

TEST(FusionSchedule, DependentKernelsNeverShareABatch) {
  // The row sums of 2x (one fused kernel) are read by exp(x - s) * 3 (another): the second
  // must wait for the first.
  const Tensor x = full({64, 9}, 0.5, DType::Float32);
  fusion::begin_capture();
  const Tensor px = fusion::capture_input(x.shape(), x.dtype());
  const Tensor s = sum(px * 2.0, {1}, true);
  const Tensor y = exp(px - s) * 3.0;
  const fusion::Plan plan(fusion::end_capture(std::vector{y}), true);
  ASSERT_EQ(plan.stats().fused_kernels, 2) << plan.report();
  EXPECT_EQ(plan.batches().size(), 2u) << plan.report();
}

// x += 1, in place on the input.
fusion::Plan add_one_in_place() {
  fusion::begin_capture();
  const Tensor x = fusion::capture_input({4, 3}, DType::Float64);
  const Tensor y = fusion::capture_input({4, 3}, DType::Float64);
  zip_out(BinaryOp::Add, x, y, x);
  return fusion::Plan(fusion::end_capture({}), fusion::fusion_enabled_by_environment());
}

TEST(FusionSchedule, WrittenInputMustNotAliasAnotherInput) {
  const fusion::Plan plan = add_one_in_place();
  const Tensor x = full({4, 3}, 2.0, DType::Float64);
  try {
    plan.run(std::vector{x, x});
    FAIL() << "aliased inputs were accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
    EXPECT_NE(std::string(e.what()).find("input 0 is written by the plan and shares memory with "
                                         "input 1"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(x.get({0, 0}), 2.0);  // nothing ran
  // A read-only input may be given twice.
  const Tensor y = full({4, 3}, 1.5, DType::Float64);
  plan.run(std::vector{x, y});
  EXPECT_EQ(x.get({3, 2}), 3.5);
}

TEST(FusionSchedule, NonContiguousWrittenInputGetsItsValues) {
  const fusion::Plan plan = add_one_in_place();
  test::Rng rng = test::test_rng(7);
  const Tensor x = test::random_strided(rng, {3, 4}, DType::Float64, -1, 1).transpose(0, 1);
  const Tensor y = test::random_strided(rng, {4, 3}, DType::Float64, -1, 1);
  ASSERT_FALSE(x.is_contiguous());
  const Tensor expected = x + y;
  plan.run(std::vector{x, y});
  EXPECT_TRUE(test::bitwise_equal(x, expected)) << x << "\n" << expected;
}

TEST(FusionSchedule, WrittenInputMustNotAliasAParameter) {
  const Tensor p = full({4, 3}, 1.0, DType::Float64);
  fusion::begin_capture();
  const Tensor x = fusion::capture_input({4, 3}, DType::Float64);
  zip_out(BinaryOp::Mul, x, p, x);
  const fusion::Plan plan(fusion::end_capture({}), true);
  try {
    plan.run(std::vector{p});
    FAIL() << "an input aliasing a captured parameter was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
    EXPECT_NE(std::string(e.what()).find("used by reference"), std::string::npos) << e.what();
  }
}

TEST(FusionSchedule, RunsOfOnePlanFromSeveralThreadsTakeTurns) {
  // A plan keeps per-run state (its kernels' data pointers, its scratch): without turns, two
  // threads would run each other's inputs (and TSan would report the race).
  fusion::begin_capture();
  const Tensor px = fusion::capture_input({257, 3}, DType::Float32);
  const Tensor y = sigmoid(px * 2.0 + 1.0);
  const fusion::Plan plan(fusion::end_capture(std::vector{sum(y * y, {0})}), true);
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      test::Rng rng = test::test_rng(100 + t);
      for (int run = 0; run < 50; ++run) {
        const Tensor x = test::random_strided(rng, {257, 3}, DType::Float32, -2, 2);
        const Tensor e = sigmoid(x * 2.0 + 1.0);
        wrong[t] += !test::bitwise_equal(plan.run(std::vector{x})[0], sum(e * e, {0}));
      }
    });
  for (std::thread& t : threads)
    t.join();
  EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace mt
