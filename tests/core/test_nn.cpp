// The nn building blocks: Linear, the losses and the softmax family, and the optimizers. Every
// expected value is recomputed here in plain double loops over to_vector() data (formulas and
// torch.optim's update rules restated), never with the library's ops.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "mt.hpp"
#include "test_support.hpp"

namespace {

using mt::Dims;
using mt::DType;
using mt::ErrorCode;
using mt::Generator;
using mt::Tensor;
using mt::nn::Reduction;
using mt::test::all_close;
using mt::test::Expected;
using mt::test::for_each_index;
using mt::test::random_strided;
using mt::test::ScaledExpectedFn;
using mt::test::throws_error;
using mt::test::Tolerance;
using Vec = std::vector<double>;

const char* name_of(DType dtype) { return mt::dtype_name(dtype); }

// Slightly looser than default_tolerance: the library sums and exponentiates in `dtype`, the
// references in double.
Tolerance tol(DType dtype) {
  return dtype == DType::Float32 ? Tolerance{3e-5, 3e-6} : Tolerance{1e-11, 1e-13};
}

Vec values(const Tensor& t) { return mt::to_vector<double>(t); }

int64_t flat(const Dims& shape, const Dims& index) {
  int64_t f = 0;
  for (int d = 0; d < shape.size(); ++d)
    f = f * shape[d] + index[d];
  return f;
}

// `actual` has `shape` and `dtype` and matches `expected` (row-major), each element within
// `tolerance` scaled by `scale[i]` when given.
::testing::AssertionResult matches(const Tensor& actual, const Dims& shape, DType dtype,
                                   const Vec& expected, Tolerance tolerance,
                                   const Vec& scale = {}) {
  if (static_cast<int64_t>(expected.size()) != mt::test::element_count(shape))
    return ::testing::AssertionFailure()
           << "test bug: " << expected.size() << " expected values for shape " << shape;
  const ScaledExpectedFn fn = [&](const Dims& index) {
    const auto i = static_cast<size_t>(flat(shape, index));
    return Expected{expected[i], scale.empty() ? 0.0 : scale[i]};
  };
  return all_close(actual, shape, dtype, fn, tolerance);
}

bool all_finite(const Vec& v) {
  return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
}

Tensor from_values(const Vec& v, const Dims& shape, DType dtype) {
  return mt::from_vector<double>(v, shape).to(dtype);
}

double reduce_ref(const Vec& loss, Reduction reduction) {
  double total = 0;
  for (double l : loss)
    total += l;
  return reduction == Reduction::Mean ? total / static_cast<double>(loss.size()) : total;
}

// d(reduced loss)/d(loss[i]): 1/n, 1 or the upstream gradient `g` (None).
double reduce_weight(Reduction reduction, size_t n, const Vec& g, size_t i) {
  switch (reduction) {
    case Reduction::Mean: return 1.0 / static_cast<double>(n);
    case Reduction::Sum: return 1.0;
    case Reduction::None: return g[i];
  }
  return 0;
}

// Backward through a reduced loss: a scalar backward, or with `g` for Reduction::None.
void backward_of(const Tensor& loss, Reduction reduction, const Vec& g) {
  if (reduction == Reduction::None)
    loss.backward(from_values(g, loss.shape(), loss.dtype()));
  else
    loss.backward();
}

class NnTyped : public ::testing::TestWithParam<DType> {};

std::string dtype_param_name(const ::testing::TestParamInfo<DType>& info) {
  return name_of(info.param);
}

const Reduction kReductions[] = {Reduction::Mean, Reduction::Sum, Reduction::None};
const char* reduction_name(Reduction r) {
  return r == Reduction::Mean ? "mean" : r == Reduction::Sum ? "sum" : "none";
}

// ------------------------------------------------------------------------------------------
// Linear
// ------------------------------------------------------------------------------------------

using NnLinear = NnTyped;

TEST_P(NnLinear, ParameterShapesDtypeAndInit) {
  const DType dtype = GetParam();
  Generator gen(11);
  const int64_t in = 16, out = 64;
  mt::nn::Linear layer(in, out, dtype, gen);
  const Tensor& w = layer.weight();
  const Tensor& b = layer.bias();
  ASSERT_TRUE(w.defined());
  ASSERT_TRUE(b.defined());
  EXPECT_EQ(w.shape(), (Dims{out, in}));
  EXPECT_EQ(b.shape(), (Dims{out}));
  EXPECT_EQ(w.dtype(), dtype);
  EXPECT_EQ(b.dtype(), dtype);
  EXPECT_TRUE(w.requires_grad());
  EXPECT_TRUE(b.requires_grad());
  EXPECT_TRUE(w.is_leaf());
  EXPECT_TRUE(b.is_leaf());

  const auto params = layer.parameters();
  ASSERT_EQ(params.size(), 2u);
  EXPECT_TRUE(params[0].is_same(w));
  EXPECT_TRUE(params[1].is_same(b));

  const double bound = 1 / std::sqrt(static_cast<double>(in));
  for (const Tensor* t : {&w, &b}) {
    const Vec v = values(*t);
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    EXPECT_GE(*lo, -bound);
    if (dtype == DType::Float64)
      EXPECT_LT(*hi, bound);
    else
      EXPECT_LE(*hi, static_cast<double>(static_cast<float>(bound)));
    // The whole range is used (not [0, b) or a narrower one).
    EXPECT_LT(*lo, -0.75 * bound);
    EXPECT_GT(*hi, 0.75 * bound);
  }
}

TEST_P(NnLinear, BoundUsesInFeatures) {
  const DType dtype = GetParam();
  Generator gen(3);
  // bound 1/sqrt(4) = 0.5 for weight and bias: 1/sqrt(out) would be 0.1.
  mt::nn::Linear layer(4, 100, dtype, gen);
  for (const Tensor& t : layer.parameters()) {
    const Vec v = values(t);
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    EXPECT_GE(*lo, -0.5);
    EXPECT_LE(*hi, 0.5);
    EXPECT_LT(*lo, -0.3);
    EXPECT_GT(*hi, 0.3);
  }
}

TEST_P(NnLinear, SeedDeterminesParameters) {
  const DType dtype = GetParam();
  Generator a(1234), b(1234), c(1235);
  mt::nn::Linear la(5, 3, dtype, a), lb(5, 3, dtype, b), lc(5, 3, dtype, c);
  EXPECT_EQ(values(la.weight()), values(lb.weight()));
  EXPECT_EQ(values(la.bias()), values(lb.bias()));
  EXPECT_NE(values(la.weight()), values(lc.weight()));
  EXPECT_NE(values(la.bias()), values(lc.bias()));
  // The generator advances: a second layer from it differs from the first.
  mt::nn::Linear la2(5, 3, dtype, a);
  EXPECT_NE(values(la.weight()), values(la2.weight()));
  // Weight and bias are not the same numbers.
  mt::nn::Linear square(3, 3, dtype, c);
  const Vec w = values(square.weight());
  EXPECT_NE(Vec(w.begin(), w.begin() + 3), values(square.bias()));
}

TEST(NnLinearDefaults, DefaultGeneratorAndDtype) {
  mt::manual_seed(77);
  mt::nn::Linear a(4, 2);
  mt::manual_seed(77);
  mt::nn::Linear b(4, 2);
  EXPECT_EQ(a.weight().dtype(), DType::Float32);
  EXPECT_EQ(values(a.weight()), values(b.weight()));
  EXPECT_EQ(values(a.bias()), values(b.bias()));
}

// x (..., in) @ W^T + b by hand.
Vec linear_ref(const Vec& x, int64_t rows, int64_t in, const Vec& w, const Vec& b, int64_t out,
               Vec* scale) {
  Vec y(static_cast<size_t>(rows * out));
  scale->assign(y.size(), 0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t o = 0; o < out; ++o) {
      double acc = b.empty() ? 0 : b[o];
      double mag = b.empty() ? 0 : std::abs(b[o]);
      for (int64_t i = 0; i < in; ++i) {
        acc += x[r * in + i] * w[o * in + i];
        mag += std::abs(x[r * in + i] * w[o * in + i]);
      }
      y[r * out + o] = acc;
      (*scale)[r * out + o] = mag;
    }
  return y;
}

void check_forward_and_grads(DType dtype, const Dims& x_shape, bool bias) {
  SCOPED_TRACE(mt::cat(name_of(dtype), " x ", x_shape, bias ? " with bias" : " without bias"));
  auto rng = mt::test::test_rng(static_cast<uint64_t>(x_shape.size()) * 2 + bias);
  const int64_t in = x_shape[x_shape.size() - 1], out = 5;
  Generator gen(42);
  mt::nn::Linear layer(in, out, dtype, gen, bias);
  EXPECT_EQ(layer.bias().defined(), bias);
  EXPECT_EQ(layer.parameters().size(), bias ? 2u : 1u);

  const Tensor x = random_strided(rng, x_shape, dtype, -2, 2);
  x.set_requires_grad();
  const Tensor y = layer(x);
  Dims y_shape = x_shape;
  y_shape[y_shape.size() - 1] = out;
  const int64_t rows = mt::test::element_count(x_shape) / in;

  const Vec xv = values(x), wv = values(layer.weight());
  const Vec bv = bias ? values(layer.bias()) : Vec{};
  Vec scale;
  const Vec expected = linear_ref(xv, rows, in, wv, bv, out, &scale);
  EXPECT_TRUE(matches(y, y_shape, dtype, expected, tol(dtype), scale));
  EXPECT_TRUE(y.requires_grad());

  mt::sum(y).backward();
  // d sum(y) / dW[o, i] = sum over rows of x[r, i]; d / db[o] = rows; d / dx[r, i] = sum_o W.
  Vec dw(static_cast<size_t>(out * in), 0), dw_scale(dw.size(), 0);
  for (int64_t o = 0; o < out; ++o)
    for (int64_t i = 0; i < in; ++i)
      for (int64_t r = 0; r < rows; ++r) {
        dw[o * in + i] += xv[r * in + i];
        dw_scale[o * in + i] += std::abs(xv[r * in + i]);
      }
  EXPECT_TRUE(matches(layer.weight().grad(), {out, in}, dtype, dw, tol(dtype), dw_scale));
  if (bias) {
    EXPECT_TRUE(matches(layer.bias().grad(), {out}, dtype, Vec(out, static_cast<double>(rows)),
                        tol(dtype)));
  }
  Vec dx(xv.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < in; ++i) {
      double acc = 0;
      for (int64_t o = 0; o < out; ++o)
        acc += wv[o * in + i];
      dx[r * in + i] = acc;
    }
  EXPECT_TRUE(matches(x.grad(), x_shape, dtype, dx, tol(dtype)));
}

TEST_P(NnLinear, ForwardAndGradients2D) { check_forward_and_grads(GetParam(), {7, 3}, true); }
TEST_P(NnLinear, ForwardAndGradients3D) { check_forward_and_grads(GetParam(), {2, 4, 6}, true); }
TEST_P(NnLinear, ForwardAndGradients1D) { check_forward_and_grads(GetParam(), {6}, true); }
TEST_P(NnLinear, NoBias2D) { check_forward_and_grads(GetParam(), {4, 3}, false); }
TEST_P(NnLinear, NoBias3D) { check_forward_and_grads(GetParam(), {3, 2, 5}, false); }

TEST_P(NnLinear, BadInputShape) {
  const DType dtype = GetParam();
  Generator gen(1);
  mt::nn::Linear layer(4, 3, dtype, gen);
  EXPECT_TRUE(throws_error(
      [&] {
        layer(mt::zeros({2, 5}, dtype));
      },
      {ErrorCode::ShapeMismatch}, {"(2, 5)", "4"}));
  EXPECT_TRUE(
      throws_error([&] { layer(mt::zeros({3}, dtype)); }, {ErrorCode::ShapeMismatch}, {"(3,)"}));
  EXPECT_TRUE(throws_error(
      [&] {
        layer(mt::zeros({4, 2, 3}, dtype));
      },
      {ErrorCode::ShapeMismatch}, {"(4, 2, 3)"}));
  EXPECT_TRUE(
      throws_error([&] { layer(mt::scalar(1, dtype)); }, {ErrorCode::ShapeMismatch}, {"()"}));
}

TEST_P(NnLinear, BadSizes) {
  const DType dtype = GetParam();
  EXPECT_TRUE(
      throws_error([&] { mt::nn::Linear(0, 3, dtype); }, {ErrorCode::InvalidArgument}, {"0"}));
  EXPECT_TRUE(
      throws_error([&] { mt::nn::Linear(3, 0, dtype); }, {ErrorCode::InvalidArgument}, {"0"}));
  EXPECT_TRUE(
      throws_error([&] { mt::nn::Linear(-2, 3, dtype); }, {ErrorCode::InvalidArgument}, {"-2"}));
  EXPECT_TRUE(throws_error([&] { mt::nn::Linear(3, -7, dtype, mt::default_generator(), false); },
                           {ErrorCode::InvalidArgument}, {"-7"}));
}

INSTANTIATE_TEST_SUITE_P(DTypes, NnLinear, ::testing::Values(DType::Float32, DType::Float64),
                         dtype_param_name);

// ------------------------------------------------------------------------------------------
// Losses
// ------------------------------------------------------------------------------------------

using NnLoss = NnTyped;

Vec uniform_vec(mt::test::Rng& rng, size_t n, double low, double high) {
  Vec v(n);
  for (double& x : v)
    x = mt::test::uniform_real(rng, low, high);
  return v;
}

TEST_P(NnLoss, BinaryCrossEntropyValuesAndGradients) {
  const DType dtype = GetParam();
  auto rng = mt::test::test_rng();
  const Dims shape{3, 4};
  const auto n = static_cast<size_t>(mt::test::element_count(shape));
  // Soft targets, with some exact 0s and 1s.
  const mt::test::ValueGen target_values = [](mt::test::Rng& r) {
    if (mt::test::chance(r, 0.4)) return mt::test::chance(r, 0.5) ? 1.0 : 0.0;
    return mt::test::uniform_real(r, 0, 1);
  };
  for (Reduction reduction : kReductions) {
    SCOPED_TRACE(reduction_name(reduction));
    const Tensor probs = random_strided(rng, shape, dtype, 0.02, 0.98);
    const Tensor target = random_strided(rng, shape, dtype, target_values);
    probs.set_requires_grad();
    target.set_requires_grad();
    const Tensor loss = mt::nn::binary_cross_entropy(probs, target, reduction);

    const Vec p = values(probs), t = values(target);
    Vec per(n), per_scale(n);
    for (size_t i = 0; i < n; ++i) {
      per[i] = -(t[i] * std::log(p[i]) + (1 - t[i]) * std::log(1 - p[i]));
      per_scale[i] = std::abs(t[i] * std::log(p[i])) + std::abs((1 - t[i]) * std::log(1 - p[i]));
    }
    if (reduction == Reduction::None) {
      EXPECT_TRUE(matches(loss, shape, dtype, per, tol(dtype), per_scale));
    } else {
      EXPECT_TRUE(matches(loss, {}, dtype, {reduce_ref(per, reduction)}, tol(dtype),
                          {reduce_ref(per_scale, reduction)}));
    }

    const Vec g = uniform_vec(rng, n, -1, 1);
    backward_of(loss, reduction, g);
    Vec dp(n), dp_scale(n), dt(n);
    for (size_t i = 0; i < n; ++i) {
      const double w = reduce_weight(reduction, n, g, i);
      dp[i] = w * (p[i] - t[i]) / (p[i] * (1 - p[i]));
      dp_scale[i] = std::abs(w) * (t[i] / p[i] + (1 - t[i]) / (1 - p[i]));
      dt[i] = w * (std::log(1 - p[i]) - std::log(p[i]));
    }
    EXPECT_TRUE(matches(probs.grad(), shape, dtype, dp, tol(dtype), dp_scale));
    EXPECT_TRUE(matches(target.grad(), shape, dtype, dt, tol(dtype)));
  }
}

TEST_P(NnLoss, BinaryCrossEntropyClampsLogAtMinus100) {
  const DType dtype = GetParam();
  Vec p{0, 1, 0, 1, 0.5}, t{1, 0, 0, 1, 1};
  Vec per{100, 100, 0, 0, std::log(2.0)};
  if (dtype == DType::Float64) {
    // log(1e-50) = -115 and log(1e-300) are clamped; log(e^-99) = -99 and
    // log(1 - (1 - 2^-53)) = -53 log 2 are not.
    p.insert(p.end(), {1e-50, 1e-300, std::exp(-99.0), 1 - std::ldexp(1.0, -53)});
    t.insert(t.end(), {1, 1, 1, 0});
    per.insert(per.end(), {100, 100, 99, 53 * std::log(2.0)});
  }
  const Dims shape{static_cast<int64_t>(p.size())};
  const Tensor probs = from_values(p, shape, dtype), target = from_values(t, shape, dtype);
  const Tensor none = mt::nn::binary_cross_entropy(probs, target, Reduction::None);
  EXPECT_TRUE(matches(none, shape, dtype, per, tol(dtype)));
  EXPECT_TRUE(matches(mt::nn::binary_cross_entropy(probs, target, Reduction::Sum), {}, dtype,
                      {reduce_ref(per, Reduction::Sum)}, tol(dtype)));
  EXPECT_TRUE(matches(mt::nn::binary_cross_entropy(probs, target), {}, dtype,
                      {reduce_ref(per, Reduction::Mean)}, tol(dtype)));
}

// PyTorch's BCE gradient stays finite at p = 0 and p = 1: d/dp = (p - y) / max(p (1 - p), 1e-12).
TEST_P(NnLoss, BinaryCrossEntropyGradientIsFiniteAtZeroAndOne) {
  const DType dtype = GetParam();
  const Vec p{0, 1, 0, 1, 0.5, 0, 1}, t{1, 0, 0, 1, 1, 0.25, 0.75};
  const Dims shape{static_cast<int64_t>(p.size())};
  const Tensor probs = from_values(p, shape, dtype), target = from_values(t, shape, dtype);
  probs.set_requires_grad();
  target.set_requires_grad();
  mt::nn::binary_cross_entropy(probs, target, Reduction::Sum).backward();
  ASSERT_TRUE(probs.grad().defined());
  ASSERT_TRUE(target.grad().defined());
  EXPECT_TRUE(all_finite(values(probs.grad()))) << probs.grad();
  EXPECT_TRUE(all_finite(values(target.grad()))) << target.grad();
  Vec expected(p.size());
  for (size_t i = 0; i < p.size(); ++i)
    expected[i] = (p[i] - t[i]) / std::max(p[i] * (1 - p[i]), 1e-12);
  EXPECT_TRUE(matches(probs.grad(), shape, dtype, expected, {1e-6, 0}));
}

// A NaN probability (a diverged model) must not turn into a finite loss: PyTorch rejects it
// (inputs must be in [0, 1]); a NaN loss is fine too.
TEST_P(NnLoss, BinaryCrossEntropyRefusesValuesOutsideTheUnitInterval) {
  // As torch: probabilities or targets outside [0, 1], NaN included, are errors naming the
  // first such element, not a NaN loss.
  const DType dtype = GetParam();
  const Tensor ok = from_values({0, 0.5, 1, 0.25}, {2, 2}, dtype);
  for (double bad : {-0.5, 1.5, double(NAN), double(INFINITY)})
    for (bool in_target : {false, true}) {
      SCOPED_TRACE(mt::cat(in_target ? "target " : "input ", bad));
      const Tensor wrong = from_values({0.5, 0.5, bad, 0.5}, {2, 2}, dtype);
      for (const Tensor& layout : {wrong, wrong.transpose(0, 1).contiguous().transpose(0, 1)})
        EXPECT_TRUE(throws_error(
            [&] {
              if (in_target)
                mt::nn::binary_cross_entropy(ok, layout, Reduction::Sum);
              else
                mt::nn::binary_cross_entropy(layout, ok, Reduction::Sum);
            },
            {ErrorCode::InvalidArgument},
            {"binary_cross_entropy: all elements of", in_target ? "target" : "input",
             "between 0 and 1", "at index (1, 0) is"}));
    }
  // The bounds themselves are fine.
  EXPECT_NO_THROW(mt::nn::binary_cross_entropy(ok, ok));
}

TEST_P(NnLoss, MseLossValuesAndGradients) {
  const DType dtype = GetParam();
  auto rng = mt::test::test_rng();
  // One shape for input and target (random strided layouts); broadcasting is refused
  // (ShapeErrors).
  const std::pair<Dims, Dims> cases[] = {
      {{3, 4}, {3, 4}}, {{2, 1, 3}, {2, 1, 3}}, {{5}, {5}}, {{}, {}}, {{4, 0}, {4, 0}}};
  for (const auto& [xs, ts] : cases) {
    for (Reduction reduction : kReductions) {
      SCOPED_TRACE(mt::cat(xs, " vs ", ts, " ", reduction_name(reduction)));
      const Tensor x = random_strided(rng, xs, dtype, -2, 2);
      const Tensor t = random_strided(rng, ts, dtype, -2, 2);
      x.set_requires_grad();
      t.set_requires_grad();
      const Tensor loss = mt::nn::mse_loss(x, t, reduction);
      const Dims bs = mt::test::broadcast_shape(xs, ts);
      const auto n = static_cast<size_t>(mt::test::element_count(bs));
      const Vec xv = values(x), tv = values(t);
      Vec per(n);
      for_each_index(bs, [&](const Dims& index) {
        const double d = xv[flat(xs, mt::test::broadcast_source(index, xs))] -
                         tv[flat(ts, mt::test::broadcast_source(index, ts))];
        per[flat(bs, index)] = d * d;
      });
      if (reduction == Reduction::None)
        EXPECT_TRUE(matches(loss, bs, dtype, per, tol(dtype)));
      else
        EXPECT_TRUE(matches(loss, {}, dtype, {reduce_ref(per, reduction)}, tol(dtype)));

      const Vec g = uniform_vec(rng, n, -1, 1);
      backward_of(loss, reduction, g);
      Vec dx(xv.size(), 0), dt(tv.size(), 0), dx_scale(xv.size(), 0), dt_scale(tv.size(), 0);
      for_each_index(bs, [&](const Dims& index) {
        const auto i = static_cast<size_t>(flat(bs, index));
        const auto xi = static_cast<size_t>(flat(xs, mt::test::broadcast_source(index, xs)));
        const auto ti = static_cast<size_t>(flat(ts, mt::test::broadcast_source(index, ts)));
        const double d = 2 * (xv[xi] - tv[ti]) * reduce_weight(reduction, n, g, i);
        dx[xi] += d;
        dt[ti] -= d;
        dx_scale[xi] += std::abs(d);
        dt_scale[ti] += std::abs(d);
      });
      EXPECT_TRUE(matches(x.grad(), xs, dtype, dx, tol(dtype), dx_scale));
      EXPECT_TRUE(matches(t.grad(), ts, dtype, dt, tol(dtype), dt_scale));
    }
  }
}

// For each element of `shape`, the row-major position of its group (the elements that share
// every index but the one along `dim`) in `shape` with `dim` set to 1.
std::vector<size_t> groups_along(const Dims& shape, int dim, size_t* count) {
  Dims kept = shape;
  kept[dim] = 1;
  *count = static_cast<size_t>(mt::test::element_count(kept));
  std::vector<size_t> group(static_cast<size_t>(mt::test::element_count(shape)));
  for_each_index(shape, [&](const Dims& index) {
    Dims k = index;
    k[dim] = 0;
    group[flat(shape, index)] = static_cast<size_t>(flat(kept, k));
  });
  return group;
}

// log sum exp per group, the stable way (max shift), in double.
Vec lse_ref(const Vec& x, const std::vector<size_t>& group, size_t groups) {
  Vec m(groups, -std::numeric_limits<double>::infinity()), s(groups, 0);
  for (size_t i = 0; i < x.size(); ++i)
    m[group[i]] = std::max(m[group[i]], x[i]);
  for (size_t i = 0; i < x.size(); ++i)
    s[group[i]] += std::exp(x[i] - m[group[i]]);
  Vec out(groups);
  for (size_t k = 0; k < groups; ++k)
    out[k] = m[k] + std::log(s[k]);
  return out;
}

int normalize_dim(int64_t dim, int rank) { return static_cast<int>(dim < 0 ? dim + rank : dim); }

TEST_P(NnLoss, LogSumExpValuesAndGradient) {
  const DType dtype = GetParam();
  auto rng = mt::test::test_rng();
  const Dims shape{3, 4, 5};
  for (int64_t dim : {0, 1, 2, -1, -3}) {
    for (bool keepdim : {false, true}) {
      SCOPED_TRACE(mt::cat("dim ", dim, keepdim ? " keepdim" : ""));
      const Tensor x = random_strided(rng, shape, dtype, -5, 5);
      x.set_requires_grad();
      const Tensor out = mt::nn::logsumexp(x, dim, keepdim);
      const int d = normalize_dim(dim, shape.size());
      Dims out_shape = shape;
      if (keepdim)
        out_shape[d] = 1;
      else
        out_shape.erase(d);
      size_t groups = 0;
      const auto group = groups_along(shape, d, &groups);
      const Vec xv = values(x);
      const Vec lse = lse_ref(xv, group, groups);
      EXPECT_TRUE(matches(out, out_shape, dtype, lse, tol(dtype)));

      const Vec g = uniform_vec(rng, groups, -1, 1);
      out.backward(from_values(g, out_shape, dtype));
      Vec dx(xv.size());
      for (size_t i = 0; i < xv.size(); ++i)
        dx[i] = g[group[i]] * std::exp(xv[i] - lse[group[i]]);
      EXPECT_TRUE(matches(x.grad(), shape, dtype, dx, tol(dtype)));
    }
  }
}

TEST_P(NnLoss, LogSumExpSoftmaxStableForHugeInputs) {
  const DType dtype = GetParam();
  const Vec xv{1000, 1000, 999, -1000, -1000, -1001, 0, -1000, 1000, 500, -500, 88};
  const Dims shape{4, 3};
  const Tensor x = from_values(xv, shape, dtype);
  x.set_requires_grad();
  size_t groups = 0;
  const auto group = groups_along(shape, 1, &groups);
  const Vec lse = lse_ref(xv, group, groups);
  const Tensor out = mt::nn::logsumexp(x, 1);
  EXPECT_TRUE(all_finite(values(out))) << out;
  EXPECT_TRUE(matches(out, {4}, dtype, lse, tol(dtype)));
  EXPECT_NEAR(lse[0], 1000 + std::log(2 + std::exp(-1.0)), 1e-12);  // the reference itself

  mt::sum(out).backward();
  Vec soft(xv.size()), log_soft(xv.size());
  for (size_t i = 0; i < xv.size(); ++i) {
    log_soft[i] = xv[i] - lse[group[i]];
    soft[i] = std::exp(log_soft[i]);
  }
  EXPECT_TRUE(all_finite(values(x.grad()))) << x.grad();
  EXPECT_TRUE(matches(x.grad(), shape, dtype, soft, tol(dtype)));

  const Tensor ls = mt::nn::log_softmax(x);
  EXPECT_TRUE(all_finite(values(ls))) << ls;
  EXPECT_TRUE(matches(ls, shape, dtype, log_soft, tol(dtype)));
  const Tensor s = mt::nn::softmax(x);
  EXPECT_TRUE(all_finite(values(s))) << s;
  EXPECT_TRUE(matches(s, shape, dtype, soft, tol(dtype)));

  // A 1-D input reduces to a scalar.
  const Tensor pair = from_values({-1000, -1000}, {2}, dtype);
  EXPECT_TRUE(matches(mt::nn::logsumexp(pair, 0), {}, dtype, {-1000 + std::log(2.0)}, tol(dtype)));
  EXPECT_TRUE(
      matches(mt::nn::logsumexp(pair, -1, true), {1}, dtype, {-1000 + std::log(2.0)}, tol(dtype)));
}

TEST_P(NnLoss, SoftmaxFamilyOverAnEmptyDim) {
  // As torch: the log of an empty sum is -inf, softmax of nothing is nothing.
  const DType dtype = GetParam();
  for (const Dims& shape : {Dims{3, 0}, Dims{0, 3}, Dims{0}})
    for (int64_t dim : {int64_t{0}, int64_t{-1}}) {
      SCOPED_TRACE(mt::cat("shape ", shape, " dim ", dim));
      const Tensor x = mt::zeros(shape, dtype);
      x.set_requires_grad();
      Dims reduced = shape, kept = shape;
      const int d = normalize_dim(dim, shape.size());
      reduced.erase(d);
      kept[d] = 1;
      const Tensor lse = mt::nn::logsumexp(x, dim);
      const bool empty_dim = shape[d] == 0;
      EXPECT_EQ(lse.shape(), reduced);
      for (double v : values(lse))
        EXPECT_EQ(v, empty_dim ? -INFINITY : std::log(3.0));
      EXPECT_EQ(mt::nn::logsumexp(x, dim, true).shape(), kept);
      EXPECT_EQ(mt::nn::softmax(x, dim).shape(), shape);
      EXPECT_EQ(mt::nn::log_softmax(x, dim).shape(), shape);
      mt::sum(lse).backward();
      EXPECT_EQ(x.grad().shape(), shape);
    }
  // cross_entropy over zero classes has no valid target; over zero rows it is the mean of
  // nothing.
  EXPECT_TRUE(
      std::isnan(mt::nn::cross_entropy(mt::zeros({0, 3}, dtype), mt::zeros({0}, dtype)).item()));
}

TEST_P(NnLoss, SoftmaxAndLogSoftmax) {
  const DType dtype = GetParam();
  auto rng = mt::test::test_rng();
  const Dims shape{4, 6};
  for (int64_t dim : {-1, 0, 1}) {
    SCOPED_TRACE(mt::cat("dim ", dim));
    const int d = normalize_dim(dim, shape.size());
    const Tensor x = random_strided(rng, shape, dtype, -4, 4);
    x.set_requires_grad();
    size_t groups = 0;
    const auto group = groups_along(shape, d, &groups);
    const Vec xv = values(x);
    const Vec lse = lse_ref(xv, group, groups);
    Vec soft(xv.size()), log_soft(xv.size());
    for (size_t i = 0; i < xv.size(); ++i) {
      log_soft[i] = xv[i] - lse[group[i]];
      soft[i] = std::exp(log_soft[i]);
    }
    const Tensor s = mt::nn::softmax(x, dim);
    const Tensor ls = mt::nn::log_softmax(x, dim);
    EXPECT_TRUE(matches(s, shape, dtype, soft, tol(dtype)));
    EXPECT_TRUE(matches(ls, shape, dtype, log_soft, tol(dtype)));
    // Each group sums to 1.
    Vec sums(groups, 0);
    const Vec sv = values(s);
    for (size_t i = 0; i < sv.size(); ++i)
      sums[group[i]] += sv[i];
    for (double total : sums)
      EXPECT_NEAR(total, 1.0, dtype == DType::Float32 ? 1e-5 : 1e-13);

    // d/dx sum(w * softmax) = s (w - sum_j s_j w_j); d/dx sum(w * log_softmax) = w - s sum_j w_j.
    const Vec w = uniform_vec(rng, xv.size(), -1, 1);
    const Tensor wt = from_values(w, shape, dtype);
    Vec sw(groups, 0), wsum(groups, 0);
    for (size_t i = 0; i < xv.size(); ++i) {
      sw[group[i]] += soft[i] * w[i];
      wsum[group[i]] += w[i];
    }
    mt::sum(s * wt).backward();
    Vec ds(xv.size()), dls(xv.size());
    for (size_t i = 0; i < xv.size(); ++i) {
      ds[i] = soft[i] * (w[i] - sw[group[i]]);
      dls[i] = w[i] - soft[i] * wsum[group[i]];
    }
    EXPECT_TRUE(matches(x.grad(), shape, dtype, ds, tol(dtype)));
    x.zero_grad();
    mt::sum(ls * wt).backward();
    EXPECT_TRUE(matches(x.grad(), shape, dtype, dls, tol(dtype)));
  }
}

TEST_P(NnLoss, CrossEntropyClassIndices) {
  const DType dtype = GetParam();
  auto rng = mt::test::test_rng();
  const int64_t n = 6, c = 4;
  const mt::test::ValueGen classes = [&](mt::test::Rng& r) {
    return static_cast<double>(mt::test::uniform_int(r, 0, c - 1));
  };
  for (Reduction reduction : kReductions) {
    SCOPED_TRACE(reduction_name(reduction));
    const Tensor logits = random_strided(rng, {n, c}, dtype, -3, 3);
    const Tensor target = random_strided(rng, {n}, dtype, classes);
    logits.set_requires_grad();
    const Tensor loss = mt::nn::cross_entropy(logits, target, reduction);

    const Vec x = values(logits), y = values(target);
    Vec per(n), lse(n);
    for (int64_t i = 0; i < n; ++i) {
      double m = -INFINITY, s = 0;
      for (int64_t k = 0; k < c; ++k)
        m = std::max(m, x[i * c + k]);
      for (int64_t k = 0; k < c; ++k)
        s += std::exp(x[i * c + k] - m);
      lse[i] = m + std::log(s);
      per[i] = lse[i] - x[i * c + static_cast<int64_t>(y[i])];
    }
    if (reduction == Reduction::None)
      EXPECT_TRUE(matches(loss, {n}, dtype, per, tol(dtype)));
    else
      EXPECT_TRUE(matches(loss, {}, dtype, {reduce_ref(per, reduction)}, tol(dtype)));

    // softmax - onehot, times 1/N (mean), 1 (sum) or the upstream gradient (none).
    const Vec g = uniform_vec(rng, n, -1, 1);
    backward_of(loss, reduction, g);
    Vec dx(x.size());
    for (int64_t i = 0; i < n; ++i)
      for (int64_t k = 0; k < c; ++k) {
        const double onehot = k == static_cast<int64_t>(y[i]) ? 1 : 0;
        dx[i * c + k] =
            reduce_weight(reduction, n, g, i) * (std::exp(x[i * c + k] - lse[i]) - onehot);
      }
    EXPECT_TRUE(matches(logits.grad(), {n, c}, dtype, dx, tol(dtype)));
  }
}

TEST_P(NnLoss, CrossEntropyProbabilityTargets) {
  const DType dtype = GetParam();
  auto rng = mt::test::test_rng();
  const int64_t n = 5, c = 3;
  for (Reduction reduction : kReductions) {
    SCOPED_TRACE(reduction_name(reduction));
    const Tensor logits = random_strided(rng, {n, c}, dtype, -3, 3);
    // Not normalized: the formula -sum_c t_c log_softmax_c holds for any t.
    const Tensor target = random_strided(rng, {n, c}, dtype, 0, 1);
    logits.set_requires_grad();
    target.set_requires_grad();
    const Tensor loss = mt::nn::cross_entropy(logits, target, reduction);

    const Vec x = values(logits), t = values(target);
    Vec per(n, 0), ls(x.size()), tsum(n, 0);
    for (int64_t i = 0; i < n; ++i) {
      double m = -INFINITY, s = 0;
      for (int64_t k = 0; k < c; ++k)
        m = std::max(m, x[i * c + k]);
      for (int64_t k = 0; k < c; ++k)
        s += std::exp(x[i * c + k] - m);
      for (int64_t k = 0; k < c; ++k) {
        ls[i * c + k] = x[i * c + k] - m - std::log(s);
        per[i] -= t[i * c + k] * ls[i * c + k];
        tsum[i] += t[i * c + k];
      }
    }
    if (reduction == Reduction::None)
      EXPECT_TRUE(matches(loss, {n}, dtype, per, tol(dtype)));
    else
      EXPECT_TRUE(matches(loss, {}, dtype, {reduce_ref(per, reduction)}, tol(dtype)));

    const Vec g = uniform_vec(rng, n, -1, 1);
    backward_of(loss, reduction, g);
    Vec dx(x.size()), dt(x.size());
    for (int64_t i = 0; i < n; ++i)
      for (int64_t k = 0; k < c; ++k) {
        const double w = reduce_weight(reduction, n, g, i);
        dx[i * c + k] = w * (std::exp(ls[i * c + k]) * tsum[i] - t[i * c + k]);
        dt[i * c + k] = -w * ls[i * c + k];
      }
    EXPECT_TRUE(matches(logits.grad(), {n, c}, dtype, dx, tol(dtype)));
    EXPECT_TRUE(matches(target.grad(), {n, c}, dtype, dt, tol(dtype)));
  }
}

TEST_P(NnLoss, CrossEntropyIndicesEqualOneHotProbabilities) {
  const DType dtype = GetParam();
  auto rng = mt::test::test_rng();
  const Tensor logits = random_strided(rng, {4, 4}, dtype, -3, 3);  // N == C: not ambiguous
  const Vec y{3, 0, 0, 2};
  Vec onehot(16, 0);
  for (size_t i = 0; i < y.size(); ++i)
    onehot[i * 4 + static_cast<size_t>(y[i])] = 1;
  const Tensor a = mt::nn::cross_entropy(logits, from_values(y, {4}, dtype), Reduction::None);
  const Tensor b =
      mt::nn::cross_entropy(logits, from_values(onehot, {4, 4}, dtype), Reduction::None);
  EXPECT_TRUE(matches(a, {4}, dtype, values(b), tol(dtype)));
}

TEST_P(NnLoss, ShapeErrors) {
  const DType dtype = GetParam();
  EXPECT_TRUE(throws_error(
      [&] {
        mt::nn::binary_cross_entropy(mt::full({2, 3}, 0.5, dtype), mt::zeros({3}, dtype));
      },
      {ErrorCode::ShapeMismatch}, {"(2, 3)", "(3,)"}));
  EXPECT_TRUE(throws_error(
      [&] {
        mt::nn::binary_cross_entropy(mt::full({2, 3}, 0.5, dtype), mt::zeros({3, 2}, dtype));
      },
      {ErrorCode::ShapeMismatch}, {"(2, 3)", "(3, 2)"}));
  EXPECT_TRUE(throws_error(
      [&] {
        mt::nn::mse_loss(mt::zeros({3, 4}, dtype), mt::zeros({5}, dtype));
      },
      {ErrorCode::ShapeMismatch}, {"(3, 4)", "(5,)"}));
  // Shapes that broadcast are refused too: (3, 1) against (3,) would compare all pairs.
  for (const auto& [input, target] :
       {std::pair<Dims, Dims>{{3, 1}, {3}}, {{3, 4}, {4}}, {{2}, {}}}) {
    EXPECT_TRUE(throws_error(
        [&] { mt::nn::mse_loss(mt::zeros(input, dtype), mt::zeros(target, dtype)); },
        {ErrorCode::ShapeMismatch},
        {"mse_loss: target size", mt::to_string(target), "input size", mt::to_string(input)}));
    EXPECT_TRUE(throws_error(
        [&] { mt::nn::binary_cross_entropy(mt::zeros(input, dtype), mt::zeros(target, dtype)); },
        {ErrorCode::ShapeMismatch}, {"binary_cross_entropy: target size"}));
  }
  const Tensor logits = mt::zeros({5, 4}, dtype);
  EXPECT_TRUE(
      throws_error([&] { mt::nn::cross_entropy(mt::zeros({4}, dtype), mt::zeros({1}, dtype)); },
                   {ErrorCode::ShapeMismatch}, {"(4,)"}));
  EXPECT_TRUE(throws_error(
      [&] {
        mt::nn::cross_entropy(mt::zeros({2, 5, 4}, dtype), mt::zeros({2}, dtype));
      },
      {ErrorCode::ShapeMismatch}, {"(2, 5, 4)"}));
  EXPECT_TRUE(throws_error([&] { mt::nn::cross_entropy(logits, mt::zeros({6}, dtype)); },
                           {ErrorCode::ShapeMismatch}, {"(6,)", "(5, 4)"}));
  EXPECT_TRUE(throws_error(
      [&] {
        mt::nn::cross_entropy(logits, mt::zeros({5, 3}, dtype));
      },
      {ErrorCode::ShapeMismatch}, {"(5, 3)", "(5, 4)"}));
  EXPECT_TRUE(throws_error([&] { mt::nn::cross_entropy(logits, mt::zeros({4}, dtype)); },
                           {ErrorCode::ShapeMismatch}, {"(4,)"}));
}

TEST_P(NnLoss, CrossEntropyBadClassIndices) {
  const DType dtype = GetParam();
  const Tensor logits = mt::zeros({3, 4}, dtype);
  const auto bad = [&](double index) {
    return [&logits, dtype, index] {
      mt::nn::cross_entropy(logits, from_values({0, index, 1}, {3}, dtype));
    };
  };
  EXPECT_TRUE(throws_error(bad(4), {ErrorCode::IndexOutOfRange}, {"4", "[0, 4)"}));
  EXPECT_TRUE(throws_error(bad(17), {ErrorCode::IndexOutOfRange}, {"17"}));
  EXPECT_TRUE(throws_error(bad(-1), {ErrorCode::IndexOutOfRange}, {"-1"}));
  EXPECT_TRUE(throws_error(bad(1.5), {ErrorCode::IndexOutOfRange}, {"1.5"}));
  EXPECT_TRUE(throws_error(bad(std::nan("")), {ErrorCode::IndexOutOfRange}));
  EXPECT_TRUE(throws_error(bad(INFINITY), {ErrorCode::IndexOutOfRange}));
  // The edges are fine.
  EXPECT_NO_THROW(mt::nn::cross_entropy(logits, from_values({0, 3, 3}, {3}, dtype)));
}

TEST_P(NnLoss, UnknownReduction) {
  const DType dtype = GetParam();
  const auto bogus = static_cast<Reduction>(7);
  const Tensor p = mt::full({2, 2}, 0.5, dtype);
  EXPECT_TRUE(throws_error([&] { mt::nn::binary_cross_entropy(p, p, bogus); },
                           {ErrorCode::InvalidArgument}, {"reduction", "7"}));
  EXPECT_TRUE(throws_error([&] { mt::nn::mse_loss(p, p, bogus); }, {ErrorCode::InvalidArgument},
                           {"reduction", "7"}));
  EXPECT_TRUE(throws_error(
      [&] {
        mt::nn::cross_entropy(p, from_values({0, 1}, {2}, dtype), bogus);
      },
      {ErrorCode::InvalidArgument}, {"reduction", "7"}));
}

INSTANTIATE_TEST_SUITE_P(DTypes, NnLoss, ::testing::Values(DType::Float32, DType::Float64),
                         dtype_param_name);

// ------------------------------------------------------------------------------------------
// Optimizers: torch.optim's update rules restated in double loops
// ------------------------------------------------------------------------------------------

// A step's gradients: has[i] false means parameter i has none (it is skipped).
struct Grads {
  std::vector<Vec> g;
  std::vector<bool> has;
};

// torch.optim.SGD (dampening 0).
struct SgdRef {
  double lr, momentum = 0, weight_decay = 0;
  bool nesterov = false;
  std::vector<Vec> buf;

  void step(std::vector<Vec>& params, const Grads& grads) {
    buf.resize(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      if (!grads.has[i]) continue;
      Vec& p = params[i];
      Vec d = grads.g[i];
      for (size_t j = 0; j < p.size(); ++j)
        d[j] += weight_decay * p[j];
      if (momentum != 0) {
        if (buf[i].empty()) {
          buf[i] = d;
        } else {
          for (size_t j = 0; j < p.size(); ++j)
            buf[i][j] = momentum * buf[i][j] + d[j];
        }
        for (size_t j = 0; j < p.size(); ++j)
          d[j] = nesterov ? d[j] + momentum * buf[i][j] : buf[i][j];
      }
      for (size_t j = 0; j < p.size(); ++j)
        p[j] -= lr * d[j];
    }
  }
};

// torch.optim.Adam (amsgrad off): the step count, and so the bias correction, is per parameter
// and advances only on steps where that parameter has a gradient.
struct AdamRef {
  explicit AdamRef(double lr_, double beta1_ = 0.9, double beta2_ = 0.999, double eps_ = 1e-8,
                   double weight_decay_ = 0)
      : lr(lr_), beta1(beta1_), beta2(beta2_), eps(eps_), weight_decay(weight_decay_) {}
  double lr, beta1, beta2, eps, weight_decay;
  std::vector<Vec> m, v;
  std::vector<int> t;

  void step(std::vector<Vec>& params, const Grads& grads) {
    m.resize(params.size());
    v.resize(params.size());
    t.resize(params.size(), 0);
    for (size_t i = 0; i < params.size(); ++i) {
      if (!grads.has[i]) continue;
      Vec& p = params[i];
      if (m[i].empty()) {
        m[i].assign(p.size(), 0);
        v[i].assign(p.size(), 0);
      }
      ++t[i];
      const double c1 = 1 - std::pow(beta1, t[i]), c2 = 1 - std::pow(beta2, t[i]);
      for (size_t j = 0; j < p.size(); ++j) {
        const double g = grads.g[i][j] + weight_decay * p[j];
        m[i][j] = beta1 * m[i][j] + (1 - beta1) * g;
        v[i][j] = beta2 * v[i][j] + (1 - beta2) * g * g;
        const double denom = std::sqrt(v[i][j]) / std::sqrt(c2) + eps;
        p[j] -= lr / c1 * m[i][j] / denom;
      }
    }
  }
};

// Parameters with awkward layouts (strided leaves, a scalar) and their reference copies.
struct ParamSet {
  std::vector<Tensor> tensors;
  std::vector<Dims> shapes;
  std::vector<Vec> ref;
};

ParamSet make_params(mt::test::Rng& rng, DType dtype) {
  ParamSet set;
  for (const Dims& shape : {Dims{3, 2}, Dims{5}, Dims{}, Dims{2, 1, 3}}) {
    const Tensor p = random_strided(rng, shape, dtype, -1, 1);
    p.set_requires_grad();
    set.tensors.push_back(p);
    set.shapes.push_back(shape);
    set.ref.push_back(values(p));
  }
  return set;
}

// Synthetic gradients of magnitude `scale[i]` (1 when absent) for the parameters that `present`
// selects; set on the tensors (cleared for the others) and returned as read back.
Grads set_grads(mt::test::Rng& rng, const ParamSet& set, DType dtype,
                const std::vector<bool>& present, const Vec& scale = {}) {
  Grads grads;
  for (size_t i = 0; i < set.tensors.size(); ++i) {
    grads.has.push_back(present[i]);
    if (!present[i]) {
      set.tensors[i].set_grad(Tensor());
      grads.g.emplace_back();
      continue;
    }
    Vec g = uniform_vec(rng, set.ref[i].size(), -1, 1);
    for (double& x : g)
      x *= scale.empty() ? 1.0 : scale[i];
    const Tensor gt = from_values(g, set.shapes[i], dtype);
    set.tensors[i].set_grad(gt);
    grads.g.push_back(values(gt));
  }
  return grads;
}

Tolerance optim_tol(DType dtype) {
  return dtype == DType::Float32 ? Tolerance{2e-6 * 8, 2e-6} : Tolerance{1e-13, 1e-14};
}

// Runs `steps` steps of `opt` and `ref` on the same gradients; `present(step, i)` says which
// parameters have one. Checks every parameter after every step.
template <class Ref>
void drive(mt::nn::Optimizer& opt, Ref& ref, ParamSet& set, DType dtype, mt::test::Rng& rng,
           int steps, const std::function<bool(int, size_t)>& present, const Vec& scale = {}) {
  for (int s = 0; s < steps; ++s) {
    std::vector<bool> has;
    for (size_t i = 0; i < set.tensors.size(); ++i)
      has.push_back(present(s, i));
    const Grads grads = set_grads(rng, set, dtype, has, scale);
    opt.step();
    ref.step(set.ref, grads);
    EXPECT_TRUE(mt::grad_enabled());
    for (size_t i = 0; i < set.tensors.size(); ++i) {
      SCOPED_TRACE(mt::cat("after step ", s + 1, ", parameter ", i, " ", set.shapes[i]));
      const Tensor& p = set.tensors[i];
      EXPECT_TRUE(matches(p, set.shapes[i], dtype, set.ref[i], optim_tol(dtype)));
      EXPECT_TRUE(p.is_leaf());
      EXPECT_TRUE(p.requires_grad());
    }
  }
}

const auto kAlways = [](int, size_t) { return true; };

using NnOptim = NnTyped;

void check_sgd(DType dtype, double lr, double momentum, double weight_decay, bool nesterov) {
  auto rng = mt::test::test_rng();
  ParamSet set = make_params(rng, dtype);
  const Vec before = values(set.tensors[0]);
  mt::nn::SGD opt(set.tensors, lr, momentum, weight_decay, nesterov);
  SgdRef ref{lr, momentum, weight_decay, nesterov, {}};
  drive(opt, ref, set, dtype, rng, 5, kAlways);
  EXPECT_NE(values(set.tensors[0]), before);  // the parameters did move, in place
}

TEST_P(NnOptim, SgdPlain) { check_sgd(GetParam(), 0.1, 0, 0, false); }
TEST_P(NnOptim, SgdMomentum) { check_sgd(GetParam(), 0.1, 0.9, 0, false); }
TEST_P(NnOptim, SgdWeightDecay) { check_sgd(GetParam(), 0.1, 0, 0.3, false); }
TEST_P(NnOptim, SgdMomentumWeightDecay) { check_sgd(GetParam(), 0.05, 0.8, 0.2, false); }
TEST_P(NnOptim, SgdNesterov) { check_sgd(GetParam(), 0.1, 0.9, 0, true); }
TEST_P(NnOptim, SgdNesterovWeightDecay) { check_sgd(GetParam(), 0.07, 0.6, 0.1, true); }

TEST_P(NnOptim, SgdFirstMomentumStepIsPlainStep) {
  // v = g on the first step (not (1 - momentum) g or momentum * 0 + g with dampening).
  const DType dtype = GetParam();
  const Tensor p = from_values({1, -2}, {2}, dtype);
  p.set_requires_grad();
  mt::nn::SGD opt({p}, 0.5, 0.9);
  p.set_grad(from_values({0.5, 1}, {2}, dtype));
  opt.step();
  EXPECT_TRUE(matches(p, {2}, dtype, {0.75, -2.5}, optim_tol(dtype)));
  opt.step();  // same gradient: v = 0.9 * g + g = 1.9 g
  EXPECT_TRUE(matches(p, {2}, dtype, {0.75 - 0.5 * 0.95, -2.5 - 0.5 * 1.9}, optim_tol(dtype)));
}

TEST_P(NnOptim, SgdFirstMomentumStepCopiesTheGradientBits) {
  // The velocity starts as -0.0 and every step is v = momentum v + g: on the first step that is
  // g bit for bit, as torch's copy, signed zeros, infinities and a quiet NaN included.
  const DType dtype = GetParam();
  const Tensor p = mt::zeros({6}, dtype);
  p.set_requires_grad();
  mt::nn::SGD opt({p}, 0.5, 0.9);
  const Tensor g = from_values({-0.0, 0.0, INFINITY, -INFINITY, NAN, 1.5}, {6}, dtype);
  p.set_grad(g);
  opt.step();
  ASSERT_EQ(opt.state().size(), 1u);
  EXPECT_TRUE(mt::test::bitwise_equal(opt.state()[0], g));
}

TEST_P(NnOptim, SgdMomentumBufferDoesNotAliasGradient) {
  // Gradients written in place into the same tensor each step, as backward accumulation does.
  const DType dtype = GetParam();
  auto rng = mt::test::test_rng();
  ParamSet set = make_params(rng, dtype);
  mt::nn::SGD opt(set.tensors, 0.1, 0.9, 0.0, true);
  SgdRef ref{0.1, 0.9, 0, true, {}};
  std::vector<Tensor> grads;
  for (size_t i = 0; i < set.tensors.size(); ++i) {
    grads.push_back(mt::zeros(set.shapes[i], dtype));
    set.tensors[i].set_grad(grads.back());
  }
  for (int s = 0; s < 4; ++s) {
    Grads g;
    for (size_t i = 0; i < set.tensors.size(); ++i) {
      const Tensor current = set.tensors[i].grad();
      for_each_index(set.shapes[i], [&](const Dims& index) {
        current.set(index, mt::test::uniform_real(rng, -1, 1));
      });
      g.g.push_back(values(current));
      g.has.push_back(true);
    }
    opt.step();
    ref.step(set.ref, g);
    for (size_t i = 0; i < set.tensors.size(); ++i)
      EXPECT_TRUE(matches(set.tensors[i], set.shapes[i], dtype, set.ref[i], optim_tol(dtype)))
          << "step " << s + 1 << " parameter " << i;
  }
}

TEST_P(NnOptim, AdamDefaults) {
  const DType dtype = GetParam();
  auto rng = mt::test::test_rng();
  ParamSet set = make_params(rng, dtype);
  mt::nn::Adam opt(set.tensors, 0.05);
  AdamRef ref{0.05};
  drive(opt, ref, set, dtype, rng, 5, kAlways);
}

TEST_P(NnOptim, AdamEpsOutsideSqrtAndBetas) {
  // Gradients about as small as eps make its placement visible: sqrt(v) / sqrt(c2) + eps, not
  // sqrt(v_hat + eps) nor sqrt(v) + eps.
  const DType dtype = GetParam();
  auto rng = mt::test::test_rng();
  ParamSet set = make_params(rng, dtype);
  mt::nn::Adam opt(set.tensors, 0.02, 0.5, 0.8, 1e-3);
  AdamRef ref{0.02, 0.5, 0.8, 1e-3};
  drive(opt, ref, set, dtype, rng, 6, kAlways, {1e-3, 1, 2e-3, 0.5});
}

TEST_P(NnOptim, AdamWeightDecay) {
  const DType dtype = GetParam();
  auto rng = mt::test::test_rng();
  ParamSet set = make_params(rng, dtype);
  mt::nn::Adam opt(set.tensors, 0.01, 0.85, 0.99, 1e-8, 0.5);
  AdamRef ref{0.01, 0.85, 0.99, 1e-8, 0.5};
  drive(opt, ref, set, dtype, rng, 5, kAlways);
}

TEST_P(NnOptim, SkipsParametersWithoutGradient) {
  const DType dtype = GetParam();
  // Parameter 1 has no gradient on steps 3 and 4 (0-based 2, 3) and one again on step 5;
  // parameter 3 never has one.
  const auto present = [](int step, size_t i) {
    return i == 3 ? false : !(i == 1 && (step == 2 || step == 3));
  };
  {
    SCOPED_TRACE("SGD momentum");
    auto rng = mt::test::test_rng(1);
    ParamSet set = make_params(rng, dtype);
    const Vec untouched = set.ref[3];
    mt::nn::SGD opt(set.tensors, 0.1, 0.9, 0.1);
    SgdRef ref{0.1, 0.9, 0.1, false, {}};
    drive(opt, ref, set, dtype, rng, 5, present);
    EXPECT_EQ(values(set.tensors[3]), untouched);
  }
  {
    // Only the last steps are skipped here: see AdamStepCountIsPerParameter.
    SCOPED_TRACE("Adam");
    auto rng = mt::test::test_rng(2);
    ParamSet set = make_params(rng, dtype);
    const Vec untouched = set.ref[3];
    mt::nn::Adam opt(set.tensors, 0.05, 0.9, 0.999, 1e-8, 0.1);
    AdamRef ref{0.05, 0.9, 0.999, 1e-8, 0.1};
    drive(opt, ref, set, dtype, rng, 5,
          [](int step, size_t i) { return i == 3 ? false : !(i == 1 && step >= 3); });
    EXPECT_EQ(values(set.tensors[3]), untouched);
  }
}

TEST_P(NnOptim, AdamStepCountIsPerParameter) {
  // torch.optim.Adam keeps state["step"] per parameter: one that first gets a gradient on the
  // third step is bias-corrected with t = 1 there, not t = 3.
  const DType dtype = GetParam();
  auto rng = mt::test::test_rng();
  ParamSet set = make_params(rng, dtype);
  mt::nn::Adam opt(set.tensors, 0.05);
  AdamRef ref{0.05};
  drive(opt, ref, set, dtype, rng, 5,
        [](int step, size_t i) { return !(i == 1 && step < 2) && !(i == 2 && step == 1); });
  // The counts are state: float64, one per parameter, first in state().
  EXPECT_EQ(values(opt.state()[0]), Vec(ref.t.begin(), ref.t.end()));
}

TEST_P(NnOptim, ZeroGradClearsGradients) {
  const DType dtype = GetParam();
  auto rng = mt::test::test_rng();
  ParamSet set = make_params(rng, dtype);
  mt::nn::SGD opt(set.tensors, 0.1, 0.9);
  set_grads(rng, set, dtype, std::vector<bool>(set.tensors.size(), true));
  opt.step();
  opt.zero_grad();
  for (const Tensor& p : set.tensors)
    EXPECT_FALSE(p.grad().defined());
  // With every gradient cleared a step changes nothing (momentum is not applied on its own).
  std::vector<Vec> before;
  for (const Tensor& p : set.tensors)
    before.push_back(values(p));
  opt.step();
  for (size_t i = 0; i < set.tensors.size(); ++i)
    EXPECT_EQ(values(set.tensors[i]), before[i]);

  // The next backward starts from nothing instead of accumulating.
  const Tensor& w = set.tensors[0];
  mt::sum(w * 3.0).backward();
  opt.zero_grad();
  mt::sum(w * 2.0).backward();
  EXPECT_TRUE(matches(w.grad(), set.shapes[0], dtype, Vec(6, 2.0), tol(dtype)));
}

INSTANTIATE_TEST_SUITE_P(DTypes, NnOptim, ::testing::Values(DType::Float32, DType::Float64),
                         dtype_param_name);

TEST(NnOptimErrors, BadParameters) {
  const Tensor ok = mt::zeros({2});
  ok.set_requires_grad();
  const Tensor plain = mt::zeros({2});
  const Tensor non_leaf = ok * 2.0;
  ASSERT_FALSE(non_leaf.is_leaf());
  for (const auto& make : std::vector<std::function<void(std::vector<Tensor>)>>{
           [](std::vector<Tensor> p) { mt::nn::SGD(std::move(p), 0.1); },
           [](std::vector<Tensor> p) { mt::nn::Adam(std::move(p)); }}) {
    EXPECT_TRUE(
        throws_error([&] { make({plain}); }, {ErrorCode::InvalidArgument}, {"parameter 0"}));
    EXPECT_TRUE(throws_error(
        [&] {
          make({ok, non_leaf});
        },
        {ErrorCode::InvalidArgument}, {"parameter 1"}));
    EXPECT_TRUE(throws_error(
        [&] {
          make({ok, Tensor()});
        },
        {ErrorCode::InvalidArgument}, {"parameter 1", "undefined"}));
    EXPECT_TRUE(throws_error(
        [&] {
          make({ok, Tensor(ok)});  // a copy of the handle: the same tensor
        },
        {ErrorCode::InvalidArgument}, {"parameter 1 is parameter 0 again"}));
    EXPECT_NO_THROW(make({ok}));
    EXPECT_NO_THROW(make({}));
  }
}

TEST(NnOptimErrors, BadHyperparameters) {
  const Tensor p = mt::zeros({2});
  p.set_requires_grad();
  const auto sgd = [&](double lr, double momentum, double wd, bool nesterov) {
    return [=] { mt::nn::SGD({p}, lr, momentum, wd, nesterov); };
  };
  const auto adam = [&](double lr, double b1, double b2, double eps, double wd) {
    return [=] { mt::nn::Adam({p}, lr, b1, b2, eps, wd); };
  };
  const auto invalid = {ErrorCode::InvalidArgument};
  EXPECT_TRUE(throws_error(sgd(-0.1, 0, 0, false), invalid, {"lr"}));
  EXPECT_TRUE(throws_error(sgd(NAN, 0, 0, false), invalid, {"lr"}));
  EXPECT_TRUE(throws_error(sgd(0.1, -0.5, 0, false), invalid, {"momentum"}));
  // inf * the initial velocity (-0.0) would be NaN.
  EXPECT_TRUE(throws_error(sgd(0.1, INFINITY, 0, false), invalid, {"momentum"}));
  EXPECT_TRUE(throws_error(sgd(0.1, 0, -1, false), invalid, {"weight_decay"}));
  EXPECT_TRUE(throws_error(sgd(0.1, 0, 0, true), invalid, {"nesterov"}));
  EXPECT_NO_THROW(sgd(0.1, 0.9, 0.1, true)());
  EXPECT_NO_THROW(sgd(0, 0, 0, false)());

  EXPECT_TRUE(throws_error(adam(-1e-3, 0.9, 0.999, 1e-8, 0), invalid, {"lr"}));
  EXPECT_TRUE(throws_error(adam(1e-3, 1.0, 0.999, 1e-8, 0), invalid, {"beta1"}));
  EXPECT_TRUE(throws_error(adam(1e-3, 1.5, 0.999, 1e-8, 0), invalid, {"beta1"}));
  EXPECT_TRUE(throws_error(adam(1e-3, -0.1, 0.999, 1e-8, 0), invalid, {"beta1"}));
  EXPECT_TRUE(throws_error(adam(1e-3, 0.9, 1.0, 1e-8, 0), invalid, {"beta2"}));
  EXPECT_TRUE(throws_error(adam(1e-3, 0.9, 2.0, 1e-8, 0), invalid, {"beta2"}));
  EXPECT_TRUE(throws_error(adam(1e-3, 0.9, NAN, 1e-8, 0), invalid, {"beta2"}));
  EXPECT_TRUE(throws_error(adam(1e-3, 0.9, 0.999, -1e-8, 0), invalid, {"eps"}));
  EXPECT_TRUE(throws_error(adam(1e-3, 0.9, 0.999, 1e-8, -0.1), invalid, {"weight_decay"}));
  EXPECT_NO_THROW(adam(1e-3, 0.0, 0.999999, 0, 0)());
}

// ------------------------------------------------------------------------------------------
// End to end: fit y = 3x + 2
// ------------------------------------------------------------------------------------------

using NnTrain = NnTyped;

struct LineData {
  Tensor x, y;
};

LineData line_data(DType dtype) {
  Vec x, y;
  for (int i = 0; i < 20; ++i) {
    x.push_back(-1 + 0.1 * i);
    y.push_back(3 * x.back() + 2);
  }
  return {from_values(x, {20, 1}, dtype), from_values(y, {20, 1}, dtype)};
}

template <class MakeOpt> void fit_line(DType dtype, int steps, double tolerance, MakeOpt make_opt) {
  Generator gen(2024);
  mt::nn::Linear model(1, 1, dtype, gen);
  const LineData data = line_data(dtype);
  auto opt = make_opt(model.parameters());
  double first_loss = 0, last_loss = 0;
  for (int s = 0; s < steps; ++s) {
    opt.zero_grad();
    const Tensor loss = mt::nn::mse_loss(model(data.x), data.y);
    loss.backward();
    opt.step();
    (s == 0 ? first_loss : last_loss) = loss.item();
  }
  EXPECT_NEAR(model.weight().item(), 3.0, tolerance);
  EXPECT_NEAR(model.bias().item(), 2.0, tolerance);
  EXPECT_LT(last_loss, first_loss * 1e-3);
}

TEST_P(NnTrain, FitLineWithSgd) {
  fit_line(GetParam(), 200, 1e-3, [](std::vector<Tensor> p) { return mt::nn::SGD(p, 0.1); });
}

TEST_P(NnTrain, FitLineWithAdam) {
  fit_line(GetParam(), 500, 1e-2, [](std::vector<Tensor> p) { return mt::nn::Adam(p, 0.1); });
}

INSTANTIATE_TEST_SUITE_P(DTypes, NnTrain, ::testing::Values(DType::Float32, DType::Float64),
                         dtype_param_name);

}  // namespace

namespace {

// Infinite slices: all -inf gives -inf and a +inf gives +inf, as in torch.logsumexp.
TEST(NnLossInfinities, LogSumExpOfInfiniteSlices) {
  for (const mt::DType dtype : {mt::DType::Float32, mt::DType::Float64}) {
    const double inf = std::numeric_limits<double>::infinity();
    const mt::Tensor x =
        mt::from_vector<double>({-inf, -inf, inf, 1, 1000, 1000}, {3, 2}).to(dtype);
    const std::vector<double> lse = mt::to_vector<double>(mt::nn::logsumexp(x, 1));
    EXPECT_EQ(lse[0], -inf);
    EXPECT_EQ(lse[1], inf);
    EXPECT_NEAR(lse[2], 1000 + std::log(2.0), 1e-3);
  }
}

}  // namespace
