// The toy classification datasets: shapes, labelling rules, seeding and the spiral's geometry.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "mt.hpp"
#include "test_support.hpp"

namespace {

using mt::test::throws_error;

using mt::Dataset;
using mt::DatasetKind;
using mt::Dims;
using mt::DType;
using mt::ErrorCode;

const std::vector<DatasetKind> kAllKinds = {DatasetKind::Simple, DatasetKind::Diag,
                                            DatasetKind::Split,  DatasetKind::Xor,
                                            DatasetKind::Circle, DatasetKind::Spiral};
const std::vector<DatasetKind> kUniformKinds = {DatasetKind::Simple, DatasetKind::Diag,
                                                DatasetKind::Split, DatasetKind::Xor,
                                                DatasetKind::Circle};

// The labelling rules of MiniTorch's module0, restated for point i of n.
double expected_label(DatasetKind kind, double x1, double x2, int64_t i, int64_t n) {
  bool one = false;
  switch (kind) {
    case DatasetKind::Simple: one = x1 < 0.5; break;
    case DatasetKind::Diag: one = x1 + x2 < 0.5; break;
    case DatasetKind::Split: one = x1 < 0.2 || x1 > 0.8; break;
    case DatasetKind::Xor: one = (x1 < 0.5 && x2 > 0.5) || (x1 > 0.5 && x2 < 0.5); break;
    case DatasetKind::Circle: one = (x1 - 0.5) * (x1 - 0.5) + (x2 - 0.5) * (x2 - 0.5) > 0.1; break;
    case DatasetKind::Spiral: one = i >= n / 2; break;
  }
  return one ? 1.0 : 0.0;
}

std::string trace(DatasetKind kind, int64_t n, DType dtype) {
  return mt::cat(mt::dataset_name(kind), " n=", n, " ", dtype);
}

// Restores the default backend and thread count when a test ends, however it ends.
class BackendGuard {
 public:
  ~BackendGuard() {
    mt::set_default_backend(backend_);
    mt::set_num_threads(threads_);
  }

 private:
  std::string backend_ = mt::default_backend().name();
  int threads_ = mt::num_threads();
};

TEST(Dataset, ShapesDtypesAndLabelsFollowTheRules) {
  for (DatasetKind kind : kAllKinds) {
    for (DType dtype : {DType::Float32, DType::Float64}) {
      for (int64_t n : {0, 1, 2, 7, 50, 1000}) {
        SCOPED_TRACE(trace(kind, n, dtype));
        const Dataset data = mt::make_dataset(kind, n, 123, dtype);
        ASSERT_EQ(data.x.shape(), (Dims{n, 2}));
        ASSERT_EQ(data.y.shape(), (Dims{n}));
        EXPECT_EQ(data.x.dtype(), dtype);
        EXPECT_EQ(data.y.dtype(), dtype);
        const std::vector<double> x = mt::to_vector<double>(data.x);
        const std::vector<double> y = mt::to_vector<double>(data.y);
        for (int64_t i = 0; i < n; ++i) {
          const double x1 = x[2 * i];
          const double x2 = x[2 * i + 1];
          ASSERT_TRUE(y[i] == 0.0 || y[i] == 1.0) << "label " << y[i] << " at " << i;
          ASSERT_EQ(y[i], expected_label(kind, x1, x2, i, n))
              << "point " << i << " (" << x1 << ", " << x2 << ")";
          if (kind == DatasetKind::Spiral) {
            ASSERT_TRUE(x1 >= 0 && x1 <= 1 && x2 >= 0 && x2 <= 1) << x1 << ", " << x2;
          } else {
            ASSERT_TRUE(x1 >= 0 && x1 < 1 && x2 >= 0 && x2 < 1) << x1 << ", " << x2;
          }
        }
      }
    }
  }
}

TEST(Dataset, EmptyDataset) {
  for (DatasetKind kind : kAllKinds) {
    const Dataset data = mt::make_dataset(kind, 0, 5, DType::Float32);
    EXPECT_EQ(data.x.shape(), (Dims{0, 2}));
    EXPECT_EQ(data.y.shape(), (Dims{0}));
    EXPECT_EQ(data.x.numel(), 0);
  }
}

TEST(Dataset, SeedDecidesTheUniformPoints) {
  for (DatasetKind kind : kUniformKinds) {
    for (DType dtype : {DType::Float32, DType::Float64}) {
      SCOPED_TRACE(trace(kind, 100, dtype));
      const Dataset a = mt::make_dataset(kind, 100, 7, dtype);
      const Dataset b = mt::make_dataset(kind, 100, 7, dtype);
      const Dataset c = mt::make_dataset(kind, 100, 8, dtype);
      EXPECT_EQ(mt::to_vector<double>(a.x), mt::to_vector<double>(b.x));
      EXPECT_EQ(mt::to_vector<double>(a.y), mt::to_vector<double>(b.y));
      const std::vector<double> ax = mt::to_vector<double>(a.x);
      const std::vector<double> cx = mt::to_vector<double>(c.x);
      int64_t same = 0;
      for (size_t i = 0; i < ax.size(); ++i)
        same += ax[i] == cx[i];
      EXPECT_EQ(same, 0) << "seeds 7 and 8 share " << same << " coordinates";
    }
  }
  // The spiral is deterministic: the seed does not matter.
  EXPECT_EQ(mt::to_vector<double>(mt::make_dataset(DatasetKind::Spiral, 30, 1).x),
            mt::to_vector<double>(mt::make_dataset(DatasetKind::Spiral, 30, 2).x));
}

TEST(Dataset, UniformPointsComeFromMtRandWithTheSeed) {
  for (DatasetKind kind : kUniformKinds) {
    SCOPED_TRACE(mt::dataset_name(kind));
    mt::Generator generator(2024);
    EXPECT_EQ(mt::to_vector<double>(mt::make_dataset(kind, 64, 2024).x),
              mt::to_vector<double>(mt::rand({64, 2}, DType::Float64, 0, 1, generator)));
  }
}

TEST(Dataset, Float32HoldsTheFloat64PointsRounded) {
  for (DatasetKind kind : kAllKinds) {
    SCOPED_TRACE(mt::dataset_name(kind));
    const std::vector<double> x64 =
        mt::to_vector<double>(mt::make_dataset(kind, 500, 11, DType::Float64).x);
    const std::vector<float> x32 =
        mt::to_vector<float>(mt::make_dataset(kind, 500, 11, DType::Float32).x);
    ASSERT_EQ(x32.size(), x64.size());
    for (size_t i = 0; i < x64.size(); ++i)
      ASSERT_EQ(x32[i], static_cast<float>(x64[i])) << i;
  }
}

TEST(Dataset, SameDataOnEveryBackendAndThreadCount) {
  const BackendGuard guard;
  const int64_t n = 100000;  // large enough for cpu_par to split the work
  for (DatasetKind kind : kAllKinds) {
    SCOPED_TRACE(mt::dataset_name(kind));
    mt::set_default_backend("cpu_seq");
    const Dataset ref = mt::make_dataset(kind, n, 99);
    const std::vector<double> ref_x = mt::to_vector<double>(ref.x);
    const std::vector<double> ref_y = mt::to_vector<double>(ref.y);
    mt::set_default_backend("cpu_par");
    for (int threads : {1, 4}) {
      mt::set_num_threads(threads);
      const Dataset par = mt::make_dataset(kind, n, 99);
      EXPECT_EQ(mt::to_vector<double>(par.x), ref_x) << threads << " threads";
      EXPECT_EQ(mt::to_vector<double>(par.y), ref_y) << threads << " threads";
    }
  }
}

TEST(Dataset, BothClassesPresent) {
  for (DatasetKind kind : kAllKinds) {
    const std::vector<double> y = mt::to_vector<double>(mt::make_dataset(kind, 50, 3).y);
    const auto ones = std::count(y.begin(), y.end(), 1.0);
    EXPECT_GT(ones, 0) << mt::dataset_name(kind);
    EXPECT_LT(ones, 50) << mt::dataset_name(kind);
  }
}

TEST(Dataset, SpiralArms) {
  for (int64_t n : {10, 11}) {
    SCOPED_TRACE(mt::cat("n=", n));
    const Dataset data = mt::make_dataset(DatasetKind::Spiral, n, 0);
    const std::vector<double> x = mt::to_vector<double>(data.x);
    const std::vector<double> y = mt::to_vector<double>(data.y);
    const int64_t half = n / 2;  // arm 0; arm 1 gets the extra point of an odd n
    EXPECT_EQ(std::count(y.begin(), y.end(), 0.0), half);
    EXPECT_EQ(std::count(y.begin(), y.end(), 1.0), n - half);
    // Both arms start at the centre.
    EXPECT_EQ(x[0], 0.5);
    EXPECT_EQ(x[1], 0.5);
    EXPECT_EQ(x[2 * half], 0.5);
    EXPECT_EQ(x[2 * half + 1], 0.5);
    const double step = 10.0 / static_cast<double>(n - half);
    for (int64_t i = 0; i < n; ++i) {
      const bool arm1 = i >= half;
      const double t = step * static_cast<double>(arm1 ? i - half : i);
      const double sign = arm1 ? -1 : 1;
      EXPECT_NEAR(x[2 * i], 0.5 + sign * t * std::cos(t) / 20, 1e-12) << i;
      EXPECT_NEAR(x[2 * i + 1], 0.5 + sign * t * std::sin(t) / 20, 1e-12) << i;
      // Distance from the centre grows along each arm as t / 20.
      EXPECT_NEAR(std::hypot(x[2 * i] - 0.5, x[2 * i + 1] - 0.5), t / 20, 1e-12) << i;
    }
    // Arm 1 is arm 0 mirrored through the centre.
    for (int64_t i = 1; i < half; ++i) {
      EXPECT_NEAR(x[2 * i] + x[2 * (half + i)], 1.0, 1e-12) << i;
      EXPECT_NEAR(x[2 * i + 1] + x[2 * (half + i) + 1], 1.0, 1e-12) << i;
    }
  }
  // MiniTorch's even case: t = 10 i / (n / 2); point 1 of n = 20 is t = 1.
  const Dataset twenty = mt::make_dataset(DatasetKind::Spiral, 20, 0);
  EXPECT_DOUBLE_EQ(twenty.x.get({1, 0}), 0.5 + std::cos(1.0) / 20);
  EXPECT_DOUBLE_EQ(twenty.x.get({11, 1}), 0.5 - std::sin(1.0) / 20);
}

TEST(Dataset, Errors) {
  EXPECT_TRUE(throws_error([] { mt::make_dataset(DatasetKind::Simple, -1, 0); },
                           {ErrorCode::InvalidArgument}, {"-1"}));
  EXPECT_TRUE(throws_error([] { mt::make_dataset(DatasetKind::Spiral, -5, 0); },
                           {ErrorCode::InvalidArgument}, {"-5"}));
  for (int32_t bad : {-1, mt::kDatasetKindCount, 42}) {
    const auto kind = static_cast<DatasetKind>(bad);
    EXPECT_TRUE(throws_error([&] { mt::make_dataset(kind, 10, 0); }, {ErrorCode::InvalidArgument},
                             {"kind", std::to_string(bad)}));
    EXPECT_TRUE(throws_error([&] { mt::dataset_name(kind); }, {ErrorCode::InvalidArgument},
                             {std::to_string(bad)}));
  }
}

TEST(Dataset, NamesRoundTrip) {
  const std::vector<std::string> names = {"simple", "diag", "split", "xor", "circle", "spiral"};
  ASSERT_EQ(static_cast<int>(names.size()), mt::kDatasetKindCount);
  for (int32_t i = 0; i < mt::kDatasetKindCount; ++i) {
    const auto kind = static_cast<DatasetKind>(i);
    EXPECT_EQ(mt::dataset_name(kind), names[i]);
    EXPECT_EQ(mt::parse_dataset_kind(names[i]), kind);
  }
  for (const char* bad : {"", "Simple", "spirals", "xor ", "circl", "moons"})
    EXPECT_EQ(mt::parse_dataset_kind(bad), std::nullopt) << "'" << bad << "'";
}

}  // namespace
