// Traced functions (fusion/traced_function.hpp): a program kept as a function runs at new sizes
// by tracing it again, so values it derives from sizes on the host follow the inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>
#include <vector>

#include "base/capture_state.hpp"
#include "mt.hpp"
#include "test_support.hpp"

namespace mt {
namespace {

// Parameters w (4) and b (1), used by reference; every size-derived host value a recording
// would freeze: mean's 1/n, a reshape's dims, a slice's stop.
struct Program {
  Tensor w = from_vector(std::vector{0.5f, -1.25f, 2.0f, 0.75f}, {4});
  Tensor b = from_vector(std::vector{0.125f}, {1});

  std::vector<Tensor> operator()(std::span<const Tensor> in) const {
    const Tensor& x = in[0];
    const int64_t n = x.shape()[0] * x.shape()[1];
    return {mean(relu(x * w + b), {1}), x.reshape({n}).slice(0, n / 3, n) * 2.0};
  }
};

void expect_eager_bits(const Program& program, const std::vector<Tensor>& outputs,
                       const Tensor& x) {
  const std::vector<Tensor> eager = program(std::vector{x});
  ASSERT_EQ(outputs.size(), eager.size());
  for (size_t i = 0; i < eager.size(); ++i)
    EXPECT_TRUE(test::bitwise_equal(outputs[i], eager[i])) << "output " << i << " at " << x.shape();
}

TEST(FusionTraced, RunsEverySizeAsEagerDoesAndTracesEachSignatureOnce) {
  test::Rng rng = test::test_rng();
  const Program program;
  fusion::TracedFunction traced(program);
  fusion::clear_plan_cache();
  const std::vector<int64_t> rows = {3, 5, 8, 5, 3, 1, 0, 8};
  int64_t plans = 0;
  std::vector<int64_t> seen;
  for (const int64_t n : rows) {
    const Tensor x = test::random_strided(rng, {n, 4}, DType::Float32, -2, 2);
    const fusion::PlanCacheStats before = fusion::plan_cache_stats();
    expect_eager_bits(program, traced.run(std::vector{x}), x);
    const bool is_new = std::find(seen.begin(), seen.end(), n) == seen.end();
    if (is_new) {
      seen.push_back(n);
      ++plans;
    }
    EXPECT_EQ(traced.plan_count(), plans) << "after rows " << n;
    // Sizes 5 and 8 have the layout class of 3 (no dim of size 0 or 1): their compile is a hit.
    const fusion::PlanCacheStats after = fusion::plan_cache_stats();
    if (is_new && (n == 5 || n == 8)) {
      EXPECT_EQ(after.hits, before.hits + 1) << "rows " << n;
      EXPECT_EQ(after.misses, before.misses) << "rows " << n;
    }
    if (!is_new) {
      EXPECT_EQ(after.hits + after.misses, before.hits + before.misses) << "rows " << n;
    }
  }
  // A new dtype is a new signature.
  const Tensor x64 = test::random_strided(rng, {3, 4}, DType::Float64, -2, 2);
  expect_eager_bits(program, traced.run(std::vector{x64}), x64);
  EXPECT_EQ(traced.plan_count(), plans + 1);
  EXPECT_FALSE(capture_active());
}

TEST(FusionTraced, TheBodysErrorsPropagateAndLeaveNoCapture) {
  fusion::TracedFunction traced([](std::span<const Tensor> in) {
    return std::vector{in[0] + ones({7})};  // fails for inputs whose last dim is not 1 or 7
  });
  EXPECT_TRUE(test::throws_error(
      [&] {
        traced.run(std::vector{ones({2, 3})});
      },
      {ErrorCode::ShapeMismatch}, {"(2, 3)", "(7,)"}));
  EXPECT_FALSE(capture_active());
  EXPECT_EQ(traced.plan_count(), 0);
  const Tensor x = ones({2, 7});
  EXPECT_TRUE(test::bitwise_equal(traced.run(std::vector{x})[0], x + ones({7})));
  EXPECT_EQ(traced.plan_count(), 1);
}

TEST(FusionTraced, RunningInsideACaptureIsMisuseAndKeepsThatCapture) {
  fusion::TracedFunction traced(
      [](std::span<const Tensor> in) { return std::vector{in[0] * 2.0}; });
  fusion::begin_capture();
  EXPECT_TRUE(test::throws_error([&] { traced.run(std::vector{ones({2})}); },
                                 {ErrorCode::CaptureMisuse}, {"already active"}));
  EXPECT_TRUE(capture_active()) << "the caller's capture is not the traced function's to end";
  fusion::abandon_capture();
}

TEST(FusionTraced, KeepsAtMostMaxPlansTheMostRecentlyUsed) {
  int traces = 0;
  fusion::TracedFunction traced([&](std::span<const Tensor> in) {
    ++traces;
    return std::vector{exp(in[0])};
  });
  const auto run = [&](int64_t n) { traced.run(std::vector{ones({n + 2})}); };
  for (int64_t n = 0; n <= int64_t(fusion::TracedFunction::kMaxPlans); ++n)
    run(n);
  EXPECT_EQ(traced.plan_count(), int64_t(fusion::TracedFunction::kMaxPlans));
  EXPECT_EQ(traces, int(fusion::TracedFunction::kMaxPlans) + 1);
  run(int64_t(fusion::TracedFunction::kMaxPlans));  // the most recent: kept
  EXPECT_EQ(traces, int(fusion::TracedFunction::kMaxPlans) + 1);
  run(0);  // the oldest: dropped, traced again
  EXPECT_EQ(traces, int(fusion::TracedFunction::kMaxPlans) + 2);
}

TEST(FusionTraced, ThreadsTraceAndRunOneFunctionAtTheirOwnSizes) {
  const Program program;
  fusion::TracedFunction traced(program);
  std::vector<std::thread> threads;
  std::vector<std::vector<Tensor>> got(4);
  std::vector<Tensor> inputs;
  for (int i = 0; i < 4; ++i)
    inputs.push_back(rand({int64_t(2 + i % 2), 4}));
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      for (int round = 0; round < 5; ++round)
        got[i] = traced.run(std::vector{inputs[i]});
    });
  for (std::thread& t : threads)
    t.join();
  for (int i = 0; i < 4; ++i)
    expect_eager_bits(program, got[i], inputs[i]);
  EXPECT_EQ(traced.plan_count(), 2);
}

}  // namespace
}  // namespace mt
