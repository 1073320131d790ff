// Capture and plans (core/fusion): a captured program, planned and run, gives bitwise what the
// same calls give eagerly; fusion counts and reasons; capture misuse is refused clearly.
#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include "mt.hpp"
#include "test_support.hpp"

namespace mt {
namespace {

using Program = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;

// Captures `program` over placeholders shaped like `inputs`, plans it (with fusion or not).
std::shared_ptr<fusion::Plan> capture(const Program& program, const std::vector<Tensor>& inputs,
                                      bool fuse = true) {
  fusion::begin_capture();
  std::vector<Tensor> placeholders;
  for (const Tensor& t : inputs)
    placeholders.push_back(fusion::capture_input(t.shape(), t.dtype()));
  std::vector<Tensor> outputs = program(placeholders);
  const auto graph = fusion::end_capture(outputs);
  outputs.clear();
  placeholders.clear();
  return std::make_shared<fusion::Plan>(graph, fuse);
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

TEST(Fusion, IssueExpressionsAreOneKernelEach) {
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

TEST(Fusion, BroadcastProducerIsComputedInItsConsumer) {
  test::Rng rng = test::test_rng();
  const std::vector<Tensor> in{uniform(rng, {7, 1}), uniform(rng, {7, 5})};
  const auto plan =
      expect_same([](const std::vector<Tensor>& x) { return std::vector{relu(x[0]) * x[1]}; }, in);
  EXPECT_EQ(plan->stats().kernels, 1) << plan->report();
}

TEST(Fusion, CostlyValueWithTwoConsumersIsStoredOnce) {
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
