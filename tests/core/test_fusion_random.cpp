// Random calls in plans (core/fusion): each run of a plan draws fresh counters from the
// generators the captured calls used, so runs give bitwise what eager runs of those calls give
// from the same generator state; a capture itself draws nothing.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "mt.hpp"
#include "test_support.hpp"

namespace mt {
namespace {

const Dims kShape{4, 5};

// A step that draws from two generators in turn (one draw unused, as a plan may drop it) and
// mixes the draws with its input.
std::vector<Tensor> step(const Tensor& x, Generator& g1, Generator& g2) {
  const DType dtype = x.dtype();
  const Tensor scale = rand(kShape, dtype, -1, 1, g1);
  const Tensor shift = randn({kShape[1]}, dtype, 0.5, 2, g2);
  rand({3}, dtype, 0, 1, g2);  // unused
  const Tensor noise = randn(kShape, dtype, 0, 1, g1);
  return {x * scale + shift, noise * 2.0, shift};
}

std::shared_ptr<const fusion::Graph> capture_step(const Tensor& x, Generator& g1, Generator& g2) {
  fusion::begin_capture();
  const Tensor input = fusion::capture_input(x.shape(), x.dtype());
  return fusion::end_capture(step(input, g1, g2));
}

// The counter that `generator` gives next.
uint64_t next_counter(Generator& generator) { return generator.take(0); }

void expect_bitwise(const std::vector<Tensor>& got, const std::vector<Tensor>& expected,
                    const char* what) {
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_TRUE(test::bitwise_equal(got[i], expected[i])) << what << ", output " << i;
}

using Case = std::tuple<const char*, DType, bool>;  // backend, dtype, fuse
class FusionRandomDraws : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override { set_default_backend(std::get<0>(GetParam())); }
  void TearDown() override { set_default_backend("cpu_par"); }
  DType dtype() const { return std::get<1>(GetParam()); }
  bool fuse() const { return std::get<2>(GetParam()); }
};

TEST_P(FusionRandomDraws, RunsDrawLikeEagerSteps) {
  test::Rng rng = test::test_rng();
  const Tensor x = test::random_strided(rng, kShape, dtype(), -2, 2);
  Generator eager1(11), eager2(12), plan1(11), plan2(12);
  const fusion::Plan plan(capture_step(x, plan1, plan2), fuse());
  for (int run = 0; run < 2; ++run) {
    const std::vector<Tensor> expected = step(x, eager1, eager2);
    expect_bitwise(plan.run(std::vector{x}), expected, run == 0 ? "run 0" : "run 1");
  }
  EXPECT_EQ(next_counter(plan1), next_counter(eager1));
  EXPECT_EQ(next_counter(plan2), next_counter(eager2));
}

TEST_P(FusionRandomDraws, CaptureTakesNoCounters) {
  Generator g1(3), g2(4);
  const auto graph = capture_step(zeros(kShape, dtype()), g1, g2);
  EXPECT_EQ(next_counter(g1), 0u);
  EXPECT_EQ(next_counter(g2), 0u);
  fusion::begin_capture();
  rand(kShape, dtype(), 0, 1, g1);
  fusion::abandon_capture();
  EXPECT_EQ(next_counter(g1), 0u);
}

TEST_P(FusionRandomDraws, PlanKeepsAReleasedGenerator) {
  const Tensor x = ones(kShape, dtype());
  auto g1 = std::make_unique<Generator>(21), g2 = std::make_unique<Generator>(22);
  const fusion::Plan plan(capture_step(x, *g1, *g2), fuse());
  g1.reset();
  g2.reset();
  // Likely in the released generators' memory: a plan that kept only their address draws these.
  Generator reused1(99), reused2(98);
  Generator eager1(21), eager2(22);
  for (int run = 0; run < 2; ++run)
    expect_bitwise(plan.run(std::vector{x}), step(x, eager1, eager2), "released generators");
}

TEST_P(FusionRandomDraws, ManualSeedBetweenRunsReproduces) {
  const Tensor x = ones(kShape, dtype());
  Generator g1(5), g2(6);
  const fusion::Plan plan(capture_step(x, g1, g2), fuse());
  const std::vector<Tensor> first = plan.run(std::vector{x});
  EXPECT_FALSE(test::bitwise_equal(plan.run(std::vector{x})[0], first[0]))
      << "a second run draws new numbers";
  g1.manual_seed(5);
  g2.manual_seed(6);
  expect_bitwise(plan.run(std::vector{x}), first, "after manual_seed");
}

TEST_P(FusionRandomDraws, CachedPlanUsesItsOwnGenerators) {
  const Tensor x = ones(kShape, dtype());
  fusion::clear_plan_cache();
  Generator a1(31), a2(32), b1(41), b2(42);
  const auto plan_a = fusion::compile(capture_step(x, a1, a2));
  const auto plan_b = fusion::compile(capture_step(x, b1, b2));
  EXPECT_EQ(fusion::plan_cache_stats().hits, 1) << fusion::plan_cache_stats().last_miss;
  Generator eager1(41), eager2(42);
  expect_bitwise(plan_b->run(std::vector{x}), step(x, eager1, eager2), "the cached plan");
  EXPECT_EQ(next_counter(a1), 0u);
  EXPECT_EQ(next_counter(b1), next_counter(eager1));
  fusion::clear_plan_cache();
}

// Two draws from `generator`, the first large enough that runs on two threads overlap.
std::vector<Tensor> draw_two(Generator& generator) {
  return {rand({256, 256}, DType::Float32, 0, 1, generator),
          randn({kShape[1]}, DType::Float32, 0, 1, generator)};
}

// Two plans drawing from one generator on two threads: each run takes the counters of both its
// draws at once (the take is atomic), so together the runs draw each of the eager sequence's
// blocks once, in some order, and no run mixes two blocks.
TEST(FusionRandomThreads, PlansSharingAGeneratorTakeDisjointBlocks) {
  constexpr int kRuns = 20;
  Generator shared(8);
  const auto capture_draws = [&] {
    fusion::begin_capture();
    return fusion::end_capture(draw_two(shared));
  };
  const bool fuse = fusion::fusion_enabled_by_environment();
  const fusion::Plan plans[2] = {fusion::Plan(capture_draws(), fuse),
                                 fusion::Plan(capture_draws(), fuse)};
  std::vector<std::vector<Tensor>> drawn[2];
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t)
    threads.emplace_back([&, t] {
      for (int run = 0; run < kRuns; ++run)
        drawn[t].push_back(plans[t].run(std::vector<Tensor>{}));
    });
  for (std::thread& thread : threads)
    thread.join();
  Generator eager(8);
  std::map<double, size_t> block_of;  // by the first number a block draws
  std::vector<std::vector<Tensor>> blocks;
  for (int i = 0; i < 2 * kRuns; ++i) {
    blocks.push_back(draw_two(eager));
    block_of[blocks.back()[0].get({0, 0})] = blocks.size() - 1;
  }
  ASSERT_EQ(block_of.size(), blocks.size());
  EXPECT_EQ(next_counter(shared), next_counter(eager));
  std::vector<int> times_drawn(blocks.size(), 0);
  for (const auto& runs : drawn)
    for (const std::vector<Tensor>& got : runs) {
      const auto it = block_of.find(got[0].get({0, 0}));
      ASSERT_TRUE(it != block_of.end()) << "a run drew no block of the eager sequence";
      const std::vector<Tensor>& block = blocks[it->second];
      EXPECT_TRUE(test::bitwise_equal(got[0], block[0]) && test::bitwise_equal(got[1], block[1]))
          << "a run mixed block " << it->second << " with another";
      ++times_drawn[it->second];
    }
  for (size_t i = 0; i < blocks.size(); ++i)
    EXPECT_EQ(times_drawn[i], 1) << "block " << i;
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  const auto& [backend, dtype, fuse] = info.param;
  return cat(backend, "_", dtype, fuse ? "_fused" : "_unfused");
}

INSTANTIATE_TEST_SUITE_P(Cases, FusionRandomDraws,
                         ::testing::Combine(::testing::Values("cpu_seq", "cpu_par"),
                                            ::testing::Values(DType::Float32, DType::Float64),
                                            ::testing::Bool()),
                         case_name);

}  // namespace
}  // namespace mt
