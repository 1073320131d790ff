// Plans on a CUDA device (core/fusion with the plugin): programs captured on cuda:0 run there and
// give bitwise what their calls give eagerly on cuda:0, whichever fused kernels the CUDA backend
// runs; the ones it refuses run op by op, each named in the report with the backend's reason.
// Captures and runs check devices. CI runs these against the emulated plugin.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "fusion_programs.hpp"
#include "mt.hpp"
#include "test_support.hpp"

namespace mt::test {
namespace {

const Device kCuda = Device::cuda(0);

using CudaFusion = CudaTest;

::testing::AssertionResult same_bits(const std::vector<Tensor>& got,
                                     const std::vector<Tensor>& expected) {
  if (got.size() != expected.size())
    return ::testing::AssertionFailure() << got.size() << " outputs, expected " << expected.size();
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i].device() != expected[i].device())
      return ::testing::AssertionFailure() << "output " << i << " on " << got[i].device();
    const ::testing::AssertionResult same =
        bitwise_equal(got[i].to(Device::cpu()), expected[i].to(Device::cpu()));
    if (!same) return ::testing::AssertionFailure() << "output " << i << ": " << same.message();
  }
  return ::testing::AssertionSuccess();
}

// Every kernel that the plan on the CPU fuses is, on the device, fused or run op by op with a
// line in the report that gives the backend's reason.
void expect_each_kernel_fused_or_explained(const fusion::Plan& on_device,
                                           const fusion::Plan& on_cpu) {
  const std::string report = on_device.report();
  EXPECT_EQ(on_device.stats().fused_kernels + int64_t(on_device.fallbacks().size()),
            on_cpu.stats().fused_kernels)
      << report << on_cpu.report();
  for (const fusion::Fallback& f : on_device.fallbacks()) {
    EXPECT_FALSE(f.why.empty());
    EXPECT_NE(
        report.find(" runs op by op on cuda:0 (kernels " + std::to_string(f.first_step) + " to " +
                    std::to_string(f.first_step + f.step_count - 1) + "): " + f.why + "\n"),
        std::string::npos)
        << report;
  }
}

// Runs `program` eagerly on the device and as a plan captured there (twice: the plan's kept
// buffers must not change its results); expects the same bits.
void expect_plan_equals_eager(const Program& program, const std::vector<Tensor>& host_inputs) {
  std::vector<Tensor> inputs;
  for (const Tensor& t : host_inputs)
    inputs.push_back(t.to(kCuda));
  const std::vector<Tensor> eager = program(inputs);
  const fusion::Plan plan(capture_graph(program, inputs), fusion::fusion_enabled_by_environment());
  EXPECT_TRUE(same_bits(plan.run(inputs), eager)) << plan.report();
  EXPECT_TRUE(same_bits(plan.run(inputs), eager)) << "second run\n" << plan.report();
  const fusion::Plan on_cpu(capture_graph(program, host_inputs),
                            fusion::fusion_enabled_by_environment());
  expect_each_kernel_fused_or_explained(plan, on_cpu);
}

TEST_F(CudaFusion, ElementwiseChainWithBroadcastingEqualsEager) {
  Rng rng = test_rng();
  for (DType dtype : {DType::Float32, DType::Float64}) {
    expect_plan_equals_eager(
        [](const std::vector<Tensor>& x) {
          const Tensor d = x[0] - x[1];
          return std::vector{sigmoid(x[0] * x[1] + x[2]) * 2.0 - exp(-(d * d)), relu(d)};
        },
        {random_strided(rng, {16, 33}, dtype, -2, 2), random_strided(rng, {33}, dtype, -2, 2),
         random_strided(rng, {16, 1}, dtype, -2, 2)});
  }
}

TEST_F(CudaFusion, ReductionsWithPrologueAndEpilogueEqualEager) {
  Rng rng = test_rng();
  expect_plan_equals_eager(
      [](const std::vector<Tensor>& x) {
        const Tensor d = x[0] - x[1];
        return std::vector{mean(square(d), {1}, true) * 3.0 + 1.0, sum(exp(x[0]) * x[1]),
                           max(tanh(x[0]), {0})};
      },
      {random_strided(rng, {24, 40}, DType::Float32, -2, 2),
       random_strided(rng, {40}, DType::Float32, -2, 2)});
}

// A captured MLP step (forward, MSE loss, backward, SGD with momentum) on the device, run for
// several steps, against the same steps run eagerly there: loss, parameters and velocities.
TEST_F(CudaFusion, TrainingStepWithSgdEqualsEagerStepByStep) {
  Rng rng = test_rng();
  for (DType dtype : {DType::Float32, DType::Float64}) {
    Generator eager_init(3), plan_init(3);
    nn::Mlp eager({3, 8, 1}, dtype, eager_init), planned({3, 8, 1}, dtype, plan_init);
    eager.to(kCuda);
    planned.to(kCuda);
    nn::SGD eager_sgd(eager.parameters(), 0.1, 0.9), plan_sgd(planned.parameters(), 0.1, 0.9);
    const auto step = [](nn::Mlp& model, nn::SGD& sgd, const Tensor& x, const Tensor& y) {
      sgd.zero_grad();
      Tensor loss = nn::mse_loss(model(x), y);
      loss.backward();
      sgd.step();
      return loss;
    };
    fusion::begin_capture();
    Tensor x = fusion::capture_input({6, 3}, dtype, kCuda);
    Tensor y = fusion::capture_input({6, 1}, dtype, kCuda);
    Tensor loss = step(planned, plan_sgd, x, y);
    const fusion::Plan plan(fusion::end_capture(std::vector{loss}),
                            fusion::fusion_enabled_by_environment());
    loss = x = y = Tensor();
    for (int s = 0; s < 5; ++s) {
      const Tensor bx = random_strided(rng, {6, 3}, dtype, -1, 1).to(kCuda);
      const Tensor by = random_strided(rng, {6, 1}, dtype, -1, 1).to(kCuda);
      const Tensor expected = step(eager, eager_sgd, bx, by);
      ASSERT_TRUE(same_bits(plan.run(std::vector{bx, by}), {expected})) << "step " << s << "\n"
                                                                        << plan.report();
    }
    EXPECT_TRUE(same_bits(planned.parameters(), eager.parameters()));
    EXPECT_TRUE(same_bits(plan_sgd.state(), eager_sgd.state()));
  }
}

// Random calls draw on the device what eager calls would: two runs are two eager steps.
TEST_F(CudaFusion, RandomCallsDrawAsEagerStepsDo) {
  const auto step = [](const Tensor& x, Generator& g) {
    const Tensor keep = lt(rand(x.shape(), x.dtype(), 0, 1, g, kCuda), scalar(0.75, x.dtype()));
    return std::vector{x * keep * (1 / 0.75) + randn({x.size(1)}, x.dtype(), 0, 2, g, kCuda)};
  };
  const Tensor x = ones({5, 7}, DType::Float32, kCuda);
  Generator eager(21), planned(21);
  fusion::begin_capture();
  const Tensor input = fusion::capture_input(x.shape(), x.dtype(), kCuda);
  const fusion::Plan plan(fusion::end_capture(step(input, planned)),
                          fusion::fusion_enabled_by_environment());
  for (int run = 0; run < 2; ++run)
    EXPECT_TRUE(same_bits(plan.run(std::vector{x}), step(x, eager))) << "run " << run;
}

// Random programs (maps, broadcasting zips, reductions, matmuls, views, casts, in-place updates)
// on the device: plans equal eager bitwise.
TEST_F(CudaFusion, RandomProgramsEqualEager) {
  Rng rng = test_rng();
  for_each_random_program(rng, 24, kCuda, [](const RandomTrial& trial) {
    ASSERT_TRUE(same_as_eager(trial, trial.plan->run(trial.inputs)));
  });
}

TEST_F(CudaFusion, CaptureOfTwoDevicesIsRefused) {
  const Tensor host = ones({3});
  fusion::begin_capture();
  const Tensor x = fusion::capture_input({3}, DType::Float32, kCuda);
  EXPECT_TRUE(throws_error([] { fusion::capture_input({3}, DType::Float32); },
                           {ErrorCode::DeviceMismatch}, {"is on cpu", "on cuda:0"}));
  // A tensor from outside the capture can be moved in only before it; one made in it on the
  // CPU is on another device.
  EXPECT_TRUE(throws_error([&] { x + host.to(kCuda); }, {ErrorCode::Unsupported},
                           {"move it before the capture"}));
  EXPECT_TRUE(throws_error([] { ones({3}); }, {ErrorCode::DeviceMismatch}, {"is on cpu"}));
  fusion::abandon_capture();
  fusion::begin_capture();
  fusion::capture_input({3}, DType::Float32);
  EXPECT_TRUE(throws_error([] { fusion::capture_input({3}, DType::Float32, kCuda); },
                           {ErrorCode::DeviceMismatch}, {"is on cuda:0", "on cpu"}));
  fusion::abandon_capture();
}

TEST_F(CudaFusion, InputsOnAnotherDeviceAreRefused) {
  const Program program = [](const std::vector<Tensor>& x) { return std::vector{x[0] * 2.0}; };
  const fusion::Plan on_cuda(capture_graph(program, {ones({4}, DType::Float32, kCuda)}), true);
  EXPECT_TRUE(throws_error([&] { on_cuda.run(std::vector{ones({4})}); },
                           {ErrorCode::DeviceMismatch}, {"must be on cuda:0", "on cpu"}));
  const fusion::Plan on_cpu(capture_graph(program, {ones({4})}), true);
  EXPECT_TRUE(throws_error([&] { on_cpu.run(std::vector{ones({4}, DType::Float32, kCuda)}); },
                           {ErrorCode::DeviceMismatch}, {"must be on cpu", "on cuda:0"}));
}

// The plan cache keeps decisions per device, and a traced function one plan per device.
TEST_F(CudaFusion, PlanCacheAndTracedFunctionsTellDevicesApart) {
  const Program program = [](const std::vector<Tensor>& x) { return std::vector{exp(x[0]) * 2.0}; };
  fusion::clear_plan_cache();
  fusion::compile(capture_graph(program, {ones({4})}));
  fusion::compile(capture_graph(program, {ones({4}, DType::Float32, kCuda)}));
  const fusion::PlanCacheStats stats = fusion::plan_cache_stats();
  EXPECT_EQ(stats.misses, 2);
  EXPECT_NE(stats.last_miss.find("device type"), std::string::npos) << stats.last_miss;

  fusion::TracedFunction traced([&](std::span<const Tensor> in) {
    return program(std::vector<Tensor>(in.begin(), in.end()));
  });
  const Tensor host = full({4}, 0.5);
  const Tensor device = host.to(kCuda);
  EXPECT_TRUE(same_bits(traced.run(std::vector{device}), program({device})));
  EXPECT_TRUE(same_bits(traced.run(std::vector{host}), program({host})));
  EXPECT_EQ(traced.plan_count(), 2);
}

}  // namespace
}  // namespace mt::test
