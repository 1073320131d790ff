#pragma once
// The fixture of the device tests: a test runs only where CUDA can be used; where it cannot,
// it is skipped, or fails when MT_REQUIRE_CUDA is set (ctest sets it: the emulated plugin must
// load).
#include <gtest/gtest.h>

#include <cstdlib>

#include "backend/cuda/cuda_runtime.hpp"

namespace mt::test {

class CudaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (cuda_device_count() > 0) return;
    if (std::getenv("MT_REQUIRE_CUDA") != nullptr)
      FAIL() << "CUDA is unavailable: " << cuda_unavailable_reason();
    GTEST_SKIP() << "CUDA is unavailable: " << cuda_unavailable_reason();
  }
};

}  // namespace mt::test
