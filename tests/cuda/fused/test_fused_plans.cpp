// Plans on the emulated CUDA device end to end (issue 17): a captured program runs as generated
// kernels and gives eager's bits; where a kernel cannot be had (NVRTC missing, a compile error, a
// disk cache that is damaged or cannot be written) the plan still gives eager's bits, through the
// unfused kernels where it must, and its report says why. tests/cuda/fused/CMakeLists.txt runs
// this program once per situation, which the environment sets up:
//   MT_EXPECT_FALLBACK   text the report's reason must contain; unset: every group is fused
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "fusion/capture.hpp"
#include "fusion/plan.hpp"
#include "mt.hpp"
#include "test_support.hpp"

namespace mt::test {
namespace {

const Device kCuda = Device::cuda(0);

// exp(a) * b + c with b broadcast over rows, and the rows' sums of exp(a) * b: an element-wise
// group and a reduction with its prologue.
std::vector<Tensor> program(const std::vector<Tensor>& x) {
  const Tensor e = exp(x[0]) * x[1];
  return {e + x[2], sum(e, {1})};
}

class CudaFusedPlans : public CudaTest {};

TEST_F(CudaFusedPlans, GiveEagerBitsAndSayWhyAGroupIsNotFused) {
  Rng rng = test_rng();
  const std::vector<Dims> shapes{{40, 33}, {1, 33}, {40, 33}};
  std::vector<Tensor> inputs;
  for (const Dims& shape : shapes)
    inputs.push_back(random_strided(rng, shape, DType::Float32, -2, 2).to(kCuda));

  fusion::begin_capture();
  std::vector<Tensor> placeholders;
  for (const Dims& shape : shapes)
    placeholders.push_back(fusion::capture_input(shape, DType::Float32, kCuda));
  const std::vector<Tensor> captured = program(placeholders);
  const fusion::Plan plan(fusion::end_capture(captured), true);
  const std::string report = plan.report();

  const std::vector<Tensor> ran = plan.run(inputs), eager = program(inputs);
  ASSERT_EQ(ran.size(), eager.size());
  for (size_t i = 0; i < ran.size(); ++i)
    EXPECT_TRUE(bitwise_equal(ran[i].to(Device::cpu()), eager[i].to(Device::cpu())))
        << "output " << i << "\n"
        << report;

  const char* expected = std::getenv("MT_EXPECT_FALLBACK");
  if (expected == nullptr && report.find("NVRTC is not available") != std::string::npos)
    GTEST_SKIP() << "NVRTC is not installed: the emulated plugin generates no kernels\n" << report;
  if (expected == nullptr) {
    EXPECT_EQ(report.find("op by op"), std::string::npos) << report;
    EXPECT_GT(plan.stats().fused_kernels, 0) << report;
  } else {
    EXPECT_NE(report.find("op by op"), std::string::npos) << report;
    EXPECT_NE(report.find(expected), std::string::npos) << "no '" << expected << "' in\n" << report;
  }
}

}  // namespace
}  // namespace mt::test
