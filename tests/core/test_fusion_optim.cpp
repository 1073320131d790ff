// Optimizer steps in plans (core/nn/optim with core/fusion): captured from the very first step,
// with no eager step before, every run of the plan advances the parameters and the optimizer's
// state exactly as an eager step does; the scaled update is computed inside the parameter's
// update, not stored.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "mt.hpp"
#include "test_support.hpp"

namespace mt {
namespace {

using MakeOptimizer = std::function<std::unique_ptr<nn::Optimizer>(std::vector<Tensor>)>;

struct OptimizerCase {
  std::string name;
  MakeOptimizer make;
};

void PrintTo(const OptimizerCase& optimizer_case, std::ostream* os) { *os << optimizer_case.name; }

template <class Optimizer, class... Args> MakeOptimizer make(Args... args) {
  return [=](std::vector<Tensor> params) {
    return std::make_unique<Optimizer>(std::move(params), args...);
  };
}

// An MLP, and optionally a parameter that the loss never reads: it never has a gradient, so
// each step skips it (and Adam counts the steps of the others only). The first bias has as many
// elements as there are parameters: its update runs over the space of Adam's step counts.
struct Model {
  Model(DType dtype, uint64_t seed, bool skipped_parameter)
      : generator(seed), mlp({3, skipped_parameter ? 5 : 4, 1}, dtype, generator) {
    if (!skipped_parameter) return;
    unused = full({4}, 0.5, dtype);
    unused.set_requires_grad();
  }
  std::vector<Tensor> parameters() const {
    std::vector<Tensor> params = mlp.parameters();
    if (unused.defined()) params.push_back(unused);
    return params;
  }
  Generator generator;
  nn::Mlp mlp;
  Tensor unused;
};

// One training step of `model` on (x, y), ending with `update` (an optimizer's step).
Tensor train_step(const Model& model, const std::function<void()>& update, const Tensor& x,
                  const Tensor& y) {
  for (const Tensor& p : model.parameters())
    p.zero_grad();
  Tensor loss = nn::mse_loss(model.mlp(x), y);
  loss.backward();
  update();
  return loss;
}

// The plan of train_step captured over placeholders of x (6, 3) and y (6, 1).
fusion::Plan captured_step(const Model& model, const std::function<void()>& update, DType dtype) {
  fusion::begin_capture();
  Tensor x = fusion::capture_input({6, 3}, dtype), y = fusion::capture_input({6, 1}, dtype);
  Tensor loss = train_step(model, update, x, y);
  const auto graph = fusion::end_capture(std::vector{loss});
  loss = x = y = Tensor();
  return fusion::Plan(graph, fusion::fusion_enabled_by_environment());
}

void expect_bitwise_equal(const std::vector<Tensor>& got, const std::vector<Tensor>& expected,
                          const char* what) {
  ASSERT_EQ(got.size(), expected.size()) << what;
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_TRUE(test::bitwise_equal(got[i], expected[i])) << what << " " << i;
}

class FusionOptim : public ::testing::TestWithParam<std::tuple<OptimizerCase, DType>> {};

void expect_captured_steps_match_eager(const MakeOptimizer& make, DType dtype,
                                       bool skipped_parameter) {
  const Model eager(dtype, 5, skipped_parameter), planned(dtype, 5, skipped_parameter);
  const auto eager_optimizer = make(eager.parameters());
  const auto plan_optimizer = make(planned.parameters());
  test::Rng rng = test::test_rng();
  std::vector<std::vector<Tensor>> batches;  // (x, y), a different one on each step of four
  for (int b = 0; b < 4; ++b)
    batches.push_back({test::random_strided(rng, {6, 3}, dtype, -1, 1),
                       test::random_strided(rng, {6, 1}, dtype, -1, 1)});
  const fusion::Plan plan = captured_step(
      planned, [&] { plan_optimizer->step(); }, dtype);

  for (int step = 0; step < 100; ++step) {
    const std::vector<Tensor>& batch = batches[step % batches.size()];
    const Tensor expected = train_step(
        eager, [&] { eager_optimizer->step(); }, batch[0], batch[1]);
    const Tensor got = plan.run(batch)[0];
    ASSERT_TRUE(test::bitwise_equal(got, expected)) << "step " << step << "\n" << plan.report();
  }
  expect_bitwise_equal(planned.parameters(), eager.parameters(), "parameter");
  expect_bitwise_equal(plan_optimizer->state(), eager_optimizer->state(), "state tensor");
  if (skipped_parameter) {
    EXPECT_TRUE(test::bitwise_equal(planned.unused, full({4}, 0.5, dtype)));
  }
}

TEST_P(FusionOptim, CapturedFromFirstStepMatchesEagerFor100Steps) {
  const auto& [optimizer_case, dtype] = GetParam();
  for (bool skipped_parameter : {false, true}) {
    SCOPED_TRACE(skipped_parameter ? "a parameter without gradient" : "every parameter stepped");
    expect_captured_steps_match_eager(optimizer_case.make, dtype, skipped_parameter);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Optimizers, FusionOptim,
    ::testing::Combine(::testing::Values(OptimizerCase{"SgdMomentum", make<nn::SGD>(0.1, 0.9)},
                                         OptimizerCase{"SgdNesterovWeightDecay",
                                                       make<nn::SGD>(0.05, 0.8, 0.01, true)},
                                         OptimizerCase{"SgdWeightDecay",
                                                       make<nn::SGD>(0.1, 0.0, 0.1)},
                                         OptimizerCase{"Adam", make<nn::Adam>(0.01)},
                                         OptimizerCase{"AdamWeightDecay",
                                                       make<nn::Adam>(0.02, 0.8, 0.99, 1e-6, 0.1)}),
                       ::testing::Values(DType::Float32, DType::Float64)),
    [](const auto& test_info) {
      return std::get<0>(test_info.param).name + "_" + dtype_name(std::get<1>(test_info.param));
    });

// A captured MLP training step with nn::SGD moves the bytes that the same step with
// p -= lr * grad written by hand does: the scaled gradient is computed inside each parameter's
// update, never stored.
TEST(FusionOptimStats, SgdStepStoresNoScaledGradient) {
  const Model model(DType::Float64, 5, true);
  nn::SGD sgd(model.parameters(), 0.1);
  const fusion::Plan step = captured_step(
      model, [&] { sgd.step(); }, DType::Float64);
  const fusion::Plan by_hand = captured_step(
      model,
      [&] {
        NoGradGuard no_grad;
        for (const Tensor& p : model.parameters())
          if (p.grad().defined()) zip_out(BinaryOp::Sub, p, p.grad() * 0.1, p);
      },
      DType::Float64);
  EXPECT_EQ(step.stats().kernels, by_hand.stats().kernels) << step.report();
  EXPECT_EQ(step.stats().bytes_moved, by_hand.stats().bytes_moved) << step.report();
}

}  // namespace
}  // namespace mt
