// Per-kernel fallback (core/fusion/fallback.hpp): a plan whose backend refuses some of its fused
// kernels runs those kernels' ops one at a time, keeps the others fused, and still gives eager's
// bits; the report names each refused kernel and the backend's reason. The backend here is the
// reference with a prepare_fused that refuses kernels by a rule.
#include <gtest/gtest.h>

#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "delegating_backend.hpp"
#include "fusion_programs.hpp"
#include "mt.hpp"
#include "test_support.hpp"

namespace mt {
namespace {

using Rule = std::function<bool(const FusedKernel&)>;

bool has_instruction(const FusedKernel& kernel, FusedOp kind) {
  for (int i = 0; i < kernel.instruction_count; ++i)
    if (kernel.instructions[i].kind == kind) return true;
  return false;
}

// The reference, refusing the fused kernels that `rule` picks.
class RefusingBackend final : public test::DelegatingBackend {
 public:
  std::string name() const override { return "refusing"; }
  std::string prepare_fused(const FusedKernel& kernel) override {
    if (!rule || !rule(kernel)) return "";
    return "the test refuses kernels of " + std::to_string(kernel.instruction_count) +
           " instructions";
  }
  bool fused(const FusedKernel& kernel) override {
    return runs_fused && DelegatingBackend::fused(kernel);
  }
  static inline Rule rule;
  static inline bool runs_fused = true;  // false: breaks the promise of prepare_fused
};

struct NamedRule {
  const char* name;
  Rule rule;
};

const std::vector<NamedRule>& rules() {
  static const std::vector<NamedRule> all{
      {"every kernel", [](const FusedKernel&) { return true; }},
      {"reductions", [](const FusedKernel& k) { return has_instruction(k, FusedOp::Reduce); }},
      {"element-wise kernels",
       [](const FusedKernel& k) {
         return !has_instruction(k, FusedOp::Reduce) && !has_instruction(k, FusedOp::Product);
       }},
      {"odd instruction counts", [](const FusedKernel& k) { return k.instruction_count % 2 == 1; }},
  };
  return all;
}

class FusionFallback : public ::testing::Test {
 protected:
  void SetUp() override {
    static const bool registered = [] {
      register_backend(std::make_unique<RefusingBackend>());
      return true;
    }();
    (void)registered;
    set_default_backend("refusing");
  }
  void TearDown() override {
    RefusingBackend::rule = nullptr;
    RefusingBackend::runs_fused = true;
    set_default_backend("cpu_par");
  }
};

#define SKIP_WITHOUT_FUSION() \
  if (!fusion::fusion_enabled_by_environment()) GTEST_SKIP() << "MINITENSOR_FUSION=0"

using test::Program;

std::shared_ptr<fusion::Plan> capture(const Program& program, const std::vector<Tensor>& inputs) {
  return std::make_shared<fusion::Plan>(test::capture_graph(program, inputs), true);
}

// Each rule leaves some plans partly fused (kernels refused and kept in one plan), and every
// plan gives eager's bits (eager runs on the same reference).
TEST_F(FusionFallback, RandomProgramsEqualEagerUnderEachRule) {
  for (const NamedRule& named : rules()) {
    SCOPED_TRACE(named.name);
    RefusingBackend::rule = named.rule;
    test::Rng rng = test::test_rng();
    int refused = 0, partly = 0;
    test::for_each_random_program(rng, 300, Device::cpu(), [&](const test::RandomTrial& trial) {
      ASSERT_TRUE(test::same_as_eager(trial, trial.plan->run(trial.inputs)));
      ASSERT_TRUE(test::same_as_eager(trial, trial.plan->run(trial.inputs))) << "second run";
      refused += !trial.plan->fallbacks().empty();
      partly += !trial.plan->fallbacks().empty() && trial.plan->stats().fused_kernels > 0;
    });
    if (!fusion::fusion_enabled_by_environment()) continue;
    EXPECT_GT(refused, 30);
    if (std::string(named.name) != "every kernel") {
      EXPECT_GT(partly, 3);
    }
  }
}

// p = x + y is cheap, so the planner computes it inside both of its consumers (a kernel of
// exp(p) * 2 and the reduction of p * x). A refused consumer needs it stored; when both are
// refused it runs once.
TEST_F(FusionFallback, ValueInlinedIntoTwoKernelsIsStoredForTheRefusedOnes) {
  SKIP_WITHOUT_FUSION();
  test::Rng rng = test::test_rng();
  const std::vector<Tensor> in{test::random_strided(rng, {7, 5}, DType::Float32, -1, 1),
                               test::random_strided(rng, {5}, DType::Float32, -1, 1)};
  const Program program = [](const std::vector<Tensor>& x) {
    const Tensor p = x[0] + x[1];
    return std::vector{exp(p) * 2.0, sum(p * x[0], {0})};
  };
  const std::vector<Tensor> eager = program(in);
  const auto unrefused = capture(program, in);
  ASSERT_EQ(unrefused->stats().kernels, 2) << unrefused->report();
  const int64_t ops = unrefused->stats().ops;
  // {rule, kernels run}: all refused: each op once; the reduction refused: the element-wise
  // kernel, then p, p * x and the sum; the element-wise kernel refused: p, exp, * 2, then the
  // reduction kernel (still computing p inside).
  const std::vector<std::pair<Rule, int64_t>> cases{
      {rules()[0].rule, ops}, {rules()[1].rule, 4}, {rules()[2].rule, 4}};
  for (const auto& [rule, kernels] : cases) {
    RefusingBackend::rule = rule;
    const auto plan = capture(program, in);
    EXPECT_EQ(plan->stats().kernels, kernels) << plan->report();
    const std::vector<Tensor> planned = plan->run(in);
    for (size_t i = 0; i < eager.size(); ++i)
      EXPECT_TRUE(test::bitwise_equal(planned[i], eager[i])) << i << "\n" << plan->report();
  }
}

// One line per refused kernel: its ops, its space, where it runs op by op and which steps run
// it, and the backend's reason verbatim.
TEST_F(FusionFallback, ReportNamesEachRefusedKernelAndTheReason) {
  SKIP_WITHOUT_FUSION();
  RefusingBackend::rule = rules()[1].rule;
  const auto plan = capture(
      [](const std::vector<Tensor>& x) {
        return std::vector{sum(exp(x[0]), {1}) + 1.0, sum(x[0] * x[0])};
      },
      {zeros({4, 3})});
  ASSERT_EQ(plan->fallbacks().size(), 2u) << plan->report();
  const std::string report = plan->report();
  EXPECT_NE(report.find("fused [map exp, reduce sum, zip add] over (4, 3) runs op by op on cpu "
                        "(kernels 0 to 2): the test refuses kernels of 6 instructions\n"),
            std::string::npos)
      << report;
  std::istringstream lines(report);
  int fallback_lines = 0;
  for (std::string line; std::getline(lines, line);)
    fallback_lines += line.find(" runs op by op on cpu ") != std::string::npos;
  EXPECT_EQ(fallback_lines, 2) << report;
}

// A plan prepared by one backend that then runs on another (the CPU's default changed) asks the
// new one; one that refuses a kernel fails the run with its reason.
TEST_F(FusionFallback, ABackendThatRefusesAfterPlanningFailsTheRun) {
  SKIP_WITHOUT_FUSION();
  set_default_backend("cpu_seq");
  const auto plan = capture(
      [](const std::vector<Tensor>& x) { return std::vector{exp(x[0]) * 2.0}; }, {zeros({4})});
  set_default_backend("refusing");
  RefusingBackend::rule = rules()[0].rule;
  EXPECT_TRUE(test::throws_error([&] { plan->run(std::vector{ones({4})}); },
                                 {ErrorCode::Unsupported},
                                 {"the test refuses kernels of", "made for the cpu_seq backend"}));
  RefusingBackend::rule = nullptr;
  EXPECT_TRUE(test::bitwise_equal(plan->run(std::vector{ones({4})})[0], exp(ones({4})) * 2.0));
}

// A backend that prepared a kernel and then does not run it fails the run, rather than leave
// the kernel's outputs unwritten.
TEST_F(FusionFallback, AKernelPreparedAndNotRunFailsTheRun) {
  SKIP_WITHOUT_FUSION();
  const auto plan = capture(
      [](const std::vector<Tensor>& x) { return std::vector{exp(x[0]) * 2.0}; }, {zeros({4})});
  RefusingBackend::runs_fused = false;
  EXPECT_TRUE(
      test::throws_error([&] { plan->run(std::vector{ones({4})}); }, {ErrorCode::Unsupported},
                         {"refusing backend prepared a fused kernel and then did not run"}));
}

}  // namespace
}  // namespace mt
