// Numerical gradient checks: every differentiable op (unary, binary with broadcasting,
// reductions, views and copies, matmul) and the compositions, on random shapes whose
// leaves have awkward strides and offsets, on every CPU backend; and cpu_par's gradients against
// cpu_seq's on inputs large enough to run in parallel.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "autograd/record.hpp"
#include "mt.hpp"
#include "op_cases.hpp"
#include "test_support.hpp"

namespace mt::test {
namespace {

constexpr int kSeeds = 4;

using Inputs = std::vector<Tensor>;
using Fn = std::function<Tensor(const Inputs&)>;

// ---------------------------------------------------------------------------------------------
// The checker: loss = sum(f(inputs) * w) with a fixed random w, so that every output element
// matters; each input's .grad against the central difference (L(x + h e_i) - L(x - h e_i)) / 2h,
// computed under NoGradGuard by perturbing one element at a time.
// ---------------------------------------------------------------------------------------------

struct GradCheckOptions {
  // The step. In float64 the difference quotient has a truncation error ~h^2 |f'''| / 6 and a
  // rounding error ~eps |L| / h; 1e-6 balances them for values and derivatives of order 1.
  double h = 1e-6;
  // |analytic - numeric| <= abs + rel |numeric|. The largest errors over all the cases below are
  // ~1e-9 (about 1% of this), so that a wrong derivative term cannot hide in the tolerance.
  double rel = 1e-6;
  double abs = 1e-7;
};

double weighted_loss(const Tensor& out, const Tensor& w) { return sum(out * w).item(); }

::testing::AssertionResult gradcheck(const Fn& f, const Inputs& inputs, Rng& rng,
                                     const GradCheckOptions& options = {}) {
  for (const Tensor& x : inputs)
    x.zero_grad();
  const Tensor out = f(inputs);
  if (!out.requires_grad()) return ::testing::AssertionFailure() << "f's result records no graph";
  const Tensor w = random_strided(rng, out.shape(), DType::Float64, -1, 1);
  sum(out * w).backward();

  NoGradGuard no_grad;
  std::ostringstream report;
  report.precision(17);
  int mismatches = 0;
  for (size_t n = 0; n < inputs.size(); ++n) {
    const Tensor& x = inputs[n];
    const Tensor grad = x.grad();
    if (!x.requires_grad()) {
      if (grad.defined())
        return ::testing::AssertionFailure()
               << "input " << n << " got a gradient it never asked for";
      continue;
    }
    if (!x.is_leaf()) return ::testing::AssertionFailure() << "input " << n << " is not a leaf";
    if (!grad.defined())
      return ::testing::AssertionFailure()
             << "input " << n << " (" << describe(x) << ") has no gradient";
    if (!(grad.shape() == x.shape()) || grad.dtype() != x.dtype())
      return ::testing::AssertionFailure()
             << "input " << n << " is " << describe(x) << " but its gradient is " << describe(grad);
    for_each_index(x.shape(), [&](const Dims& index) {
      const double value = x.get(index);
      // The steps actually taken: in float32 x +- h rounds.
      x.set(index, value + options.h);
      const double x_plus = x.get(index);
      const double loss_plus = weighted_loss(f(inputs), w);
      x.set(index, value - options.h);
      const double x_minus = x.get(index);
      const double loss_minus = weighted_loss(f(inputs), w);
      x.set(index, value);
      const double numeric = (loss_plus - loss_minus) / (x_plus - x_minus);
      const double analytic = grad.get(index);
      if (std::abs(analytic - numeric) <= options.abs + options.rel * std::abs(numeric)) return;
      if (++mismatches <= 5)
        report << "\n  input " << n << " (" << describe(x) << ") at " << index << " = " << value
               << ": analytic " << analytic << ", numeric " << numeric;
    });
  }
  if (mismatches == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << mismatches << " gradient elements differ (h " << options.h << ", rel " << options.rel
         << ", abs " << options.abs << "):" << report.str();
}

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

// Rank in [min_rank, max_rank], sizes in [1, 4].
Dims grad_shape(Rng& rng, int min_rank = 0, int max_rank = 4) {
  Dims shape;
  const int64_t rank = uniform_int(rng, min_rank, max_rank);
  for (int64_t d = 0; d < rank; ++d)
    shape.push_back(uniform_int(rng, 1, 4));
  return shape;
}

// random_broadcast_pair with rank <= 4, sizes <= 4 and no empty dims.
std::pair<Dims, Dims> grad_broadcast_pair(Rng& rng) {
  auto [a, b] = random_broadcast_pair(rng, 4, 4);
  for (int64_t& size : a)
    size = std::max<int64_t>(size, 1);
  for (int64_t& size : b)
    size = std::max<int64_t>(size, 1);
  return {a, b};
}

// A leaf that requires grad, laid out by random_strided.
Tensor leaf(Rng& rng, const Dims& shape, const ValueGen& values, DType dtype = DType::Float64) {
  Tensor t = random_strided(rng, shape, dtype, values);
  t.set_requires_grad();
  return t;
}
Tensor leaf(Rng& rng, const Dims& shape, double low = -2, double high = 2) {
  return leaf(rng, shape, uniform_values(low, high));
}

// +-[low, high): values kept away from 0 (kinks, poles).
ValueGen signed_values(double low, double high) {
  return [low, high](Rng& rng) {
    const double magnitude = uniform_real(rng, low, high);
    return chance(rng, 0.5) ? magnitude : -magnitude;
  };
}

// Multiples of 2^-18 in [-2, 2): exact in float32, and so are they +- 2^-16.
ValueGen dyadic_values() {
  return [](Rng& rng) {
    return std::ldexp(std::round(std::ldexp(uniform_real(rng, -2, 2), 18)), -18);
  };
}

// Random dim (negative half of the time) of a rank >= 1 shape.
int64_t random_dim(Rng& rng, int rank) {
  const int64_t d = uniform_int(rng, 0, rank - 1);
  return chance(rng, 0.5) ? d - rank : d;
}

Dims random_permutation(Rng& rng, int rank) {
  std::vector<int64_t> order(rank);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  Dims out;
  for (const int64_t d : order)
    out.push_back(d);
  return out;
}

// A random shape with `numel` elements (its prime factors spread over up to 3 dims, with 1s).
Dims random_regroup(Rng& rng, int64_t numel) {
  std::vector<int64_t> factors;
  for (int64_t p = 2, rest = numel; rest > 1; ++p)
    while (rest % p == 0) {
      factors.push_back(p);
      rest /= p;
    }
  const int64_t rank = uniform_int(rng, 1, 3);
  Dims shape = Dims::filled(rank, 1);
  for (const int64_t p : factors)
    shape[static_cast<int>(uniform_int(rng, 0, rank - 1))] *= p;
  if (chance(rng, 0.5)) shape.insert(static_cast<int>(uniform_int(rng, 0, rank)), 1);
  if (chance(rng, 0.3)) shape[static_cast<int>(uniform_int(rng, 0, shape.size() - 1))] = -1;
  return shape;
}

// Reduction dims: a random non-empty subset (some negative), or {} (all dims).
Dims random_reduce_dims(Rng& rng, int rank) {
  Dims dims;
  if (rank == 0 || chance(rng, 0.2)) return dims;
  for (int d = 0; d < rank; ++d)
    if (chance(rng, 0.5)) dims.push_back(chance(rng, 0.5) ? d - rank : d);
  if (dims.empty()) dims.push_back(random_dim(rng, rank));
  return dims;
}

// ---------------------------------------------------------------------------------------------
// The checker rejects wrong gradients: exp recorded with a deliberately broken backward.
// ---------------------------------------------------------------------------------------------

Fn exp_with_backward(std::function<Tensor(const Tensor& x, const Tensor& grad)> backward) {
  return [backward](const Inputs& in) {
    const Tensor x = in[0];
    Tensor out;
    {
      NoGradGuard no_grad;
      out = exp(x);
    }
    return autograd::record_unary("test_exp", x, out,
                                  [x, backward](const Tensor& grad) { return backward(x, grad); });
  };
}

TEST(GradCheckSelfTest, RejectsWrongGradients) {
  Rng rng = test_rng();
  const Tensor x = leaf(rng, {3, 3});
  EXPECT_TRUE(gradcheck(
      exp_with_backward([](const Tensor& x_, const Tensor& g) { return g * exp(x_); }), {x}, rng));
  // Off by 5e-6 relative.
  EXPECT_FALSE(gradcheck(
      exp_with_backward([](const Tensor& x_, const Tensor& g) { return g * exp(x_) * (1 + 5e-6); }),
      {x}, rng));
  // Right values in the wrong places.
  EXPECT_FALSE(gradcheck(exp_with_backward([](const Tensor& x_, const Tensor& g) {
                           return (g * exp(x_)).transpose(0, 1).contiguous();
                         }),
                         {x}, rng));
  // No gradient at all, or none for an input that requires grad.
  EXPECT_FALSE(gradcheck(exp_with_backward([](const Tensor&, const Tensor&) { return Tensor(); }),
                         {x}, rng));
  const Tensor unused = leaf(rng, {2});
  EXPECT_FALSE(gradcheck([](const Inputs& in) { return exp(in[0]); }, {x, unused}, rng));
  // A result that records nothing.
  EXPECT_FALSE(gradcheck([](const Inputs& in) { return in[0].detach(); }, {x}, rng));
}

// ---------------------------------------------------------------------------------------------
// The suite runs once per backend; each test sets the default backend and restores it.
// ---------------------------------------------------------------------------------------------

class GradCheck : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    set_default_backend(GetParam());
    ASSERT_EQ(default_backend().name(), GetParam());
  }
  void TearDown() override { set_default_backend(previous_); }

 private:
  std::string previous_ = default_backend().name();
};

INSTANTIATE_TEST_SUITE_P(Backends, GradCheck, ::testing::Values("cpu_seq", "cpu_par"),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           return param.param;
                         });

// ---------------------------------------------------------------------------------------------
// Unary ops, with inputs kept where each op is smooth.
// ---------------------------------------------------------------------------------------------

// Every op of the table, on its domain (where it is smooth).
TEST_P(GradCheck, UnaryOps) {
  Rng rng = test_rng();
  for (const UnaryOpCase& c : kUnaryOpCases) {
    for (int seed = 0; seed < kSeeds; ++seed) {
      const Tensor x = leaf(rng, grad_shape(rng), c.domain);
      SCOPED_TRACE(cat(op_name(c.op), " seed ", seed, " x ", describe(x)));
      EXPECT_TRUE(gradcheck([&](const Inputs& in) { return map(c.op, in[0]); }, {x}, rng));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Binary ops: same shapes, random broadcasting pairs (gradients summed back over the broadcast
// dims) and fixed pairs where both operands broadcast.
// ---------------------------------------------------------------------------------------------

// The differentiable ops of the table, where they are smooth (no ties for maximum and minimum).
std::vector<BinaryOpCase> binary_cases() {
  std::vector<BinaryOpCase> cases;
  for (const BinaryOpCase& c : kBinaryOpCases)
    if (is_differentiable(c.op)) cases.push_back(c);
  return cases;
}

void check_binary(const BinaryOpCase& c, const Dims& a_shape, const Dims& b_shape, Rng& rng) {
  const Tensor a = leaf(rng, a_shape, c.smooth_a);
  const Tensor b = leaf(rng, b_shape, c.smooth_b);
  SCOPED_TRACE(cat(op_name(c.op), " a ", describe(a), " b ", describe(b)));
  EXPECT_TRUE(gradcheck([&](const Inputs& in) { return zip(c.op, in[0], in[1]); }, {a, b}, rng));
}

TEST_P(GradCheck, BinaryOpsSameShape) {
  Rng rng = test_rng();
  for (const BinaryOpCase& c : binary_cases())
    for (int seed = 0; seed < kSeeds; ++seed) {
      const Dims shape = grad_shape(rng);
      check_binary(c, shape, shape, rng);
    }
}

TEST_P(GradCheck, BinaryOpsBroadcast) {
  Rng rng = test_rng();
  const std::vector<std::pair<Dims, Dims>> fixed = {
      {{3, 1, 4}, {2, 1}}, {{}, {2, 3}}, {{4}, {3, 1}}, {{2, 1, 3}, {1, 4, 1}}};
  for (const BinaryOpCase& c : binary_cases()) {
    for (int seed = 0; seed < kSeeds; ++seed) {
      const auto [a_shape, b_shape] = grad_broadcast_pair(rng);
      check_binary(c, a_shape, b_shape, rng);
    }
    for (const auto& [a_shape, b_shape] : fixed) {
      check_binary(c, a_shape, b_shape, rng);
      check_binary(c, b_shape, a_shape, rng);
    }
  }
}

// One operand a leaf that does not require grad: it gets no gradient, the other one does.
TEST_P(GradCheck, BinaryOpsWithAConstantOperand) {
  Rng rng = test_rng();
  for (const BinaryOpCase& c : binary_cases()) {
    for (const bool a_requires_grad : {true, false}) {
      const auto [a_shape, b_shape] = grad_broadcast_pair(rng);
      const Tensor a = random_strided(rng, a_shape, DType::Float64, c.smooth_a);
      const Tensor b = random_strided(rng, b_shape, DType::Float64, c.smooth_b);
      (a_requires_grad ? a : b).set_requires_grad();
      SCOPED_TRACE(cat(op_name(c.op), " a ", describe(a), " b ", describe(b)));
      EXPECT_TRUE(
          gradcheck([&](const Inputs& in) { return zip(c.op, in[0], in[1]); }, {a, b}, rng));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Reductions over random dims (with and without keepdim) and over all dims.
// ---------------------------------------------------------------------------------------------

struct ReduceCase {
  const char* name;
  std::function<Tensor(const Tensor&, const Dims&, bool)> fn;
  ValueGen values;
};

TEST_P(GradCheck, Reductions) {
  // Every reduce op of the table (prod's values away from 0: zeros have their own test; no
  // ties for max and min: ties have their own test), and mean.
  std::vector<ReduceCase> cases;
  for (const ReduceOpCase& c : kReduceOpCases)
    cases.push_back(
        {op_name(c.op),
         [op = c.op](const Tensor& x, const Dims& d, bool k) { return reduce(op, x, d, k); },
         c.domain});
  cases.push_back({"mean", [](const Tensor& x, const Dims& d, bool k) { return mean(x, d, k); },
                   uniform_values(-2, 2)});
  Rng rng = test_rng();
  for (const ReduceCase& c : cases) {
    for (int seed = 0; seed < kSeeds; ++seed) {
      const Tensor x = leaf(rng, grad_shape(rng), c.values);
      const Dims dims = random_reduce_dims(rng, x.dim());
      const bool keepdim = chance(rng, 0.5);
      SCOPED_TRACE(cat(c.name, " dims ", dims, " keepdim ", keepdim, " x ", describe(x)));
      EXPECT_TRUE(
          gradcheck([&](const Inputs& in) { return c.fn(in[0], dims, keepdim); }, {x}, rng));
      EXPECT_TRUE(gradcheck([&](const Inputs& in) { return c.fn(in[0], {}, false); }, {x}, rng));
    }
  }
  // The single-dim overload of the primitive.
  const Tensor x = leaf(rng, {3, 4});
  EXPECT_TRUE(
      gradcheck([](const Inputs& in) { return reduce(ReduceOp::Max, in[0], -1); }, {x}, rng));
}

// The product of the elements of x's slice along `dim` through `index`, except `index` itself.
double product_of_others(const Tensor& x, int dim, const Dims& index) {
  double product = 1;
  Dims other = index;
  for (int64_t k = 0; k < x.shape()[dim]; ++k) {
    other[dim] = k;
    if (k != index[dim]) product *= x.get(other);
  }
  return product;
}

// Index `index` with dim `dim` removed (or set to 0 with keepdim).
Dims reduced_index(const Dims& index, int dim, bool keepdim) {
  Dims out = index;
  if (keepdim)
    out[dim] = 0;
  else
    out.erase(dim);
  return out;
}

// prod's gradient is the product of the others, also where the slice holds zeros: one zero
// gets the product of the rest and the others 0; with two zeros everything is 0.
TEST_P(GradCheck, ProdWithZeros) {
  Rng rng = test_rng();
  for (int seed = 0; seed < 2 * kSeeds; ++seed) {
    Dims shape = grad_shape(rng, 1, 3);
    const int dim = static_cast<int>(uniform_int(rng, 0, shape.size() - 1));
    shape[dim] = uniform_int(rng, 3, 5);
    const bool keepdim = chance(rng, 0.5);
    const Tensor x = leaf(rng, shape, signed_values(0.5, 1.5));
    // Per slice: no zero, one zero or two zeros, at random places.
    const int n = static_cast<int>(shape[dim]);
    Dims slices = shape;
    slices[dim] = 1;
    int zeros_placed = 0;
    for_each_index(slices, [&](const Dims& slice) {
      const int64_t zeros = uniform_int(rng, 0, 2);
      const int64_t first = uniform_int(rng, 0, n - 1);
      const int64_t second = (first + uniform_int(rng, 1, n - 1)) % n;
      Dims index = slice;
      for (int64_t z = 0; z < zeros; ++z) {
        index[dim] = z == 0 ? first : second;
        x.set(index, 0);
        ++zeros_placed;
      }
    });
    SCOPED_TRACE(
        cat("dim ", dim, " keepdim ", keepdim, " zeros ", zeros_placed, " x ", describe(x)));
    const Tensor out = prod(x, {dim}, keepdim);
    const Tensor w = random_strided(rng, out.shape(), DType::Float64, -1, 1);
    sum(out * w).backward();
    EXPECT_TRUE(all_close(x.grad(), shape, DType::Float64, [&](const Dims& index) {
      return w.get(reduced_index(index, dim, keepdim)) * product_of_others(x, dim, index);
    }));
    // prod is linear in each element, so the difference quotient is exact at zeros too.
    EXPECT_TRUE(gradcheck([&](const Inputs& in) { return prod(in[0], {dim}, keepdim); }, {x}, rng));
  }
  // Over all dims: one zero, then two.
  const Tensor x = leaf(rng, {2, 3}, signed_values(0.5, 1.5));
  x.set({1, 2}, 0);
  const auto all_others = [&](const Dims& index) {
    double product = 1;
    for_each_index(x.shape(), [&](const Dims& other) {
      if (!(other == index)) product *= x.get(other);
    });
    return product;
  };
  prod(x).backward();
  EXPECT_TRUE(all_close(x.grad(), {2, 3}, DType::Float64, all_others));
  EXPECT_NE(x.grad().get({1, 2}), 0);
  x.zero_grad();
  x.set({0, 0}, 0);
  prod(x).backward();
  EXPECT_TRUE(all_close(x.grad(), {2, 3}, DType::Float64, [](const Dims&) { return 0.0; }));
}

// max / min with ties: the gradient is split evenly among the elements equal to the result.
TEST_P(GradCheck, MaxMinTiesSplitEvenly) {
  Rng rng = test_rng();
  for (const bool is_max : {true, false}) {
    for (int seed = 0; seed < kSeeds; ++seed) {
      Dims shape = grad_shape(rng, 1, 3);
      const int dim = static_cast<int>(uniform_int(rng, 0, shape.size() - 1));
      shape[dim] = uniform_int(rng, 2, 5);
      // Values from {-1, 0, 1}: many ties.
      const Tensor x =
          leaf(rng, shape, [](Rng& r) { return static_cast<double>(uniform_int(r, -1, 1)); });
      const bool keepdim = chance(rng, 0.5);
      SCOPED_TRACE(
          cat(is_max ? "max" : "min", " dim ", dim, " keepdim ", keepdim, " x ", describe(x)));
      const Tensor out = is_max ? max(x, {dim}, keepdim) : min(x, {dim}, keepdim);
      const Tensor w = random_strided(rng, out.shape(), DType::Float64, -1, 1);
      sum(out * w).backward();
      EXPECT_TRUE(all_close(x.grad(), shape, DType::Float64, [&](const Dims& index) {
        double best = x.get(index);
        int ties = 0;
        Dims other = index;
        for (int64_t k = 0; k < shape[dim]; ++k) {
          other[dim] = k;
          const double v = x.get(other);
          if (is_max ? v > best : v < best) best = v;
        }
        for (int64_t k = 0; k < shape[dim]; ++k) {
          other[dim] = k;
          ties += x.get(other) == best ? 1 : 0;
        }
        const double g = w.get(reduced_index(index, dim, keepdim));
        return x.get(index) == best ? g / ties : 0.0;
      }));
    }
  }
  // Over all dims: three elements hold the max, two the min.
  const Tensor x = leaf(rng, {2, 3});
  const std::vector<double> values = {2, -1, 2, 0.5, 2, -1};
  for (int i = 0; i < 6; ++i)
    x.set({i / 3, i % 3}, values[i]);
  max(x).backward();
  EXPECT_TRUE(all_close(x.grad(), {2, 3}, DType::Float64,
                        [&](const Dims& i) { return values[i[0] * 3 + i[1]] == 2 ? 1.0 / 3 : 0; }));
  x.zero_grad();
  (min(x) * 4.0).backward();
  EXPECT_TRUE(all_close(x.grad(), {2, 3}, DType::Float64,
                        [&](const Dims& i) { return values[i[0] * 3 + i[1]] == -1 ? 2.0 : 0; }));
}

// maximum / minimum (binary) on ties: each operand gets half.
TEST_P(GradCheck, MaximumMinimumTiesSplitEvenly) {
  Rng rng = test_rng();
  const Tensor a = leaf(rng, {2, 3});
  const Tensor b = random_strided(rng, {2, 3}, DType::Float64, -2, 2);
  b.set({0, 1}, a.get({0, 1}));
  b.set({1, 2}, a.get({1, 2}));
  b.set_requires_grad();
  const Tensor w = random_strided(rng, {2, 3}, DType::Float64, -1, 1);
  for (const bool is_max : {true, false}) {
    SCOPED_TRACE(is_max ? "maximum" : "minimum");
    a.zero_grad();
    b.zero_grad();
    sum((is_max ? maximum(a, b) : minimum(a, b)) * w).backward();
    const auto share = [&w, is_max](const Tensor& self, const Tensor& other) {
      return [self, other, &w, is_max](const Dims& i) {
        const double x = self.get(i), y = other.get(i);
        if (x == y) return w.get(i) / 2;
        return (is_max ? x > y : x < y) ? w.get(i) : 0.0;
      };
    };
    EXPECT_TRUE(all_close(a.grad(), {2, 3}, DType::Float64, share(a, b)));
    EXPECT_TRUE(all_close(b.grad(), {2, 3}, DType::Float64, share(b, a)));
  }
}

// Reductions whose reduced dims all have size 1: the result holds the input's elements, so the
// gradient is the upstream gradient itself (for prod too, zeros included).
TEST_P(GradCheck, ReductionsOverSizeOneDims) {
  const std::vector<std::pair<Dims, Dims>> shapes = {
      {{3, 1}, {1}}, {{1, 4}, {0}}, {{2, 1, 3, 1}, {1, 3}}, {{1, 2}, {-2}}, {{2, 1, 3}, {-2}}};
  const std::vector<std::pair<const char*, Tensor (*)(const Tensor&, const Dims&, bool)>> ops = {
      {"sum", [](const Tensor& x, const Dims& d, bool k) { return sum(x, d, k); }},
      {"prod", [](const Tensor& x, const Dims& d, bool k) { return prod(x, d, k); }},
      {"max", [](const Tensor& x, const Dims& d, bool k) { return max(x, d, k); }},
      {"min", [](const Tensor& x, const Dims& d, bool k) { return min(x, d, k); }},
      {"mean", [](const Tensor& x, const Dims& d, bool k) { return mean(x, d, k); }},
  };
  Rng rng = test_rng();
  for (const auto& [name, fn] : ops) {
    for (const auto& [shape, dims] : shapes) {
      for (const bool keepdim : {false, true}) {
        const Tensor x = leaf(rng, shape, signed_values(0.5, 1.5));
        x.set(Dims::filled(shape.size(), 0), 0);
        SCOPED_TRACE(cat(name, " dims ", dims, " keepdim ", keepdim, " x ", describe(x)));
        const Tensor out = fn(x, dims, keepdim);
        const Tensor w = random_strided(rng, out.shape(), DType::Float64, -1, 1);
        sum(out * w).backward();
        // Every dim of size 1 is reduced here: without keepdim, w's index drops them.
        EXPECT_TRUE(all_close(x.grad(), shape, DType::Float64, [&](const Dims& i) {
          Dims kept;
          for (int d = 0; d < i.size(); ++d)
            if (keepdim || shape[d] != 1) kept.push_back(i[d]);
          return w.get(kept);
        }));
        EXPECT_TRUE(
            gradcheck([&](const Inputs& in) { return fn(in[0], dims, keepdim); }, {x}, rng));
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Views and copies: the gradient lands on the elements each view picked.
// ---------------------------------------------------------------------------------------------

TEST_P(GradCheck, PermuteAndTranspose) {
  Rng rng = test_rng();
  for (int seed = 0; seed < kSeeds; ++seed) {
    const Tensor x = leaf(rng, grad_shape(rng));
    const Dims order = random_permutation(rng, x.dim());
    SCOPED_TRACE(cat("permute ", order, " x ", describe(x)));
    EXPECT_TRUE(gradcheck([&](const Inputs& in) { return in[0].permute(order); }, {x}, rng));
    if (x.dim() == 0) continue;
    const int64_t d0 = random_dim(rng, x.dim()), d1 = random_dim(rng, x.dim());
    SCOPED_TRACE(cat("transpose ", d0, " ", d1));
    EXPECT_TRUE(gradcheck([&](const Inputs& in) { return in[0].transpose(d0, d1); }, {x}, rng));
  }
}

TEST_P(GradCheck, ViewAndReshape) {
  Rng rng = test_rng();
  for (int seed = 0; seed < kSeeds; ++seed) {
    // A contiguous leaf views as any shape with its element count.
    const Tensor contiguous_leaf = random_strided(rng, grad_shape(rng), DType::Float64, -2, 2)
                                       .contiguous()
                                       .set_requires_grad();
    const Dims target = random_regroup(rng, contiguous_leaf.numel());
    SCOPED_TRACE(cat("view ", target, " x ", describe(contiguous_leaf)));
    EXPECT_TRUE(contiguous_leaf.view(target).shares_storage(contiguous_leaf));
    EXPECT_TRUE(
        gradcheck([&](const Inputs& in) { return in[0].view(target); }, {contiguous_leaf}, rng));

    // A leaf narrowed in its outer dim (offset, gap) still views when the inner dims merge.
    const int64_t n = uniform_int(rng, 1, 3), a = uniform_int(rng, 1, 4),
                  b = uniform_int(rng, 1, 4);
    const Tensor base = random_strided(rng, {n + 2, a, b}, DType::Float64, -2, 2).contiguous();
    const Tensor narrowed = base.narrow(0, 1, n).set_requires_grad();
    SCOPED_TRACE(cat("narrowed ", describe(narrowed)));
    for (const Dims& shape : {Dims{n, a * b}, Dims{-1, b}, Dims{n, 1, a, b, 1}}) {
      EXPECT_TRUE(narrowed.view(shape).shares_storage(narrowed));
      EXPECT_TRUE(narrowed.reshape(shape).shares_storage(narrowed));
      EXPECT_TRUE(gradcheck([&](const Inputs& in) { return in[0].view(shape); }, {narrowed}, rng));
      EXPECT_TRUE(
          gradcheck([&](const Inputs& in) { return in[0].reshape(shape); }, {narrowed}, rng));
    }

    // A transposed leaf must copy to flatten.
    const Tensor transposed =
        random_strided(rng, {a + 1, b + 1}, DType::Float64, -2, 2).contiguous().transpose(0, 1);
    transposed.set_requires_grad();
    SCOPED_TRACE(cat("transposed ", describe(transposed)));
    EXPECT_FALSE(transposed.reshape({-1}).shares_storage(transposed));
    EXPECT_TRUE(
        gradcheck([&](const Inputs& in) { return in[0].reshape({-1}); }, {transposed}, rng));

    // random_strided leaves in random shapes: views or copies, whichever reshape picks.
    const Tensor x = leaf(rng, grad_shape(rng));
    const Dims regrouped = random_regroup(rng, x.numel());
    SCOPED_TRACE(cat("reshape ", regrouped, " x ", describe(x)));
    EXPECT_TRUE(gradcheck([&](const Inputs& in) { return in[0].reshape(regrouped); }, {x}, rng));
  }
}

TEST_P(GradCheck, Expand) {
  Rng rng = test_rng();
  for (int seed = 0; seed < 2 * kSeeds; ++seed) {
    // Source: a target shape with leading dims dropped and some dims set to 1.
    const Dims target = grad_shape(rng, 1, 4);
    Dims source;
    const int64_t drop = uniform_int(rng, 0, target.size());
    Dims request = target;
    for (int d = static_cast<int>(drop); d < target.size(); ++d) {
      const bool ones = chance(rng, 0.5);
      source.push_back(ones ? 1 : target[d]);
      if (!ones && chance(rng, 0.3)) request[d] = -1;  // -1 keeps the size
    }
    const Tensor x = leaf(rng, source);
    SCOPED_TRACE(cat("expand ", describe(x), " to ", request));
    EXPECT_TRUE(gradcheck([&](const Inputs& in) { return in[0].expand(request); }, {x}, rng));
  }
}

TEST_P(GradCheck, NarrowSliceSelect) {
  Rng rng = test_rng();
  for (int seed = 0; seed < 2 * kSeeds; ++seed) {
    const Tensor x = leaf(rng, grad_shape(rng, 1, 4));
    const int64_t dim = random_dim(rng, x.dim());
    const int64_t size = x.size(dim);
    const int64_t start = uniform_int(rng, 0, size - 1);
    const int64_t length = uniform_int(rng, 1, size - start);
    const int64_t narrow_start = chance(rng, 0.5) ? start : start - size;
    SCOPED_TRACE(cat("narrow ", dim, " ", narrow_start, " ", length, " x ", describe(x)));
    EXPECT_TRUE(gradcheck([&](const Inputs& in) { return in[0].narrow(dim, narrow_start, length); },
                          {x}, rng));

    const int64_t lo = uniform_int(rng, -size - 1, size), hi = uniform_int(rng, -size, size + 1);
    const int64_t step = uniform_int(rng, 1, 3);
    SCOPED_TRACE(cat("slice ", dim, " ", lo, ":", hi, ":", step));
    EXPECT_TRUE(
        gradcheck([&](const Inputs& in) { return in[0].slice(dim, lo, hi, step); }, {x}, rng));

    const int64_t index = uniform_int(rng, -size, size - 1);
    SCOPED_TRACE(cat("select ", dim, " ", index));
    EXPECT_TRUE(gradcheck([&](const Inputs& in) { return in[0].select(dim, index); }, {x}, rng));
  }
  // A stepped slice that skips elements: those get exactly zero.
  const Tensor x = leaf(rng, {7, 2});
  const Tensor w = random_strided(rng, {3, 2}, DType::Float64, -1, 1);
  sum(x.slice(0, 1, 7, 2) * w).backward();
  EXPECT_TRUE(all_close(x.grad(), {7, 2}, DType::Float64, [&](const Dims& i) {
    return i[0] % 2 == 1 ? w.get({i[0] / 2, i[1]}) : 0.0;
  }));
}

TEST_P(GradCheck, UnsqueezeSqueeze) {
  Rng rng = test_rng();
  for (int seed = 0; seed < kSeeds; ++seed) {
    const Tensor x = leaf(rng, grad_shape(rng));
    const int rank = x.dim();
    const int64_t at = uniform_int(rng, -rank - 1, rank);
    SCOPED_TRACE(cat("unsqueeze ", at, " x ", describe(x)));
    EXPECT_TRUE(gradcheck([&](const Inputs& in) { return in[0].unsqueeze(at); }, {x}, rng));

    Dims shape = grad_shape(rng, 0, 3);
    const int64_t one = uniform_int(rng, 0, shape.size());
    shape.insert(static_cast<int>(one), 1);
    const Tensor y = leaf(rng, shape);
    const int64_t squeeze_dim = chance(rng, 0.5) ? one : one - shape.size();
    SCOPED_TRACE(cat("squeeze ", squeeze_dim, " y ", describe(y)));
    EXPECT_TRUE(gradcheck([&](const Inputs& in) { return in[0].squeeze(squeeze_dim); }, {y}, rng));
  }
}

TEST_P(GradCheck, ContiguousAndClone) {
  Rng rng = test_rng();
  for (int seed = 0; seed < kSeeds; ++seed) {
    const Tensor x = leaf(rng, grad_shape(rng, 2, 4));
    SCOPED_TRACE(describe(x));
    EXPECT_EQ(x.contiguous().shares_storage(x), x.is_contiguous());
    EXPECT_TRUE(gradcheck([](const Inputs& in) { return in[0].contiguous(); }, {x}, rng));
    EXPECT_TRUE(gradcheck([](const Inputs& in) { return in[0].clone(); }, {x}, rng));
  }
  // contiguous() of a contiguous leaf is the leaf itself.
  const Tensor y =
      random_strided(rng, {2, 3}, DType::Float64, -2, 2).contiguous().set_requires_grad();
  EXPECT_TRUE(y.contiguous().is_same(y));
  EXPECT_TRUE(gradcheck([](const Inputs& in) { return in[0].contiguous(); }, {y}, rng));
}

// to(): the gradient comes back in the leaf's dtype. Values and steps are dyadic, so that the
// float32 casts are exact and the difference quotient stays float64-accurate.
TEST_P(GradCheck, DTypeCasts) {
  Rng rng = test_rng();
  // h = 2^-16: truncation error ~h^2 / 6 ~ 4e-11; float32 gradients are rounded to ~6e-8.
  const GradCheckOptions dyadic{.h = std::ldexp(1, -16)};
  for (int seed = 0; seed < kSeeds; ++seed) {
    const Dims shape = grad_shape(rng);
    const Tensor x32 = leaf(rng, shape, dyadic_values(), DType::Float32);
    SCOPED_TRACE(cat("float32 -> float64 ", describe(x32)));
    EXPECT_TRUE(gradcheck([](const Inputs& in) { return exp(in[0].to(DType::Float64)); }, {x32},
                          rng, dyadic));
    EXPECT_EQ(x32.grad().dtype(), DType::Float32);

    const Tensor x64 = leaf(rng, shape, dyadic_values());
    SCOPED_TRACE(cat("float64 -> float32 -> float64 ", describe(x64)));
    EXPECT_TRUE(gradcheck(
        [](const Inputs& in) { return exp(in[0].to(DType::Float32).to(DType::Float64)) * in[0]; },
        {x64}, rng, dyadic));
    EXPECT_EQ(x64.grad().dtype(), DType::Float64);
  }
}

// A chain of views over one leaf.
TEST_P(GradCheck, ViewChain) {
  Rng rng = test_rng();
  for (int seed = 0; seed < kSeeds; ++seed) {
    const int64_t a = uniform_int(rng, 1, 4), b = uniform_int(rng, 1, 4),
                  c = uniform_int(rng, 1, 4);
    const Tensor x = leaf(rng, {a, b, c});
    SCOPED_TRACE(describe(x));
    const auto f = [&](const Inputs& in) {
      return in[0]
          .transpose(0, 2)                   // (c, b, a)
          .slice(1, 0, b, 2)                 // (c, ceil(b/2), a)
          .unsqueeze(0)                      // (1, c, ceil(b/2), a)
          .expand({2, -1, -1, -1})           // (2, c, ceil(b/2), a)
          .select(3, a - 1)                  // (2, c, ceil(b/2))
          .reshape({2, -1})                  // (2, c * ceil(b/2))
          .narrow(1, 0, c * ((b + 1) / 2));  // all of it
    };
    EXPECT_TRUE(gradcheck(f, {x}, rng));
  }
}

// ---------------------------------------------------------------------------------------------
// matmul in each of numpy's forms.
// ---------------------------------------------------------------------------------------------

TEST_P(GradCheck, Matmul) {
  Rng rng = test_rng();
  for (int seed = 0; seed < kSeeds; ++seed) {
    const int64_t n = uniform_int(rng, 1, 4), k = uniform_int(rng, 1, 4),
                  m = uniform_int(rng, 1, 4);
    const int64_t batch = uniform_int(rng, 2, 3);
    const std::vector<std::pair<Dims, Dims>> shapes = {
        {{n, k}, {k, m}},                // 2-D
        {{k}, {k, m}},                   // 1-D @ 2-D
        {{n, k}, {k}},                   // 2-D @ 1-D
        {{k}, {k}},                      // 1-D @ 1-D
        {{batch, n, k}, {batch, k, m}},  // batched
        {{2, 1, n, k}, {3, k, m}},       // broadcast batch
        {{batch, n, k}, {k, m}},         // the folded weight path
        {{n, k}, {batch, k, m}},         // unbatched left operand
        {{k}, {batch, k, m}},            // 1-D @ batched
        {{batch, n, k}, {k}},            // batched @ 1-D
        {{2, 1, n, k}, {1, 3, k, m}},    // both broadcast
    };
    for (const auto& [a_shape, b_shape] : shapes) {
      const Tensor a = leaf(rng, a_shape, -1, 1), b = leaf(rng, b_shape, -1, 1);
      SCOPED_TRACE(cat("a ", describe(a), " b ", describe(b)));
      EXPECT_TRUE(gradcheck([](const Inputs& in) { return matmul(in[0], in[1]); }, {a, b}, rng));
    }
    // One leaf on both sides.
    const Tensor x = leaf(rng, {k, k}, -1, 1);
    SCOPED_TRACE(cat("x @ x, x ", describe(x)));
    EXPECT_TRUE(gradcheck([](const Inputs& in) { return matmul(in[0], in[0]); }, {x}, rng));
    EXPECT_TRUE(
        gradcheck([](const Inputs& in) { return matmul(in[0], in[0].transpose(0, 1)); }, {x}, rng));
  }
}

// ---------------------------------------------------------------------------------------------
// The compositions.
// ---------------------------------------------------------------------------------------------

constexpr GradCheckOptions kLogOptions{0.1, 1e-6, 1e-7 * 1e-5};

struct CompositionCase {
  const char* name;
  std::function<Tensor(const Tensor&)> fn;
  GradCheckOptions options = {};
};

TEST_P(GradCheck, OneArgumentCompositions) {
  const std::vector<CompositionCase> cases = {
      {"-a", [](const Tensor& a) { return -a; }},
      {"5+a", [](const Tensor& a) { return 5.0 + a; }},
      {"a*a", [](const Tensor& a) { return a * a; }},
      {"a*a*a", [](const Tensor& a) { return a * a * a; }},
      {"a-5", [](const Tensor& a) { return a - 5.0; }},
      {"5*a", [](const Tensor& a) { return 5.0 * a; }},
      {"a/5", [](const Tensor& a) { return a / 5.0; }},
      {"1/(a+3.5)", [](const Tensor& a) { return 1.0 / (a + 3.5); }},
      {"sigmoid(a)", [](const Tensor& a) { return sigmoid(a); }},
      // d/da ~ 1e-5: the rounding of a + 1e5 and of log's ~11.5 swamps a 1e-6 step; with h = 0.1
      // the truncation error is ~h^2 / (3 (a + 1e5)^2) ~ 3e-13 relative. The default abs would
      // pass anything here: scale it with the derivative, 1e-7 * 1e-5.
      {"log(a+100000)", [](const Tensor& a) { return log(a + 100000.0); }, kLogOptions},
      {"relu(a+5.5)", [](const Tensor& a) { return relu(a + 5.5); }},
      // Gradients ~e^-200 ~ 1e-87: abs scaled the same way, to 1e-7 e^-200.
      {"exp(a-200)",
       [](const Tensor& a) { return exp(a - 200.0); },
       {1e-6, 1e-6, 1e-7 * std::exp(-200.0)}},
      // The sum's gradient is the log term's (the exp term is 1e-82 times smaller).
      {"log(a+100000)+exp(a-200)",
       [](const Tensor& a) { return log(a + 100000.0) + exp(a - 200.0); }, kLogOptions},
      // sigmoid's argument is >= 50, so in float64 sigmoid = 1 and the loss moves by ~1e-22:
      // this only checks that the gradient is ~0 (SaturatedComposite checks its value).
      {"log(sigmoid(relu(relu(10a+7)*6+5)*10))/50",
       [](const Tensor& a) {
         return log(sigmoid(relu(relu(10.0 * a + 7.0) * 6.0 + 5.0) * 10.0)) / 50.0;
       }},
  };
  Rng rng = test_rng();
  for (const CompositionCase& c : cases) {
    for (int seed = 0; seed < kSeeds; ++seed) {
      const Tensor a = leaf(rng, grad_shape(rng), -1, 1);
      SCOPED_TRACE(cat(c.name, " a ", describe(a)));
      EXPECT_TRUE(gradcheck([&](const Inputs& in) { return c.fn(in[0]); }, {a}, rng, c.options));
    }
  }
}

// The saturated composition against its closed form: for a > -0.7, u = 10 (6 (10a + 7) + 5) and
// d/da log(sigmoid(u)) / 50 = 12 sigmoid(-u) = 12 e^-u / (1 + e^-u); for a < -0.7 it is 0.
TEST_P(GradCheck, SaturatedComposite) {
  Rng rng = test_rng();
  for (int seed = 0; seed < kSeeds; ++seed) {
    // u in [50, 290]: e^-u is a normal float64.
    const Tensor a = leaf(rng, grad_shape(rng), -1, -0.3);
    const Tensor y = log(sigmoid(relu(relu(10.0 * a + 7.0) * 6.0 + 5.0) * 10.0)) / 50.0;
    const Tensor w = random_strided(rng, y.shape(), DType::Float64, -1, 1);
    sum(y * w).backward();
    SCOPED_TRACE(describe(a));
    EXPECT_TRUE(all_close(
        a.grad(), a.shape(), DType::Float64,
        [&](const Dims& i) {
          const double x = a.get(i);
          if (x < -0.7) return 0.0;
          const double e = std::exp(-10 * (6 * (10 * x + 7) + 5));
          return w.get(i) * 12 * e / (1 + e);
        },
        Tolerance{1e-10, 0}));
  }
}

struct TwoArgumentCase {
  const char* name;
  Tensor (*fn)(const Tensor&, const Tensor&);
};

// a + b, a * b, a / (b + 5.5) with equal shapes and with broadcasting: one operand replaced by
// the other's sum over dim 0 (inside f, so that the gradient flows through the sum too).
TEST_P(GradCheck, TwoArgumentCompositions) {
  const std::vector<TwoArgumentCase> cases = {
      {"a+b", [](const Tensor& a, const Tensor& b) { return a + b; }},
      {"a*b", [](const Tensor& a, const Tensor& b) { return a * b; }},
      // |sum over dim 0 of b| <= 4 < 5.5.
      {"a/(b+5.5)", [](const Tensor& a, const Tensor& b) { return a / (b + 5.5); }},
  };
  Rng rng = test_rng();
  for (const TwoArgumentCase& c : cases) {
    for (int seed = 0; seed < kSeeds; ++seed) {
      const Dims shape = grad_shape(rng, 1, 4);
      const Tensor a = leaf(rng, shape, -1, 1), b = leaf(rng, shape, -1, 1);
      SCOPED_TRACE(cat(c.name, " a ", describe(a), " b ", describe(b)));
      EXPECT_TRUE(gradcheck([&](const Inputs& in) { return c.fn(in[0], in[1]); }, {a, b}, rng));
      EXPECT_TRUE(
          gradcheck([&](const Inputs& in) { return c.fn(in[0], sum(in[1], {0})); }, {a, b}, rng));
      EXPECT_TRUE(
          gradcheck([&](const Inputs& in) { return c.fn(sum(in[0], {0}), in[1]); }, {a, b}, rng));
      EXPECT_TRUE(
          gradcheck([&](const Inputs& in) { return c.fn(in[0], sum(in[0], {0})); }, {a}, rng));
    }
  }
}

TEST_P(GradCheck, ReductionCompositions) {
  Rng rng = test_rng();
  for (int seed = 0; seed < kSeeds; ++seed) {
    const Tensor a = leaf(rng, grad_shape(rng, 1, 4), -1, 1);
    const int64_t d = random_dim(rng, a.dim());
    SCOPED_TRACE(cat("dim ", d, " a ", describe(a)));
    EXPECT_TRUE(gradcheck([&](const Inputs& in) { return sum(in[0], {d}); }, {a}, rng));
    EXPECT_TRUE(gradcheck([&](const Inputs& in) { return mean(in[0], {d}); }, {a}, rng));
    EXPECT_TRUE(gradcheck([&](const Inputs& in) { return mean(in[0]); }, {a}, rng));
    // With broadcasting against a.sum(0).
    EXPECT_TRUE(
        gradcheck([&](const Inputs& in) { return sum(in[0] * sum(in[0], {0}), {d}); }, {a}, rng));
    EXPECT_TRUE(
        gradcheck([&](const Inputs& in) { return mean(in[0] + sum(in[0], {0}, true), {d}, true); },
                  {a}, rng));
    EXPECT_TRUE(gradcheck([&](const Inputs& in) { return mean(in[0] / (sum(in[0], {0}) + 5.5)); },
                          {a}, rng));
  }
}

TEST_P(GradCheck, PermuteAndMatmulCompositions) {
  Rng rng = test_rng();
  for (int seed = 0; seed < kSeeds; ++seed) {
    const Tensor a = leaf(rng, grad_shape(rng, 1, 4), -1, 1);
    const Dims order = random_permutation(rng, a.dim());
    SCOPED_TRACE(cat("permute ", order, " a ", describe(a)));
    EXPECT_TRUE(gradcheck(
        [&](const Inputs& in) { return sigmoid(in[0].permute(order)) * in[0].permute(order); }, {a},
        rng));

    const int64_t n = uniform_int(rng, 1, 4), k = uniform_int(rng, 1, 4),
                  m = uniform_int(rng, 1, 4);
    const Tensor x = leaf(rng, {n, k}, -1, 1), y = leaf(rng, {k, m}, -1, 1);
    const Tensor bias = leaf(rng, {m}, -1, 1);
    SCOPED_TRACE(cat("x ", describe(x), " y ", describe(y)));
    EXPECT_TRUE(gradcheck([](const Inputs& in) { return sigmoid(matmul(in[0], in[1]) + in[2]); },
                          {x, y, bias}, rng));
    const Tensor bx = leaf(rng, {2, 1, n, k}, -1, 1), by = leaf(rng, {3, k, m}, -1, 1);
    SCOPED_TRACE(cat("bx ", describe(bx), " by ", describe(by)));
    EXPECT_TRUE(gradcheck([](const Inputs& in) { return tanh(matmul(in[0], in[1])) * 3.0; },
                          {bx, by}, rng));
  }
}

// ---------------------------------------------------------------------------------------------
// cpu_par against cpu_seq: the same gradients within rounding, on inputs big enough for the
// parallel loops to split (elementwise and reduce grains are 32K elements).
// ---------------------------------------------------------------------------------------------

class BackendRestore {
 public:
  ~BackendRestore() { set_default_backend(previous_); }

 private:
  std::string previous_ = default_backend().name();
};

struct BackendCase {
  const char* name;
  std::vector<Tensor> inputs;
  Fn fn;
};

std::vector<Tensor> gradients_on(const std::string& backend, const BackendCase& c,
                                 const Tensor& w) {
  set_default_backend(backend);
  for (const Tensor& x : c.inputs)
    x.zero_grad();
  sum(c.fn(c.inputs) * w).backward();
  std::vector<Tensor> grads;
  for (const Tensor& x : c.inputs)
    grads.push_back(x.grad());
  return grads;
}

TEST(GradCheckBackends, ParallelMatchesSequential) {
  const BackendRestore restore;
  Rng rng = test_rng();
  std::vector<BackendCase> cases;
  for (const DType dtype : {DType::Float64, DType::Float32}) {
    const auto make = [&](const Dims& shape, const ValueGen& values) {
      Tensor t = random_strided(rng, shape, dtype, values);
      t.set_requires_grad();
      return t;
    };
    cases.push_back({"elementwise + broadcast",
                     {make({200, 300}, uniform_values(-2, 2)), make({300}, uniform_values(-2, 2))},
                     [](const Inputs& in) {
                       return sigmoid(in[0] * in[1]) + exp(in[0] - in[1]) / (1.0 + in[1] * in[1]);
                     }});
    cases.push_back(
        {"reductions", {make({64, 50, 30}, signed_values(0.8, 1.25))}, [](const Inputs& in) {
           return prod(in[0], {2}, true) + max(in[0], {0}, true) +
                  mean(in[0], {1}, true) * min(in[0], {0, 2}, true);
         }});
    cases.push_back(
        {"folded matmul",
         {make({8, 64, 96}, uniform_values(-1, 1)), make({96, 80}, uniform_values(-1, 1))},
         [](const Inputs& in) { return tanh(matmul(in[0], in[1])); }});
    cases.push_back(
        {"broadcast batch matmul",
         {make({4, 1, 32, 48}, uniform_values(-1, 1)), make({3, 48, 40}, uniform_values(-1, 1))},
         [](const Inputs& in) { return matmul(in[0], in[1]); }});
  }
  for (const BackendCase& c : cases) {
    const DType dtype = c.inputs[0].dtype();
    Tensor out;
    {
      NoGradGuard no_grad;
      out = c.fn(c.inputs);
    }
    const Tensor w = random_strided(rng, out.shape(), dtype, -1, 1);
    const std::vector<Tensor> seq = gradients_on("cpu_seq", c, w);
    const std::vector<Tensor> par = gradients_on("cpu_par", c, w);
    for (size_t n = 0; n < c.inputs.size(); ++n) {
      SCOPED_TRACE(cat(c.name, " ", dtype, " input ", n, " ", describe(c.inputs[n])));
      // Rounding differs with the order of the sums; measure it against the largest element.
      double scale = 0;
      for_each_index(seq[n].shape(),
                     [&](const Dims& i) { scale = std::max(scale, std::abs(seq[n].get(i))); });
      ASSERT_GT(scale, 0);
      const Tolerance tol = dtype == DType::Float64 ? Tolerance{1e-12, 0} : Tolerance{1e-5, 0};
      EXPECT_TRUE(all_close(
          par[n], c.inputs[n].shape(), dtype,
          [&](const Dims& i) {
            return Expected{seq[n].get(i), scale};
          },
          tol));
    }
  }
}

}  // namespace
}  // namespace mt::test
