#pragma once
// Helpers shared by the core and the CUDA tests: seeded random inputs with awkward layouts, an
// index walker and element-wise comparison. Everything that computes an expected value is
// written here without the library's index math, so that a bug there cannot hide itself.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <random>
#include <string>
#include <string_view>
#include <utility>

#include "mt.hpp"

namespace mt::test {

using Rng = std::mt19937_64;
using ValueGen = std::function<double(Rng&)>;

// A generator seeded from the running test's full name (plus `salt`): every test draws its own
// sequence, and the same one on every run.
Rng test_rng(uint64_t salt = 0);

int64_t uniform_int(Rng& rng, int64_t low, int64_t high);  // [low, high]
double uniform_real(Rng& rng, double low, double high);    // [low, high)
bool chance(Rng& rng, double probability);
ValueGen uniform_values(double low, double high);

// Rank in [0, max_rank] and sizes in [1, max_size]; about one shape in ten (of rank >= 1) has
// a zero in one dim.
Dims random_shape(Rng& rng, int max_rank = 5, int64_t max_size = 5);

// A tensor of `shape` whose storage holds the dims in a random order (permuted back with
// permute()), usually with one dim padded and cut down by narrow() or slice(step 2), so that
// the strides are not row-major, have gaps, and the offset is not 0. Values come from `values`.
Tensor random_strided(Rng& rng, const Dims& shape, DType dtype, const ValueGen& values);
Tensor random_strided(Rng& rng, const Dims& shape, DType dtype, double low, double high);
// `t` on `device` in its exact layout (offset, strides, the gaps between): its whole storage
// moved, then the same view of it.
Tensor same_layout_on(Device device, const Tensor& t);

// Two shapes that broadcast together: both derive from one shape by dropping leading dims and
// setting dims to 1.
std::pair<Dims, Dims> random_broadcast_pair(Rng& rng, int max_rank = 5, int64_t max_size = 5);

// numpy's broadcast shape; throws std::invalid_argument (a bug in the test) when `a` and `b` do
// not broadcast.
Dims broadcast_shape(const Dims& a, const Dims& b);
// The index into `shape` that element `index` of the broadcast shape reads.
Dims broadcast_source(const Dims& index, const Dims& shape);

int64_t element_count(const Dims& shape);
Dims concat(const Dims& a, const Dims& b);

// Visits every multi-index of `shape` in row-major order (once, with (), for rank 0).
void for_each_index(const Dims& shape, const std::function<void(const Dims&)>& fn);

inline double at(const Tensor& tensor, const Dims& index) { return tensor.get(index); }
// "float32 (2, 3) strides (1, 4) offset 5", for traces.
std::string describe(const Tensor& tensor);

// |actual - expected| <= abs + rel * max(|expected|, scale).
struct Tolerance {
  double rel;
  double abs;
};
inline constexpr Tolerance kExact{0, 0};
Tolerance default_tolerance(DType dtype);

// An expected element. `scale` is the magnitude that rounding error grows with when it exceeds
// |value|, e.g. sum |x| for a sum that cancels.
struct Expected {
  double value;
  double scale = 0;
};
using ExpectedFn = std::function<double(const Dims&)>;
using ScaledExpectedFn = std::function<Expected(const Dims&)>;

// NaN matches NaN and an infinity matches the same infinity.
bool values_close(double actual, double expected, Tolerance tol, double scale = 0);

// Checks that `actual` is defined, has `shape` and `dtype`, and that each element matches
// `expected` at its index; the message lists the first mismatches with their indices.
::testing::AssertionResult all_close(const Tensor& actual, const Dims& shape, DType dtype,
                                     const ScaledExpectedFn& expected, Tolerance tol);
::testing::AssertionResult all_close(const Tensor& actual, const Dims& shape, DType dtype,
                                     const ExpectedFn& expected, Tolerance tol);
// With default_tolerance(dtype).
::testing::AssertionResult all_close(const Tensor& actual, const Dims& shape, DType dtype,
                                     const ExpectedFn& expected);

// |actual - expected| <= rel * scale + the smallest normal number (where underflow decides),
// with scale the sum of the magnitudes behind each element (so cancellation is allowed for).
::testing::AssertionResult close(const Tensor& actual, const Tensor& expected, const Tensor& scale,
                                 double rel);

// Exactly equal elements (any NaN equals any NaN), same shape.
::testing::AssertionResult bitwise_equal(const Tensor& actual, const Tensor& expected);

// Checks that `fn` throws an mt::Error with one of `codes` whose message contains every string
// of `message_parts`.
::testing::AssertionResult throws_error(const std::function<void()>& fn,
                                        std::initializer_list<ErrorCode> codes,
                                        std::initializer_list<std::string_view> message_parts = {});

// Tests on CUDA device 0: skipped where CUDA is unavailable, or failed when MT_REQUIRE_CUDA is
// set (the tests that run the emulated plugin set it, so that a plugin that fails to load shows).
class CudaTest : public ::testing::Test {
 protected:
  void SetUp() override;
};

}  // namespace mt::test
