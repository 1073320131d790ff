// A kernel that stores into a buffer and reads it again later in program order (an in-place
// update, then a use of the new values) passes the stored values on, never the old ones.
#include <gtest/gtest.h>

#include <vector>

#include "mt.hpp"
#include "test_support.hpp"

namespace mt {
namespace {

// t += 1 in place, then values of 1 - betas^t read back through views of a broadcast result:
// the shape of Adam's bias corrections over a step count.
void increment_then_read(const Tensor& t, const Tensor& betas, const Tensor& s, const Tensor& q) {
  zip_out(BinaryOp::Add, t, scalar(1, DType::Float64), t);
  const Tensor c = 1.0 - pow(betas, t);
  zip_out(BinaryOp::Div, scalar(0.1, DType::Float64), c.select(0, 0), s);
  map_out(UnaryOp::Sqrt, c.select(0, 1), q);
}

TEST(FusionStores, AValueStoredInPlaceIsReadBackAsStored) {
  const Tensor betas = from_vector(std::vector{0.9, 0.999}, {2, 1});
  const auto state = [] {
    return std::vector{zeros({3}, DType::Float64), zeros({3}, DType::Float64),
                       zeros({3}, DType::Float64)};
  };
  const std::vector<Tensor> eager = state(), planned = state();
  fusion::begin_capture();
  increment_then_read(planned[0], betas, planned[1], planned[2]);
  const fusion::Plan plan(fusion::end_capture({}), fusion::fusion_enabled_by_environment());
  // One kernel: the increment's value passes on in a register to the reads through views.
  if (fusion::fusion_enabled_by_environment()) {
    EXPECT_EQ(plan.stats().kernels, 1) << plan.report();
  }
  for (int run = 0; run < 3; ++run) {
    increment_then_read(eager[0], betas, eager[1], eager[2]);
    plan.run({});
    for (size_t i = 0; i < eager.size(); ++i)
      ASSERT_TRUE(test::bitwise_equal(planned[i], eager[i]))
          << "run " << run << " tensor " << i << "\n"
          << planned[i] << "\n"
          << eager[i] << "\n"
          << plan.report();
  }
}

}  // namespace
}  // namespace mt
