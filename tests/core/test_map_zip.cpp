// Element-wise ops: mt::map, mt::zip, the named ops and the operators, against std:: math on
// the input elements; plus the derivatives in the op tables against central differences.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "mt.hpp"
#include "test_support.hpp"

namespace mt::test {
namespace {

constexpr int kTrials = 25;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Where an op's inputs are drawn from, and where its derivative may be checked.
struct Domain {
  enum class Kind { kInterval, kNonZero, kGrid };
  Kind kind;
  double low = 0;
  double high = 0;

  double operator()(Rng& rng) const {
    switch (kind) {
      case Kind::kInterval: return uniform_real(rng, low, high);
      case Kind::kNonZero: return (chance(rng, 0.5) ? -1 : 1) * uniform_real(rng, low, high);
      case Kind::kGrid: break;
    }
    // A few coarse values plus offsets that are well inside or well outside isclose's
    // tolerance, so that ties, near-ties and clear differences all occur.
    static constexpr double kCoarse[] = {-1, -0.5, 0, 0.5, 1};
    static constexpr double kOffset[] = {0, 0, 2e-6, 1e-3};
    return kCoarse[uniform_int(rng, 0, 4)] + kOffset[uniform_int(rng, 0, 3)];
  }
  bool contains(double x) const {
    if (kind == Kind::kNonZero) x = std::abs(x);
    return kind == Kind::kGrid || (low < x && x < high);
  }
};
Domain interval(double low, double high) { return {Domain::Kind::kInterval, low, high}; }
Domain nonzero(double low, double high) { return {Domain::Kind::kNonZero, low, high}; }
Domain grid() { return {Domain::Kind::kGrid}; }

// One way of calling an op, named for failure messages.
template <class Fn> struct Form {
  const char* name;
  Fn fn;
};
using UnaryFn = std::function<Tensor(const Tensor&)>;
using BinaryFn = std::function<Tensor(const Tensor&, const Tensor&)>;

struct UnaryCase {
  const char* name;
  UnaryOp op;
  double (*reference)(double);
  Domain domain;
  std::vector<Form<UnaryFn>> forms;  // besides mt::map
};

const std::vector<UnaryCase>& unary_cases() {
  static const std::vector<UnaryCase> cases = {
      {"Neg",
       UnaryOp::Neg,
       [](double x) { return -x; },
       interval(-3, 3),
       {{"neg", mt::neg}, {"unary -", [](const Tensor& a) { return -a; }}}},
      {"Id", UnaryOp::Id, [](double x) { return x; }, interval(-3, 3), {}},
      {"Exp",
       UnaryOp::Exp,
       [](double x) { return std::exp(x); },
       interval(-5, 5),
       {{"exp", mt::exp}}},
      {"Log",
       UnaryOp::Log,
       [](double x) { return std::log(x); },
       interval(0.05, 5),
       {{"log", mt::log}}},
      {"Sigmoid",
       UnaryOp::Sigmoid,
       [](double x) { return 1 / (1 + std::exp(-x)); },
       interval(-8, 8),
       {{"sigmoid", mt::sigmoid}}},
      {"Relu",
       UnaryOp::Relu,
       [](double x) { return x > 0 ? x : 0.0; },
       interval(-3, 3),
       {{"relu", mt::relu}}},
      {"Tanh",
       UnaryOp::Tanh,
       [](double x) { return std::tanh(x); },
       interval(-4, 4),
       {{"tanh", mt::tanh}}},
      {"Inv", UnaryOp::Inv, [](double x) { return 1 / x; }, nonzero(0.25, 4), {{"inv", mt::inv}}},
      {"Abs",
       UnaryOp::Abs,
       [](double x) { return std::fabs(x); },
       interval(-3, 3),
       {{"abs", mt::abs}}},
      {"Sqrt",
       UnaryOp::Sqrt,
       [](double x) { return std::sqrt(x); },
       interval(0.01, 5),
       {{"sqrt", mt::sqrt}}},
      {"Square",
       UnaryOp::Square,
       [](double x) { return x * x; },
       interval(-3, 3),
       {{"square", mt::square}}},
  };
  return cases;
}

double numpy_maximum(double a, double b) {
  return std::isnan(a) || std::isnan(b) ? kNaN : std::max(a, b);
}
double numpy_minimum(double a, double b) {
  return std::isnan(a) || std::isnan(b) ? kNaN : std::min(a, b);
}
// numpy.isclose(a, b) with rtol 1e-5 and atol 1e-8: infinities are close only to themselves.
double numpy_isclose(double a, double b) {
  if (std::isinf(a) || std::isinf(b)) return a == b ? 1 : 0;
  return std::abs(a - b) <= 1e-8 + 1e-5 * std::abs(b) ? 1 : 0;
}

struct BinaryCase {
  const char* name;
  BinaryOp op;
  double (*reference)(double, double);
  Domain a_domain;
  Domain b_domain;
  bool exact;                         // results are exactly one of the inputs, or 0/1
  std::vector<Form<BinaryFn>> forms;  // besides mt::zip
};

const std::vector<BinaryCase>& binary_cases() {
  static const std::vector<BinaryCase> cases = {
      {"Add",
       BinaryOp::Add,
       [](double a, double b) { return a + b; },
       interval(-3, 3),
       interval(-3, 3),
       false,
       {{"add", mt::add}, {"+", [](const Tensor& a, const Tensor& b) { return a + b; }}}},
      {"Sub",
       BinaryOp::Sub,
       [](double a, double b) { return a - b; },
       interval(-3, 3),
       interval(-3, 3),
       false,
       {{"sub", mt::sub}, {"-", [](const Tensor& a, const Tensor& b) { return a - b; }}}},
      {"Mul",
       BinaryOp::Mul,
       [](double a, double b) { return a * b; },
       interval(-3, 3),
       interval(-3, 3),
       false,
       {{"mul", mt::mul}, {"*", [](const Tensor& a, const Tensor& b) { return a * b; }}}},
      {"Div",
       BinaryOp::Div,
       [](double a, double b) { return a / b; },
       interval(-3, 3),
       nonzero(0.5, 2),
       false,
       {{"div", mt::div}, {"/", [](const Tensor& a, const Tensor& b) { return a / b; }}}},
      {"Pow",
       BinaryOp::Pow,
       [](double a, double b) { return std::pow(a, b); },
       interval(0.5, 2),
       interval(-2, 2),
       false,
       {{"pow", mt::pow}}},
      {"Max", BinaryOp::Max, numpy_maximum, grid(), grid(), true, {{"maximum", mt::maximum}}},
      {"Min", BinaryOp::Min, numpy_minimum, grid(), grid(), true, {{"minimum", mt::minimum}}},
      {"Lt",
       BinaryOp::Lt,
       [](double a, double b) { return a < b ? 1.0 : 0.0; },
       grid(),
       grid(),
       true,
       {{"lt", mt::lt}}},
      {"Gt",
       BinaryOp::Gt,
       [](double a, double b) { return a > b ? 1.0 : 0.0; },
       grid(),
       grid(),
       true,
       {{"gt", mt::gt}}},
      {"Eq",
       BinaryOp::Eq,
       [](double a, double b) { return a == b ? 1.0 : 0.0; },
       grid(),
       grid(),
       true,
       {{"eq", mt::eq}}},
      {"IsClose",
       BinaryOp::IsClose,
       numpy_isclose,
       grid(),
       grid(),
       true,
       {{"is_close", mt::is_close}}},
      {"BinaryCrossEntropy",
       BinaryOp::BinaryCrossEntropy,
       [](double p, double y) {
         return -(y * std::max(std::log(p), -100.0) + (1 - y) * std::max(std::log1p(-p), -100.0));
       },
       interval(0.01, 0.99),
       interval(0, 1),
       false,
       {}},
  };
  return cases;
}

template <class Case, class Op> const Case& find_case(const std::vector<Case>& cases, Op op) {
  for (const Case& c : cases) {
    if (c.op == op) return c;
  }
  throw std::logic_error("test bug: no case for the op");
}

DType promoted(DType a, DType b) {
  return a == DType::Float64 || b == DType::Float64 ? DType::Float64 : DType::Float32;
}

void check_unary(const UnaryCase& c, const Tensor& x) {
  SCOPED_TRACE(cat(c.name, " on ", describe(x)));
  const ExpectedFn expected = [&](const Dims& i) { return c.reference(at(x, i)); };
  EXPECT_TRUE(all_close(map(c.op, x), x.shape(), x.dtype(), expected)) << "map";
  for (const auto& form : c.forms) {
    EXPECT_TRUE(all_close(form.fn(x), x.shape(), x.dtype(), expected)) << form.name;
  }
}

// Checks every form of `c` on a and b, which broadcast together.
void check_binary(const BinaryCase& c, const Tensor& a, const Tensor& b) {
  SCOPED_TRACE(cat(c.name, " on ", describe(a), " and ", describe(b)));
  const Dims shape = broadcast_shape(a.shape(), b.shape());
  const DType dtype = promoted(a.dtype(), b.dtype());
  const Tolerance tol = c.exact ? kExact : default_tolerance(dtype);
  const ExpectedFn expected = [&](const Dims& i) {
    return c.reference(at(a, broadcast_source(i, a.shape())),
                       at(b, broadcast_source(i, b.shape())));
  };
  EXPECT_TRUE(all_close(zip(c.op, a, b), shape, dtype, expected, tol)) << "zip";
  for (const auto& form : c.forms) {
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
  for (const UnaryCase& c : unary_cases()) {
    for (int trial = 0; trial < kTrials; ++trial) {
      check_unary(c, this->random(random_shape(this->rng_), c.domain));
    }
  }
}

TYPED_TEST(MapZipTest, BinaryOpsMatchStdMathOnSameShapes) {
  for (const BinaryCase& c : binary_cases()) {
    for (int trial = 0; trial < kTrials; ++trial) {
      const Dims shape = random_shape(this->rng_);
      check_binary(c, this->random(shape, c.a_domain), this->random(shape, c.b_domain));
    }
  }
}

TYPED_TEST(MapZipTest, BinaryOpsBroadcastRandomShapes) {
  for (const BinaryCase& c : binary_cases()) {
    for (int trial = 0; trial < kTrials; ++trial) {
      const auto [a_shape, b_shape] = random_broadcast_pair(this->rng_);
      check_binary(c, this->random(a_shape, c.a_domain), this->random(b_shape, c.b_domain));
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
    for (const BinaryCase& c : binary_cases()) {
      const Tensor a = this->random(s.a, c.a_domain);
      const Tensor b = this->random(s.b, c.b_domain);
      EXPECT_EQ(zip(c.op, a, b).shape(), s.out) << c.name;
      EXPECT_EQ(zip(c.op, b, a).shape(), s.out) << c.name;
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
  for (const BinaryCase& c : binary_cases()) {
    for (int trial = 0; trial < 5; ++trial) {
      const auto [a_shape, b_shape] = random_broadcast_pair(rng);
      const Tensor a32 = random_strided(rng, a_shape, DType::Float32, c.a_domain);
      const Tensor b64 = random_strided(rng, b_shape, DType::Float64, c.b_domain);
      check_binary(c, a32, b64);
      const Tensor a64 = random_strided(rng, a_shape, DType::Float64, c.a_domain);
      const Tensor b32 = random_strided(rng, b_shape, DType::Float32, c.b_domain);
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
  check_unary(find_case(unary_cases(), UnaryOp::Sigmoid), x);
  EXPECT_EQ(sigmoid(x).get({0}), 0.0);
  EXPECT_EQ(sigmoid(x).get({6}), 1.0);
}

TYPED_TEST(MapZipTest, IsCloseFollowsNumpyOnSpecialValues) {
  const Tensor a = this->from({kInf, kInf, -kInf, 1, kNaN, 0, 1e-9, 1, 1e6});
  const Tensor b = this->from({kInf, -kInf, -kInf, kInf, kNaN, 0, 0, kNaN, 1e6 + 1});
  check_binary(find_case(binary_cases(), BinaryOp::IsClose), a, b);
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
      for (const BinaryCase& c : binary_cases()) {
        SCOPED_TRACE(cat(c.name, " ", s.a_text, " with ", s.b_text));
        const auto parts = {std::string_view(s.a_text), std::string_view(s.b_text)};
        EXPECT_TRUE(throws_error([&] { zip(c.op, a, b); }, {ErrorCode::ShapeMismatch}, parts));
        EXPECT_TRUE(throws_error([&] { zip(c.op, b, a); }, {ErrorCode::ShapeMismatch}, parts));
        for (const auto& form : c.forms) {
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
  for (const UnaryCase& c : unary_cases()) {
    dispatch_unary(c.op, [&](auto entry) {
      using Op = decltype(entry);
      for (const double x : kPointsA) {
        if (!c.domain.contains(x)) continue;
        const std::string where = cat(c.name, " at ", x);
        EXPECT_NEAR(Op::forward(x), c.reference(x), 1e-12 * std::max(1.0, std::abs(c.reference(x))))
            << where;
        const double numeric = central_difference([](double t) { return Op::forward(t); }, x);
        expect_derivative(Op::backward(x, kGrad), numeric, where);
      }
    });
  }
}

TEST(OpTableDerivatives, BinaryGradientsMatchCentralDifferences) {
  for (const BinaryCase& c : binary_cases()) {
    dispatch_binary(c.op, [&](auto entry) {
      using Op = decltype(entry);
      for (const double a : kPointsA) {
        for (const double b : kPointsB) {
          if (!c.a_domain.contains(a) || !c.b_domain.contains(b)) continue;
          const std::string where = cat(c.name, " at a = ", a, ", b = ", b);
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
