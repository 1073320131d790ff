// mt::vmath (core/op_tables/vmath.hpp): exp, log, tanh and sigmoid against long double references,
// measured in ulps of the result type over random and edge inputs, plus special values,
// symmetry and monotonicity.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "op_tables/unary_ops.hpp"
#include "op_tables/vmath.hpp"

namespace mt::test {
namespace {

using LD = long double;

// The accuracy promised in vmath.hpp.
constexpr double kMaxUlp = 2.0;

template <class T> using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;

template <class T> T from_bits(Bits<T> b) { return std::bit_cast<T>(b); }
template <class T> Bits<T> to_bits(T x) { return std::bit_cast<Bits<T>>(x); }
template <class T> bool same_bits(T a, T b) { return to_bits(a) == to_bits(b); }

// |got - ref| in units of the spacing of T at ref (the subnormal spacing below the normal
// range). Where ref rounds to +-inf in T, only that infinity is right (error 0, else huge); a
// NaN reference demands a NaN.
template <class T> LD ulp_error(T got, LD ref) {
  constexpr LD kWrong = 1e30L;
  if (std::isnan(ref)) return std::isnan(got) ? 0 : kWrong;
  const T rounded = static_cast<T>(ref);
  if (std::isinf(rounded)) return got == rounded ? 0 : kWrong;
  if (!std::isfinite(got)) return kWrong;
  const LD mag = std::fabs(ref);
  const LD spacing = mag < static_cast<LD>(std::numeric_limits<T>::min())
                         ? static_cast<LD>(std::numeric_limits<T>::denorm_min())
                         : std::ldexp(1.0L, std::ilogb(mag) - (std::numeric_limits<T>::digits - 1));
  return std::fabs(static_cast<LD>(got) - ref) / spacing;
}

LD ref_exp(LD x) { return std::exp(x); }
LD ref_log(LD x) { return std::log(x); }
LD ref_tanh(LD x) { return std::tanh(x); }
LD ref_sigmoid(LD x) { return 1.0L / (1.0L + std::exp(-x)); }

template <class T> T vexp(T x) { return vmath::exp(x); }
template <class T> T vlog(T x) { return vmath::log(x); }
template <class T> T vtanh(T x) { return vmath::tanh(x); }
template <class T> T vsigmoid(T x) { return vmath::sigmoid(x); }

template <class T> struct Limits {
  static constexpr T kInf = std::numeric_limits<T>::infinity();
  static constexpr T kNaN = std::numeric_limits<T>::quiet_NaN();
  static constexpr T kMin = std::numeric_limits<T>::min();
  static constexpr T kDenormMin = std::numeric_limits<T>::denorm_min();
  static constexpr T kMax = std::numeric_limits<T>::max();
};

// Points where something changes: range reduction boundaries, branch switches, overflow and
// underflow thresholds, saturation, the binade edges of the argument.
template <class T> std::vector<T> landmarks() {
  std::vector<T> v = {T(0),
                      T(1e-30),
                      Limits<T>::kDenormMin,
                      Limits<T>::kMin,
                      Limits<T>::kMax,
                      T(0.5),
                      T(1),
                      T(2),
                      T(0.34657359027997264),  // ln2/2: exp's n steps
                      T(1.0397207708399179),   // 3 ln2/2
                      T(0.55),                 // tanh switches formula
                      T(0.70710678118654752),  // log's mantissa interval
                      T(1.4142135623730950),
                      T(0.0029),
                      T(1.1),
                      T(16.6),  // sigmoid: 2^-n drops below the mantissa
                      T(36.7)};
  if constexpr (sizeof(T) == 4) {
    v.insert(v.end(), {T(88.7228394), T(87.3365479), T(103.972084), T(9.01), T(17.33), T(104)});
  } else {
    v.insert(v.end(), {T(709.782712893384), T(708.39641853226408), T(745.13321910194111), T(19.06),
                       T(37.43), T(746)});
  }
  return v;
}

// Random and edge inputs, both signs: raw bit patterns (the whole domain, NaNs, infinities
// and subnormals included), uniform draws over [-range, range], log-uniform small magnitudes,
// +-k ulps around the landmarks, integers, halves and eighths, and powers of two.
template <class T> std::vector<T> inputs(T range, uint64_t seed) {
  using U = Bits<T>;
  constexpr int kMant = std::numeric_limits<T>::digits - 1;
  constexpr int kExpBits = sizeof(T) * 8 - 1 - kMant;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<T> v;
  constexpr int kRandom = 1 << 19;
  for (int i = 0; i < kRandom; ++i)
    v.push_back(from_bits<T>(static_cast<U>(rng())));
  for (int i = 0; i < kRandom; ++i)
    v.push_back(static_cast<T>((2 * unit(rng) - 1) * range));
  for (int i = 0; i < kRandom; ++i)
    v.push_back(static_cast<T>((2 * unit(rng) - 1) * 2));
  // Magnitudes below 1: random exponent below the bias, random mantissa and sign.
  const U bias = (U(1) << (kExpBits - 1)) - 1;
  for (int i = 0; i < kRandom; ++i) {
    const U e = static_cast<U>(rng() % bias);
    const U m = static_cast<U>(rng()) & ((U(1) << kMant) - 1);
    const U s = static_cast<U>(rng() & 1) << (sizeof(T) * 8 - 1);
    v.push_back(from_bits<T>(s | (e << kMant) | m));
  }
  for (const T mark : landmarks<T>()) {
    for (int k = -1000; k <= 1000; ++k) {
      const T x = from_bits<T>(static_cast<U>(to_bits(mark) + static_cast<U>(k)));
      if (std::isnan(x)) continue;
      v.push_back(x);
      v.push_back(-x);
    }
  }
  const int max_exp = std::numeric_limits<T>::max_exponent;
  for (int k = -max_exp - kMant; k <= max_exp; ++k) {
    v.push_back(std::ldexp(T(1), k));
    v.push_back(-std::ldexp(T(1), k));
  }
  for (int k = -1200; k <= 1200; ++k) {
    v.push_back(T(k));
    v.push_back(T(k) / 2);
    v.push_back(T(k) / 8);
  }
  return v;
}

template <class T> struct Worst {
  LD ulp = 0;
  T at = 0;
  T got = 0;
};

// The largest ulp error of `fn` over `xs`. The values are computed in a plain loop over
// arrays, as a backend's kernel does (it vectorizes under -O3), and every element is also
// recomputed one at a time: both must give the same bits.
template <class T, class F, class R> Worst<T> worst_error(F fn, R ref, const std::vector<T>& xs) {
  std::vector<T> ys(xs.size());
  for (size_t i = 0; i < xs.size(); ++i)
    ys[i] = fn(xs[i]);
  Worst<T> w;
  for (size_t i = 0; i < xs.size(); ++i) {
    const T x = xs[i];
    volatile T x_scalar = x;  // defeats vectorization of the second evaluation
    const T y_scalar = fn(static_cast<T>(x_scalar));
    EXPECT_TRUE(same_bits(ys[i], y_scalar) || (std::isnan(ys[i]) && std::isnan(y_scalar)))
        << "loop and single evaluation differ at " << std::hexfloat << x;
    const LD e = ulp_error<T>(ys[i], ref(static_cast<LD>(x)));
    if (e > w.ulp) w = {e, x, ys[i]};
  }
  return w;
}

template <class T> std::string describe(const Worst<T>& w, LD ref) {
  std::ostringstream os;
  os << std::hexfloat << "max error " << std::defaultfloat << static_cast<double>(w.ulp)
     << " ulp at x = " << std::hexfloat << w.at << ": got " << w.got << ", want "
     << static_cast<double>(ref);
  return os.str();
}

template <class T> class VmathTest : public ::testing::Test {};
using Types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(VmathTest, Types);

template <class T, class F, class R>
void check_accuracy(const char* name, F fn, R ref, T range, uint64_t seed) {
  const Worst<T> w = worst_error<T>(fn, ref, inputs<T>(range, seed));
  ::testing::Test::RecordProperty(std::string("max_ulp_") + name,
                                  std::to_string(static_cast<double>(w.ulp)));
  EXPECT_LE(w.ulp, kMaxUlp) << name << ": " << describe(w, ref(static_cast<LD>(w.at)));
}

TYPED_TEST(VmathTest, ExpWithin2Ulp) {
  using T = TypeParam;
  check_accuracy<T>("exp", vexp<T>, ref_exp, sizeof(T) == 4 ? T(110) : T(750), 1);
}

TYPED_TEST(VmathTest, LogWithin2Ulp) {
  using T = TypeParam;
  // Negative inputs (NaN) are in the set as well: half of the random values.
  check_accuracy<T>("log", vlog<T>, ref_log, T(1e6), 2);
}

TYPED_TEST(VmathTest, TanhWithin2Ulp) {
  using T = TypeParam;
  check_accuracy<T>("tanh", vtanh<T>, ref_tanh, sizeof(T) == 4 ? T(12) : T(25), 3);
}

TYPED_TEST(VmathTest, SigmoidWithin2Ulp) {
  using T = TypeParam;
  check_accuracy<T>("sigmoid", vsigmoid<T>, ref_sigmoid, sizeof(T) == 4 ? T(110) : T(750), 4);
}

TYPED_TEST(VmathTest, ExpSpecialValues) {
  using T = TypeParam;
  using L = Limits<T>;
  EXPECT_TRUE(same_bits(vexp(T(0)), T(1)));
  EXPECT_TRUE(same_bits(vexp(-T(0)), T(1)));
  EXPECT_TRUE(same_bits(vexp(L::kInf), L::kInf));
  EXPECT_TRUE(same_bits(vexp(-L::kInf), T(0)));
  EXPECT_TRUE(std::isnan(vexp(L::kNaN)));
  EXPECT_TRUE(std::isnan(vexp(-L::kNaN)));
  EXPECT_EQ(vexp(L::kMax), L::kInf);
  EXPECT_TRUE(same_bits(vexp(-L::kMax), T(0)));
  EXPECT_EQ(vexp(T(1000)), L::kInf);
  EXPECT_TRUE(same_bits(vexp(T(-1000)), T(0)));
  // Tiny arguments: e^x = 1 + x rounds to 1 (or to the value just below it).
  EXPECT_EQ(vexp(T(1e-30)), T(1));
  EXPECT_EQ(vexp(L::kDenormMin), T(1));
  // The largest finite result and gradual underflow into the subnormals.
  const T top = sizeof(T) == 4 ? T(88.72283) : T(709.7827128933840);
  EXPECT_TRUE(std::isfinite(vexp(top)));
  EXPECT_GT(vexp(top), L::kMax / 2);
  const T sub = sizeof(T) == 4 ? T(-95) : T(-720);
  EXPECT_GT(vexp(sub), T(0));
  EXPECT_LT(vexp(sub), L::kMin);
  EXPECT_EQ(vexp(T(sizeof(T) == 4 ? -103.9 : -745.1)), L::kDenormMin);
}

TYPED_TEST(VmathTest, LogSpecialValues) {
  using T = TypeParam;
  using L = Limits<T>;
  EXPECT_TRUE(same_bits(vlog(T(1)), T(0)));  // +0 exactly
  EXPECT_TRUE(same_bits(vlog(T(0)), -L::kInf));
  EXPECT_TRUE(same_bits(vlog(-T(0)), -L::kInf));
  EXPECT_TRUE(std::isnan(vlog(T(-1))));
  EXPECT_TRUE(std::isnan(vlog(-L::kDenormMin)));
  EXPECT_TRUE(std::isnan(vlog(-L::kInf)));
  EXPECT_TRUE(same_bits(vlog(L::kInf), L::kInf));
  EXPECT_TRUE(std::isnan(vlog(L::kNaN)));
  EXPECT_TRUE(std::isfinite(vlog(L::kMax)));
  // Subnormal inputs: log(2^-149) and log(2^-1074).
  const int least = std::numeric_limits<T>::min_exponent - std::numeric_limits<T>::digits;
  EXPECT_LE(ulp_error<T>(vlog(L::kDenormMin), least * std::log(2.0L)), kMaxUlp);
  // Powers of two: k ln2 for every exponent.
  for (int k = least; k < std::numeric_limits<T>::max_exponent; ++k) {
    EXPECT_LE(ulp_error<T>(vlog(std::ldexp(T(1), k)), k * std::log(2.0L)), kMaxUlp) << k;
  }
}

TYPED_TEST(VmathTest, TanhSpecialValuesAndOddness) {
  using T = TypeParam;
  using L = Limits<T>;
  EXPECT_TRUE(same_bits(vtanh(T(0)), T(0)));
  EXPECT_TRUE(same_bits(vtanh(-T(0)), -T(0)));
  EXPECT_TRUE(same_bits(vtanh(L::kInf), T(1)));
  EXPECT_TRUE(same_bits(vtanh(-L::kInf), T(-1)));
  EXPECT_TRUE(std::isnan(vtanh(L::kNaN)));
  EXPECT_TRUE(same_bits(vtanh(T(1000)), T(1)));
  EXPECT_TRUE(same_bits(vtanh(T(-1000)), T(-1)));
  // tanh x = x - x^3/3: x itself for tiny x, subnormals included (no cancellation).
  for (const T x : {T(1e-30), L::kDenormMin, L::kMin, T(1e-10)}) {
    EXPECT_TRUE(same_bits(vtanh(x), x)) << x;
    EXPECT_TRUE(same_bits(vtanh(-x), -x)) << x;
  }
  // Odd to the last bit.
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(-30, 30);
  for (int i = 0; i < 100000; ++i) {
    const T x = static_cast<T>(u(rng));
    ASSERT_TRUE(same_bits(vtanh(-x), -vtanh(x))) << x;
  }
}

TYPED_TEST(VmathTest, SigmoidSpecialValues) {
  using T = TypeParam;
  using L = Limits<T>;
  EXPECT_TRUE(same_bits(vsigmoid(T(0)), T(0.5)));
  EXPECT_TRUE(same_bits(vsigmoid(-T(0)), T(0.5)));
  EXPECT_TRUE(same_bits(vsigmoid(L::kInf), T(1)));
  EXPECT_TRUE(same_bits(vsigmoid(-L::kInf), T(0)));
  EXPECT_TRUE(std::isnan(vsigmoid(L::kNaN)));
  // Finite for large magnitudes of either sign: no inf/inf, no overflow.
  EXPECT_TRUE(same_bits(vsigmoid(T(1000)), T(1)));
  EXPECT_TRUE(same_bits(vsigmoid(T(-1000)), T(0)));
  EXPECT_TRUE(same_bits(vsigmoid(L::kMax), T(1)));
  EXPECT_TRUE(same_bits(vsigmoid(-L::kMax), T(0)));
  // e^x for very negative x, down into the subnormals.
  const T sub = sizeof(T) == 4 ? T(-95) : T(-720);
  EXPECT_LE(ulp_error<T>(vsigmoid(sub), ref_sigmoid(sub)), kMaxUlp);
  EXPECT_GT(vsigmoid(sub), T(0));
  // sigmoid(x) + sigmoid(-x) = 1.
  std::mt19937_64 rng(6);
  std::uniform_real_distribution<double> u(-20, 20);
  for (int i = 0; i < 100000; ++i) {
    const T x = static_cast<T>(u(rng));
    ASSERT_NEAR(vsigmoid(x) + vsigmoid(-x), T(1), 4 * std::numeric_limits<T>::epsilon()) << x;
  }
}

// Non-decreasing over runs of consecutive values around the landmarks (where the branches and
// range reductions switch), and over a sorted random sample of the whole range.
template <class T, class F> void expect_monotone(const char* name, F fn, bool positive_only) {
  using U = Bits<T>;
  std::vector<T> xs;
  for (const T mark : landmarks<T>()) {
    for (const T m : {mark, -mark}) {
      if (positive_only && !(m > 0)) continue;
      for (int k = -3000; k <= 3000; ++k) {
        const T x = from_bits<T>(static_cast<U>(to_bits(m) + static_cast<U>(k)));
        if (std::isfinite(x) && (!positive_only || x > 0)) xs.push_back(x);
      }
    }
  }
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(positive_only ? 0 : -800, 800);
  for (int i = 0; i < 200000; ++i)
    xs.push_back(static_cast<T>(u(rng)));
  std::sort(xs.begin(), xs.end());
  for (size_t i = 1; i < xs.size(); ++i) {
    const T a = fn(xs[i - 1]);
    const T b = fn(xs[i]);
    ASSERT_LE(a, b) << name << " decreases between " << std::hexfloat << xs[i - 1] << " and "
                    << xs[i];
  }
}

TYPED_TEST(VmathTest, Monotone) {
  using T = TypeParam;
  expect_monotone<T>("exp", vexp<T>, false);
  expect_monotone<T>("log", vlog<T>, true);
  expect_monotone<T>("tanh", vtanh<T>, false);
  expect_monotone<T>("sigmoid", vsigmoid<T>, false);
}

// The op table's derivatives, built on vmath, against the textbook formulas in long double.
TYPED_TEST(VmathTest, OpTableDerivativesMatchClosedForms) {
  using T = TypeParam;
  std::mt19937_64 rng(8);
  std::uniform_real_distribution<double> u(-15, 15);
  const LD tol = 8 * std::numeric_limits<T>::epsilon();
  for (int i = 0; i < 10000; ++i) {
    const T x = static_cast<T>(u(rng));
    // s (1 - s) and 1 - t^2 without cancellation, so that the reference stays exact enough.
    const LD e = std::exp(-std::fabs(static_cast<LD>(x)));
    const LD ds = e / ((1 + e) * (1 + e));
    const LD dt = 1 / (std::cosh(static_cast<LD>(x)) * std::cosh(static_cast<LD>(x)));
    ASSERT_NEAR(unary::Sigmoid::backward(x, T(1)) / ds, 1, tol) << x;
    ASSERT_NEAR(unary::Tanh::backward(x, T(1)) / dt, 1, tol) << x;
    ASSERT_NEAR(unary::Exp::backward(x, T(1)) / ref_exp(x), 1, tol) << x;
  }
  // Far out the derivatives underflow to 0 rather than turning into NaN.
  EXPECT_EQ(unary::Sigmoid::backward(T(1000), T(1)), T(0));
  EXPECT_EQ(unary::Tanh::backward(T(-1000), T(1)), T(0));
  EXPECT_TRUE(std::isnan(unary::Tanh::backward(Limits<T>::kNaN, T(1))));
}

}  // namespace
}  // namespace mt::test
