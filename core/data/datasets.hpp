#pragma once
// MiniTorch's toy classification datasets: points in the unit square labelled by a rule.
#include <cstdint>
#include <optional>
#include <string_view>

#include "random/generator.hpp"
#include "tensor/tensor.hpp"

namespace mt {

// Values are part of the C ABI: append-only.
enum class DatasetKind : int32_t { Simple, Diag, Split, Xor, Circle, Spiral };
inline constexpr int kDatasetKindCount = 6;

struct Dataset {
  Tensor x;  // (n, 2): the points
  Tensor y;  // (n,): their labels, 0 or 1
};

// `n` points of `kind`, the same for the same (kind, n, seed) on every backend. The points are
// uniform in [0, 1)^2 (spiral: two interleaved arms around (0.5, 0.5)) and the labels follow
//   simple  x1 < 0.5            diag    x1 + x2 < 0.5
//   split   x1 < 0.2 or x1 > 0.8
//   xor     (x1 < 0.5 and x2 > 0.5) or (x1 > 0.5 and x2 < 0.5)
//   circle  (x1 - 0.5)^2 + (x2 - 0.5)^2 > 0.1
//   spiral  the first n/2 points (one arm) 0, the rest 1.
// Throws InvalidArgument for n < 0 or an unknown kind.
Dataset make_dataset(DatasetKind kind, int64_t n, uint64_t seed, DType dtype = DType::Float64);

const char* dataset_name(DatasetKind kind);
// The kind named `name` ("simple", ..., "spiral"), if any.
std::optional<DatasetKind> parse_dataset_kind(std::string_view name);

}  // namespace mt
