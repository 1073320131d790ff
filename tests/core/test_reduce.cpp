// Reductions (sum, prod, max, min, mean) along single dims, sets of dims and all dims, against
// folds written out in the test.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "mt.hpp"
#include "test_support.hpp"

namespace mt::test {
namespace {

constexpr int kTrials = 20;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using NamedReduce = Tensor (*)(const Tensor&, const Dims&, bool);

struct ReduceCase {
  const char* name;
  std::optional<ReduceOp> op;  // mean has no ReduceOp
  NamedReduce named;
  // The expected result of folding `values` (never empty for max and min).
  Expected (*reference)(const std::vector<double>& values);
  bool empty_allowed;
  double magnitude_low;  // inputs are +-[low, high)
  double magnitude_high;
};

double abs_sum(const std::vector<double>& values) {
  double total = 0;
  for (const double v : values)
    total += std::abs(v);
  return total;
}

double plain_sum(const std::vector<double>& values) {
  double total = 0;
  for (const double v : values)
    total += v;
  return total;
}

bool any_nan(const std::vector<double>& values) {
  return std::any_of(values.begin(), values.end(), [](double v) { return std::isnan(v); });
}

const std::vector<ReduceCase>& reduce_cases() {
  static const std::vector<ReduceCase> cases = {
      {"sum", ReduceOp::Sum, mt::sum,
       [](const std::vector<double>& v) {
         return Expected{plain_sum(v), abs_sum(v)};
       },
       true, 0, 1},
      {"prod", ReduceOp::Prod, mt::prod,
       [](const std::vector<double>& v) {
         double product = 1;
         for (const double x : v)
           product *= x;
         return Expected{product};
       },
       // Magnitudes near 1, so that a product of thousands of elements stays in range.
       true, 0.8, 1.25},
      {"max", ReduceOp::Max, mt::max,
       [](const std::vector<double>& v) {
         return Expected{any_nan(v) ? kNaN : *std::max_element(v.begin(), v.end())};
       },
       false, 0, 1},
      {"min", ReduceOp::Min, mt::min,
       [](const std::vector<double>& v) {
         return Expected{any_nan(v) ? kNaN : *std::min_element(v.begin(), v.end())};
       },
       false, 0, 1},
      {"mean", std::nullopt, mt::mean,
       [](const std::vector<double>& v) {
         const double n = static_cast<double>(v.size());
         return Expected{plain_sum(v) / n, abs_sum(v) / n};
       },
       true, 0, 1},
  };
  return cases;
}

// Fills with values of magnitude in [low, high) and random sign.
Tensor random_input(Rng& rng, const Dims& shape, DType dtype, const ReduceCase& c) {
  return random_strided(rng, shape, dtype, [&](Rng& r) {
    return (chance(r, 0.5) ? -1 : 1) * uniform_real(r, c.magnitude_low, c.magnitude_high);
  });
}

// Checks every way of calling `c` on `x` over `dims` (as passed to the library: possibly
// negative, in any order; empty means all dims).
void check_reduce(const ReduceCase& c, const Tensor& x, const Dims& dims, bool keepdim) {
  SCOPED_TRACE(cat(c.name, " over ", dims, " keepdim ", keepdim, " of ", describe(x)));
  const int rank = x.dim();
  std::vector<bool> reduced(rank, dims.empty());
  for (const int64_t d : dims)
    reduced[d < 0 ? d + rank : d] = true;

  Dims shape;
  Dims reduced_shape;
  bool reduces_empty_dim = false;
  for (int d = 0; d < rank; ++d) {
    if (!reduced[d]) shape.push_back(x.size(d));
    if (reduced[d] && keepdim) shape.push_back(1);
    if (reduced[d]) reduced_shape.push_back(x.size(d));
    if (reduced[d] && x.size(d) == 0) reduces_empty_dim = true;
  }

  std::vector<std::pair<const char*, std::function<Tensor()>>> forms = {
      {"named", [&] { return c.named(x, dims, keepdim); }}};
  if (c.op) {
    forms.push_back({"reduce(dims)", [&] { return reduce(*c.op, x, dims, keepdim); }});
    if (dims.size() == 1) {
      forms.push_back({"reduce(dim)", [&] { return reduce(*c.op, x, dims[0], keepdim); }});
    }
  }

  if (reduces_empty_dim && !c.empty_allowed) {
    // numpy raises when such a reduction has output elements; with none it is left open.
    if (element_count(shape) == 0) return;
    for (const auto& [name, fn] : forms) {
      EXPECT_THROW(fn(), Error) << name;
    }
    return;
  }

  const ScaledExpectedFn expected = [&](const Dims& out_index) {
    std::vector<double> values;
    for_each_index(reduced_shape, [&](const Dims& inner) {
      Dims index;
      int next_out = 0;
      int next_inner = 0;
      for (int d = 0; d < rank; ++d) {
        if (!reduced[d]) index.push_back(out_index[next_out++]);
        if (reduced[d]) index.push_back(inner[next_inner++]);
        if (reduced[d] && keepdim) ++next_out;
      }
      values.push_back(at(x, index));
    });
    return c.reference(values);
  };
  for (const auto& [name, fn] : forms) {
    EXPECT_TRUE(all_close(fn(), shape, x.dtype(), expected, default_tolerance(x.dtype()))) << name;
  }
}

template <class T> class ReduceTest : public ::testing::Test {
 protected:
  static constexpr DType kDType = dtype_of<T>;
  Rng rng_ = test_rng();
};
using DTypes = ::testing::Types<float, double>;
TYPED_TEST_SUITE(ReduceTest, DTypes);

TYPED_TEST(ReduceTest, AlongEachSingleDim) {
  for (const ReduceCase& c : reduce_cases()) {
    for (int trial = 0; trial < kTrials; ++trial) {
      const Dims shape = random_shape(this->rng_, 5, 5);
      const Tensor x = random_input(this->rng_, shape, this->kDType, c);
      for (int64_t d = -x.dim(); d < x.dim(); ++d) {
        for (const bool keepdim : {false, true})
          check_reduce(c, x, {d}, keepdim);
      }
    }
  }
}

TYPED_TEST(ReduceTest, AlongSetsOfDims) {
  for (const ReduceCase& c : reduce_cases()) {
    for (int trial = 0; trial < kTrials; ++trial) {
      const Tensor x = random_input(this->rng_, random_shape(this->rng_), this->kDType, c);
      const int rank = x.dim();
      std::vector<int64_t> order(rank);
      for (int d = 0; d < rank; ++d)
        order[d] = d;
      std::shuffle(order.begin(), order.end(), this->rng_);
      // A random non-empty subset in random order, each dim written as d or d - rank.
      Dims dims;
      const int count = rank == 0 ? 0 : static_cast<int>(uniform_int(this->rng_, 1, rank));
      for (int i = 0; i < count; ++i) {
        dims.push_back(chance(this->rng_, 0.5) ? order[i] : order[i] - rank);
      }
      for (const bool keepdim : {false, true})
        check_reduce(c, x, dims, keepdim);
    }
  }
}

TYPED_TEST(ReduceTest, OverAllDims) {
  for (const ReduceCase& c : reduce_cases()) {
    for (int trial = 0; trial < kTrials; ++trial) {
      const Tensor x = random_input(this->rng_, random_shape(this->rng_), this->kDType, c);
      for (const bool keepdim : {false, true})
        check_reduce(c, x, {}, keepdim);
    }
  }
}

TYPED_TEST(ReduceTest, EmptyDim) {
  const Tensor x = zeros({3, 0, 2}, this->kDType);
  const auto filled = [](double value) { return [value](const Dims&) { return value; }; };
  for (const int64_t dim : {1, -2}) {
    EXPECT_TRUE(all_close(sum(x, {dim}), {3, 2}, this->kDType, filled(0)));
    EXPECT_TRUE(all_close(prod(x, {dim}, true), {3, 1, 2}, this->kDType, filled(1)));
    EXPECT_TRUE(all_close(mean(x, {dim}), {3, 2}, this->kDType, filled(kNaN)));
    EXPECT_THROW(max(x, {dim}), Error);
    EXPECT_THROW(min(x, {dim}, true), Error);
    EXPECT_THROW(reduce(ReduceOp::Max, x, dim), Error);
  }
  EXPECT_TRUE(all_close(sum(x), {}, this->kDType, filled(0)));
  EXPECT_TRUE(all_close(prod(x), {}, this->kDType, filled(1)));
  EXPECT_TRUE(all_close(mean(x, {}, true), {1, 1, 1}, this->kDType, filled(kNaN)));
  EXPECT_THROW(max(x), Error);
  EXPECT_THROW(min(x), Error);
  // Reducing a non-empty dim of an empty tensor is fine: there is nothing to fold for.
  EXPECT_EQ(max(x, {0}).shape(), Dims({0, 2}));
}

TYPED_TEST(ReduceTest, NaNPropagates) {
  for (const ReduceCase& c : reduce_cases()) {
    for (int trial = 0; trial < kTrials; ++trial) {
      const Dims shape = random_shape(this->rng_, 4, 4);
      if (element_count(shape) == 0) continue;
      const Tensor x = random_input(this->rng_, shape, this->kDType, c);
      // NaN in about one element in five, including the first and the last.
      for_each_index(shape, [&](const Dims& i) {
        if (chance(this->rng_, 0.2)) x.set(i, kNaN);
      });
      for (int64_t d = 0; d < x.dim(); ++d)
        check_reduce(c, x, {d}, false);
      check_reduce(c, x, {}, false);
    }
  }
}

TEST(ReduceErrors, BadDims) {
  const Tensor x = ones({2, 3, 4});
  for (const ReduceCase& c : reduce_cases()) {
    SCOPED_TRACE(c.name);
    for (const Dims& dims : {Dims{3}, Dims{-4}, Dims{0, 7}, Dims{100}}) {
      EXPECT_TRUE(throws_error([&] { c.named(x, dims, false); }, {ErrorCode::IndexOutOfRange}))
          << dims;
      if (c.op) {
        EXPECT_TRUE(
            throws_error([&] { reduce(*c.op, x, dims, true); }, {ErrorCode::IndexOutOfRange}))
            << dims;
      }
    }
    if (c.op) {
      for (const int64_t dim : {3, -4}) {
        EXPECT_TRUE(throws_error([&] { reduce(*c.op, x, dim); }, {ErrorCode::IndexOutOfRange}))
            << dim;
      }
    }
    for (const Dims& dims : {Dims{1, 1}, Dims{0, -3}, Dims{2, 0, -1}}) {
      EXPECT_TRUE(throws_error([&] { c.named(x, dims, false); }, {ErrorCode::InvalidArgument}))
          << dims;
      if (c.op) {
        EXPECT_TRUE(
            throws_error([&] { reduce(*c.op, x, dims, false); }, {ErrorCode::InvalidArgument}))
            << dims;
      }
    }
  }
}

}  // namespace
}  // namespace mt::test
