#include "data/datasets.hpp"

#include <algorithm>
#include <cmath>

#include "base/error.hpp"
#include "ops/creation.hpp"

namespace mt {
namespace {

constexpr const char* kNames[kDatasetKindCount] = {"simple", "diag",   "split",
                                                   "xor",    "circle", "spiral"};

bool known(DatasetKind kind) {
  const auto value = static_cast<int32_t>(kind);
  return value >= 0 && value < kDatasetKindCount;
}

// The label of point (x1, x2) under one of the uniform kinds' rules.
bool label(DatasetKind kind, double x1, double x2) {
  switch (kind) {
    case DatasetKind::Simple: return x1 < 0.5;
    case DatasetKind::Diag: return x1 + x2 < 0.5;
    case DatasetKind::Split: return x1 < 0.2 || x1 > 0.8;
    case DatasetKind::Xor: return (x1 < 0.5 && x2 > 0.5) || (x1 > 0.5 && x2 < 0.5);
    case DatasetKind::Circle: {
      const double d1 = x1 - 0.5;
      const double d2 = x2 - 0.5;
      return d1 * d1 + d2 * d2 > 0.1;
    }
    case DatasetKind::Spiral: break;
  }
  return false;
}

// Fills (n, 2) `x` and (n,) `y` with the spiral: arm 0 holds points 0 .. n/2 - 1 and arm 1 the
// rest (the extra point of an odd n). Point i of an arm sits at t = 10 i / m, m = n - n/2 (so
// t runs over [0, 10) as MiniTorch's linspace does), arm 0 at
// (0.5, 0.5) + t (cos t, sin t) / 20 and arm 1 at its mirror image through (0.5, 0.5).
void fill_spiral(double* x, double* y, int64_t n) {
  const int64_t half = n / 2;
  const double m = static_cast<double>(n - half);
  for (int64_t i = 0; i < n; ++i) {
    const bool arm1 = i >= half;
    const double t = 10.0 * static_cast<double>(arm1 ? i - half : i) / m;
    const double sign = arm1 ? -1.0 : 1.0;
    x[2 * i] = 0.5 + sign * t * std::cos(t) / 20.0;
    x[2 * i + 1] = 0.5 + sign * t * std::sin(t) / 20.0;
    y[i] = arm1 ? 1.0 : 0.0;
  }
}

}  // namespace

Dataset make_dataset(DatasetKind kind, int64_t n, uint64_t seed, DType dtype) {
  if (n < 0) fail(ErrorCode::InvalidArgument, "make_dataset: negative point count ", n);
  if (!known(kind))
    fail(ErrorCode::InvalidArgument, "make_dataset: unknown dataset kind ",
         static_cast<int32_t>(kind), " (valid: 0..", kDatasetKindCount - 1, ")");
  Tensor y = Tensor::empty({n}, DType::Float64);
  if (kind == DatasetKind::Spiral) {
    Tensor x = Tensor::empty({n, 2}, DType::Float64);  // the seed is not used
    fill_spiral(x.data<double>(), y.data<double>(), n);
    return {x.to(dtype), y.to(dtype)};
  }
  // Drawn in float64 by mt's own generator, so every backend and dtype sees the same points.
  Generator generator(seed);
  Tensor x = rand({n, 2}, DType::Float64, 0, 1, generator);
  double* points = x.data<double>();
  double* labels = y.data<double>();
  if (dtype == DType::Float32) {
    // Label the points as they are stored: rounded to float, and below 1 (rounding can reach it).
    constexpr float kBelowOne = 0x1.fffffep-1f;
    for (int64_t i = 0; i < 2 * n; ++i)
      points[i] = std::min(static_cast<float>(points[i]), kBelowOne);
  }
  for (int64_t i = 0; i < n; ++i)
    labels[i] = label(kind, points[2 * i], points[2 * i + 1]) ? 1.0 : 0.0;
  return {x.to(dtype), y.to(dtype)};
}

const char* dataset_name(DatasetKind kind) {
  if (!known(kind))
    fail(ErrorCode::InvalidArgument, "dataset_name: unknown dataset kind ",
         static_cast<int32_t>(kind));
  return kNames[static_cast<int32_t>(kind)];
}

std::optional<DatasetKind> parse_dataset_kind(std::string_view name) {
  for (int32_t i = 0; i < kDatasetKindCount; ++i)
    if (name == kNames[i]) return static_cast<DatasetKind>(i);
  return std::nullopt;
}

}  // namespace mt
