#include <gtest/gtest.h>

#include "mt.hpp"

TEST(Smoke, AddTwoTensors) {
  const mt::Tensor a = mt::from_vector<float>({1, 2, 3}, {3});
  const mt::Tensor b = a + a;
  EXPECT_EQ(mt::to_vector<float>(b), (std::vector<float>{2, 4, 6}));
}
