// Element-wise ops: mt::map, mt::zip, the named ops and the operators, against std:: math on
// the input elements; plus the derivatives in the op tables against central differences.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "mt.hpp"
#include "op_cases.hpp"
#include "op_tables/op_dispatch.hpp"
#include "test_support.hpp"

namespace mt::test {
namespace {

constexpr int kTrials = 25;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// One way of calling an op, named for failure messages.
template <class Fn> struct Form {
  const char* name;
  Fn fn;
};
using UnaryFn = std::function<Tensor(const Tensor&)>;
using BinaryFn = std::function<Tensor(const Tensor&, const Tensor&)>;

// The named functions and operators that run an op, besides mt::map (most ops have one; new
// ones need none).
std::vector<Form<UnaryFn>> unary_forms(UnaryOp op) {
  switch (op) {
    case UnaryOp::Neg: return {{"neg", mt::neg}, {"unary -", [](const Tensor& a) { return -a; }}};
    case UnaryOp::Exp: return {{"exp", mt::exp}};
    case UnaryOp::Log: return {{"log", mt::log}};
    case UnaryOp::Sigmoid: return {{"sigmoid", mt::sigmoid}};
    case UnaryOp::Relu: return {{"relu", mt::relu}};
    case UnaryOp::Tanh: return {{"tanh", mt::tanh}};
    case UnaryOp::Inv: return {{"inv", mt::inv}};
    case UnaryOp::Abs: return {{"abs", mt::abs}};
    case UnaryOp::Sqrt: return {{"sqrt", mt::sqrt}};
    case UnaryOp::Square: return {{"square", mt::square}};
    default: return {};
  }
}

// The same for mt::zip.
std::vector<Form<BinaryFn>> binary_forms(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add:
      return {{"add", mt::add}, {"+", [](const Tensor& a, const Tensor& b) { return a + b; }}};
    case BinaryOp::Sub:
      return {{"sub", mt::sub}, {"-", [](const Tensor& a, const Tensor& b) { return a - b; }}};
    case BinaryOp::Mul:
      return {{"mul", mt::mul}, {"*", [](const Tensor& a, const Tensor& b) { return a * b; }}};
    case BinaryOp::Div:
      return {{"div", mt::div}, {"/", [](const Tensor& a, const Tensor& b) { return a / b; }}};
    case BinaryOp::Pow: return {{"pow", mt::pow}};
    case BinaryOp::Max: return {{"maximum", mt::maximum}};
    case BinaryOp::Min: return {{"minimum", mt::minimum}};
    case BinaryOp::Lt: return {{"lt", mt::lt}};
    case BinaryOp::Gt: return {{"gt", mt::gt}};
    case BinaryOp::Eq: return {{"eq", mt::eq}};
    case BinaryOp::IsClose: return {{"is_close", mt::is_close}};
    default: return {};
  }
}

DType promoted(DType a, DType b) {
  return a == DType::Float64 || b == DType::Float64 ? DType::Float64 : DType::Float32;
}

void check_unary(const UnaryOpCase& c, const Tensor& x) {
  SCOPED_TRACE(cat(op_name(c.op), " on ", describe(x)));
  const ExpectedFn expected = [&](const Dims& i) { return c.reference(at(x, i)); };
  EXPECT_TRUE(all_close(map(c.op, x), x.shape(), x.dtype(), expected)) << "map";
  for (const auto& form : unary_forms(c.op)) {
    EXPECT_TRUE(all_close(form.fn(x), x.shape(), x.dtype(), expected)) << form.name;
  }
}

// Checks every form of `c` on a and b, which broadcast together.
void check_binary(const BinaryOpCase& c, const Tensor& a, const Tensor& b) {
  SCOPED_TRACE(cat(op_name(c.op), " on ", describe(a), " and ", describe(b)));
  const Dims shape = broadcast_shape(a.shape(), b.shape());
  const DType dtype = promoted(a.dtype(), b.dtype());
  const Tolerance tol = c.exact ? kExact : default_tolerance(dtype);
  const ExpectedFn expected = [&](const Dims& i) {
    return c.reference(at(a, broadcast_source(i, a.shape())),
                       at(b, broadcast_source(i, b.shape())));
  };
  EXPECT_TRUE(all_close(zip(c.op, a, b), shape, dtype, expected, tol)) << "zip";
  for (const auto& form : binary_forms(c.op)) {
    EXPECT_TRUE(all_close(form.fn(a, b), shape, dtype, expected, tol)) << form.name;
  }
}

template <class T> class MapZipTest : public ::testing::Test {
 protected:
  static constexpr DType kDType = dtype_of<T>;
  Tensor random(const Dims& shape, const Domain& domain) {
    return random_strided(rng_, shape, kDType, domain);
  }
  Tensor from(const std::vector<double>& values) {
    return from_vector(values, {static_cast<int64_t>(values.size())}).to(kDType);
  }
  Rng rng_ = test_rng();
};
using DTypes = ::testing::Types<float, double>;
TYPED_TEST_SUITE(MapZipTest, DTypes);

TYPED_TEST(MapZipTest, UnaryOpsMatchStdMathOnRandomStridedShapes) {
  for (const UnaryOpCase& c : kUnaryOpCases) {
    for (int trial = 0; trial < kTrials; ++trial) {
      check_unary(c, this->random(random_shape(this->rng_), c.domain));
    }
  }
}

TYPED_TEST(MapZipTest, BinaryOpsMatchStdMathOnSameShapes) {
  for (const BinaryOpCase& c : kBinaryOpCases) {
    for (int trial = 0; trial < kTrials; ++trial) {
      const Dims shape = random_shape(this->rng_);
      check_binary(c, this->random(shape, c.a), this->random(shape, c.b));
    }
  }
}

TYPED_TEST(MapZipTest, BinaryOpsBroadcastRandomShapes) {
  for (const BinaryOpCase& c : kBinaryOpCases) {
    for (int trial = 0; trial < kTrials; ++trial) {
      const auto [a_shape, b_shape] = random_broadcast_pair(this->rng_);
      check_binary(c, this->random(a_shape, c.a), this->random(b_shape, c.b));
    }
  }
}

TYPED_TEST(MapZipTest, MiniTorchBroadcastCases) {
  struct Case {
    Dims a, b, out;
  };
  const Case cases[] = {{{1}, {5, 5}, {5, 5}},
                        {{1, 5, 5}, {5, 5}, {1, 5, 5}},
                        {{5, 1, 5, 1}, {1, 5, 1, 5}, {5, 5, 5, 5}},
                        {{2, 5}, {5}, {2, 5}}};
  for (const Case& s : cases) {
    for (const BinaryOpCase& c : kBinaryOpCases) {
      const Tensor a = this->random(s.a, c.a);
      const Tensor b = this->random(s.b, c.b);
      EXPECT_EQ(zip(c.op, a, b).shape(), s.out) << op_name(c.op);
      EXPECT_EQ(zip(c.op, b, a).shape(), s.out) << op_name(c.op);
      check_binary(c, a, b);
      check_binary(c, b, a);
    }
  }
}

TYPED_TEST(MapZipTest, ScalarOperandsTakeTheTensorDType) {
  struct ScalarForm {
    const char* name;
    Tensor (*fn)(const Tensor&, double);
    double (*reference)(double x, double s);
  };
  const ScalarForm forms[] = {
      {"x + s", [](const Tensor& x, double s) { return x + s; },
       [](double x, double s) { return x + s; }},
      {"s + x", [](const Tensor& x, double s) { return s + x; },
       [](double x, double s) { return s + x; }},
      {"x - s", [](const Tensor& x, double s) { return x - s; },
       [](double x, double s) { return x - s; }},
      {"s - x", [](const Tensor& x, double s) { return s - x; },
       [](double x, double s) { return s - x; }},
      {"x * s", [](const Tensor& x, double s) { return x * s; },
       [](double x, double s) { return x * s; }},
      {"s * x", [](const Tensor& x, double s) { return s * x; },
       [](double x, double s) { return s * x; }},
      {"x / s", [](const Tensor& x, double s) { return x / s; },
       [](double x, double s) { return x / s; }},
      {"s / x", [](const Tensor& x, double s) { return s / x; },
       [](double x, double s) { return s / x; }},
  };
  // Exactly representable in float32, so that the scalar's conversion cannot blur the result.
  const double scalars[] = {5.0, -2.5, 0.75};
  for (int trial = 0; trial < kTrials; ++trial) {
    const Tensor x = this->random(random_shape(this->rng_), nonzero(0.25, 4));
    for (const double s : scalars) {
      for (const ScalarForm& form : forms) {
        SCOPED_TRACE(cat(form.name, " with s = ", s, " on ", describe(x)));
        EXPECT_TRUE(all_close(form.fn(x, s), x.shape(), this->kDType,
                              [&](const Dims& i) { return form.reference(at(x, i), s); }));
      }
    }
  }
}

TEST(MapZipPromotion, Float32WithFloat64GivesFloat64) {
  Rng rng = test_rng();
  for (const BinaryOpCase& c : kBinaryOpCases) {
    for (int trial = 0; trial < 5; ++trial) {
      const auto [a_shape, b_shape] = random_broadcast_pair(rng);
      const Tensor a32 = random_strided(rng, a_shape, DType::Float32, c.a);
      const Tensor b64 = random_strided(rng, b_shape, DType::Float64, c.b);
      check_binary(c, a32, b64);
      const Tensor a64 = random_strided(rng, a_shape, DType::Float64, c.a);
      const Tensor b32 = random_strided(rng, b_shape, DType::Float32, c.b);
      check_binary(c, a64, b32);
    }
  }
}

TYPED_TEST(MapZipTest, ReluMaximumMinimumPropagateNaN) {
  const Tensor x = this->from({kNaN, 1, -1, kNaN, 0});
  const Tensor y = this->from({2, kNaN, -3, kNaN, 0});
  const Dims shape = x.shape();
  const auto expect = [&](const Tensor& actual, const std::vector<double>& values) {
    EXPECT_TRUE(
        all_close(actual, shape, this->kDType, [&](const Dims& i) { return values[i[0]]; }));
  };
  expect(relu(x), {kNaN, 1, 0, kNaN, 0});
  expect(map(UnaryOp::Relu, x), {kNaN, 1, 0, kNaN, 0});
  expect(maximum(x, y), {kNaN, kNaN, -1, kNaN, 0});
  expect(maximum(y, x), {kNaN, kNaN, -1, kNaN, 0});
  expect(minimum(x, y), {kNaN, kNaN, -3, kNaN, 0});
  expect(minimum(y, x), {kNaN, kNaN, -3, kNaN, 0});
}

TYPED_TEST(MapZipTest, SigmoidIsFiniteAtLargeMagnitudes) {
  const Tensor x = this->from({-1000, -100, -30, 0, 30, 100, 1000});
  // all_close rejects a NaN or infinite result where the reference is finite.
  check_unary(op_case(UnaryOp::Sigmoid), x);
  EXPECT_EQ(sigmoid(x).get({0}), 0.0);
  EXPECT_EQ(sigmoid(x).get({6}), 1.0);
}

TYPED_TEST(MapZipTest, IsCloseFollowsNumpyOnSpecialValues) {
  const Tensor a = this->from({kInf, kInf, -kInf, 1, kNaN, 0, 1e-9, 1, 1e6});
  const Tensor b = this->from({kInf, -kInf, -kInf, kInf, kNaN, 0, 0, kNaN, 1e6 + 1});
  check_binary(op_case(BinaryOp::IsClose), a, b);
}

TEST(MapZipErrors, ShapesThatDoNotBroadcastNameBothShapes) {
  struct Case {
    Dims a, b;
    const char* a_text;
    const char* b_text;
  };
  const Case cases[] = {{{5, 7, 5, 1}, {1, 5, 1, 5}, "(5, 7, 5, 1)", "(1, 5, 1, 5)"},
                        {{5, 2}, {5}, "(5, 2)", "(5,)"}};
  for (const Case& s : cases) {
    for (const DType dtype : {DType::Float32, DType::Float64}) {
      const Tensor a = zeros(s.a, dtype);
      const Tensor b = zeros(s.b, dtype);
      for (const BinaryOpCase& c : kBinaryOpCases) {
        SCOPED_TRACE(cat(op_name(c.op), " ", s.a_text, " with ", s.b_text));
        const auto parts = {std::string_view(s.a_text), std::string_view(s.b_text)};
        EXPECT_TRUE(throws_error([&] { zip(c.op, a, b); }, {ErrorCode::ShapeMismatch}, parts));
        EXPECT_TRUE(throws_error([&] { zip(c.op, b, a); }, {ErrorCode::ShapeMismatch}, parts));
        for (const auto& form : binary_forms(c.op)) {
          EXPECT_TRUE(throws_error([&] { form.fn(a, b); }, {ErrorCode::ShapeMismatch}, parts))
              << form.name;
        }
      }
    }
  }
}

TEST(MapZipErrors, UnknownOpIsInvalidArgument) {
  const Tensor x = ones({2, 3});
  EXPECT_TRUE(throws_error([&] { map(static_cast<UnaryOp>(kUnaryOpCount), x); },
                           {ErrorCode::InvalidArgument}));
  EXPECT_TRUE(throws_error([&] { zip(static_cast<BinaryOp>(kBinaryOpCount), x, x); },
                           {ErrorCode::InvalidArgument}));
}

// --- The derivative entries of the op tables ---

constexpr double kGrad = 1.7;  // the incoming gradient g

// (f(x + h) - f(x - h)) / 2h in double.
double central_difference(const std::function<double(double)>& f, double x) {
  const double h = 1e-5;
  return (f(x + h) - f(x - h)) / (2 * h);
}

void expect_derivative(double analytic, double numeric, const std::string& where) {
  EXPECT_NEAR(analytic, kGrad * numeric, 1e-6 * std::max(1.0, std::abs(numeric))) << where;
}

// Away from 0 (where relu and abs are not differentiable) and from each other.
constexpr double kPointsA[] = {-2.7, -1.3, -0.4, 0.35, 1.1, 2.9};
constexpr double kPointsB[] = {-1.6, -0.55, 0.7, 1.9};

TEST(OpTableDerivatives, UnaryBackwardMatchesCentralDifference) {
  for (const UnaryOpCase& c : kUnaryOpCases) {
    dispatch_unary(c.op, [&](auto entry) {
      using Op = decltype(entry);
      for (const double x : kPointsA) {
        if (!c.domain.contains(x)) continue;
        const std::string where = cat(op_name(c.op), " at ", x);
        EXPECT_NEAR(Op::forward(x), c.reference(x), 1e-12 * std::max(1.0, std::abs(c.reference(x))))
            << where;
        const double numeric = central_difference([](double t) { return Op::forward(t); }, x);
        expect_derivative(Op::backward(x, kGrad), numeric, where);
      }
    });
  }
}

// No op's derivative overflows into NaN or infinity at a large |x| where the op itself is
// finite (sigmoid, gelu, silu and softplus must not form inf * 0 or inf / inf).
template <class T> void expect_finite_derivatives_at_large_magnitudes() {
  const T large[] = {T(30), T(1e3), T(1e30), std::numeric_limits<T>::max()};
  for (const UnaryOpCase& c : kUnaryOpCases) {
    dispatch_unary(c.op, [&](auto entry) {
      using Op = decltype(entry);
      for (const T magnitude : large) {
        for (const T x : {magnitude, -magnitude}) {
          if (!std::isfinite(Op::forward(x))) continue;
          EXPECT_TRUE(std::isfinite(Op::backward(x, T(1))))
              << op_name(c.op) << " at " << x << " (" << sizeof(T) * 8 << " bit)";
        }
      }
    });
  }
}

TEST(OpTableDerivatives, FiniteWhereTheValueIsFiniteAtLargeMagnitudes) {
  expect_finite_derivatives_at_large_magnitudes<float>();
  expect_finite_derivatives_at_large_magnitudes<double>();
}

TEST(OpTableDerivatives, BinaryGradientsMatchCentralDifferences) {
  for (const BinaryOpCase& c : kBinaryOpCases) {
    dispatch_binary(c.op, [&](auto entry) {
      using Op = decltype(entry);
      for (const double a : kPointsA) {
        for (const double b : kPointsB) {
          if (!c.a.contains(a) || !c.b.contains(b)) continue;
          const std::string where = cat(op_name(c.op), " at a = ", a, ", b = ", b);
          EXPECT_TRUE(values_close(Op::forward(a, b), c.reference(a, b), {1e-12, 1e-14})) << where;
          const double da = central_difference([&](double t) { return Op::forward(t, b); }, a);
          const double db = central_difference([&](double t) { return Op::forward(a, t); }, b);
          expect_derivative(Op::grad_a(a, b, kGrad), da, where + " (grad_a)");
          expect_derivative(Op::grad_b(a, b, kGrad), db, where + " (grad_b)");
        }
      }
    });
  }
}

TEST(OpTableDerivatives, MaxMinSplitTheGradientOnTies) {
  for (const double x : kPointsB) {
    EXPECT_EQ(binary::Max::grad_a(x, x, kGrad), kGrad / 2);
    EXPECT_EQ(binary::Max::grad_b(x, x, kGrad), kGrad / 2);
    EXPECT_EQ(binary::Min::grad_a(x, x, kGrad), kGrad / 2);
    EXPECT_EQ(binary::Min::grad_b(x, x, kGrad), kGrad / 2);
  }
}

}  // namespace
}  // namespace mt::test
