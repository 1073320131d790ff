#pragma once
// The op test table: one row per op of each kind, in the order of the op lists, with a
// reference (written with std:: math, independently of the op tables) and the domain its
// inputs are drawn from. The element-wise and reduction tests of every backend (cpu_seq,
// cpu_par per instruction set, the CUDA kernels) and the gradient checks iterate these rows;
// the static_asserts below fail to compile when an op has no row or a row is out of place.
#include <array>
#include <cmath>
#include <limits>
#include <random>

#include "op_tables/op_lists.hpp"

namespace mt::test {

// Where an op's inputs are drawn from; inside it the op is finite and smooth (away from the
// kinks of relu and abs, and the ties of max and min, unless the domain is a grid).
struct Domain {
  enum class Kind { kInterval, kNonZero, kGrid };
  Kind kind = Kind::kInterval;
  double low = 0;
  double high = 0;

  // A value of the domain.
  template <class Rng> double operator()(Rng& rng) const {
    if (kind == Kind::kGrid) {
      // A few coarse values plus offsets that are well inside or well outside isclose's
      // tolerance, so that ties, near-ties and clear differences all occur.
      static constexpr double kCoarse[] = {-1, -0.5, 0, 0.5, 1};
      static constexpr double kOffset[] = {0, 0, 2e-6, 1e-3};
      return kCoarse[std::uniform_int_distribution<int>(0, 4)(rng)] +
             kOffset[std::uniform_int_distribution<int>(0, 3)(rng)];
    }
    const double x = std::uniform_real_distribution<double>(low, high)(rng);
    return kind == Kind::kNonZero && std::bernoulli_distribution(0.5)(rng) ? -x : x;
  }
  constexpr bool contains(double x) const {
    if (kind == Kind::kGrid) return true;
    if (kind == Kind::kNonZero && x < 0) x = -x;
    return low < x && x < high;
  }
};
constexpr Domain interval(double low, double high) { return {Domain::Kind::kInterval, low, high}; }
// [low, high) with either sign.
constexpr Domain nonzero(double low, double high) { return {Domain::Kind::kNonZero, low, high}; }
constexpr Domain grid() { return {Domain::Kind::kGrid}; }

struct UnaryOpCase {
  UnaryOp op;
  double (*reference)(double);
  Domain domain;
};

// The op's value and derivative are checked on `domain`.
inline constexpr std::array<UnaryOpCase, kUnaryOpCount> kUnaryOpCases = {{
    {UnaryOp::Neg, [](double x) { return -x; }, interval(-3, 3)},
    {UnaryOp::Id, [](double x) { return x; }, interval(-3, 3)},
    {UnaryOp::Exp, [](double x) { return std::exp(x); }, interval(-5, 5)},
    {UnaryOp::Log, [](double x) { return std::log(x); }, interval(0.05, 5)},
    {UnaryOp::Sigmoid, [](double x) { return 1 / (1 + std::exp(-x)); }, interval(-8, 8)},
    {UnaryOp::Relu, [](double x) { return x > 0 ? x : 0.0; }, nonzero(0.1, 3)},
    {UnaryOp::Tanh, [](double x) { return std::tanh(x); }, interval(-4, 4)},
    {UnaryOp::Inv, [](double x) { return 1 / x; }, nonzero(0.25, 4)},
    {UnaryOp::Abs, [](double x) { return std::fabs(x); }, nonzero(0.1, 3)},
    {UnaryOp::Sqrt, [](double x) { return std::sqrt(x); }, interval(0.05, 5)},
    {UnaryOp::Square, [](double x) { return x * x; }, interval(-3, 3)},
    {UnaryOp::Sin, [](double x) { return std::sin(x); }, interval(-7, 7)},
    {UnaryOp::Cos, [](double x) { return std::cos(x); }, interval(-7, 7)},
    {UnaryOp::Log1p, [](double x) { return std::log(1 + x); }, interval(-0.9, 5)},
    {UnaryOp::Expm1, [](double x) { return std::exp(x) - 1; }, interval(-5, 5)},
    {UnaryOp::Erf, [](double x) { return std::erf(x); }, interval(-3, 3)},
    {UnaryOp::Gelu, [](double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); },
     interval(-5, 5)},
    {UnaryOp::GeluTanh,
     [](double x) {
       const double u = std::sqrt(2 / std::acos(-1.0)) * (x + 0.044715 * x * x * x);
       return 0.5 * x * (1 + std::tanh(u));
     },
     interval(-5, 5)},
    {UnaryOp::Silu, [](double x) { return x / (1 + std::exp(-x)); }, interval(-8, 8)},
    {UnaryOp::Softplus, [](double x) { return x > 20 ? x : std::log(1 + std::exp(x)); },
     interval(-15, 25)},
}};

struct BinaryOpCase {
  BinaryOp op;
  double (*reference)(double, double);
  Domain a, b;
  bool exact;                 // results are exactly one of the inputs, or 0 or 1
  Domain smooth_a, smooth_b;  // where the derivatives are checked (no ties)
};

// An op whose derivatives are checked where its values are.
constexpr BinaryOpCase smooth_case(BinaryOp op, double (*reference)(double, double), Domain a,
                                   Domain b) {
  return {op, reference, a, b, false, a, b};
}
// An op with exact results, tested on the grid (ties included); derivatives, where it has
// them, on continuous values.
constexpr BinaryOpCase exact_case(BinaryOp op, double (*reference)(double, double)) {
  return {op, reference, grid(), grid(), true, interval(-2, 2), interval(-2, 2)};
}

inline double numpy_maximum(double a, double b) {
  return std::isnan(a) || std::isnan(b) ? std::numeric_limits<double>::quiet_NaN() : std::max(a, b);
}
inline double numpy_minimum(double a, double b) {
  return std::isnan(a) || std::isnan(b) ? std::numeric_limits<double>::quiet_NaN() : std::min(a, b);
}
// numpy.isclose(a, b) with rtol 1e-5 and atol 1e-8: infinities are close only to themselves.
inline double numpy_isclose(double a, double b) {
  if (std::isinf(a) || std::isinf(b)) return a == b ? 1 : 0;
  return std::abs(a - b) <= 1e-8 + 1e-5 * std::abs(b) ? 1 : 0;
}

inline constexpr std::array<BinaryOpCase, kBinaryOpCount> kBinaryOpCases = {{
    smooth_case(
        BinaryOp::Add, [](double a, double b) { return a + b; }, interval(-3, 3), interval(-3, 3)),
    smooth_case(
        BinaryOp::Sub, [](double a, double b) { return a - b; }, interval(-3, 3), interval(-3, 3)),
    smooth_case(
        BinaryOp::Mul, [](double a, double b) { return a * b; }, interval(-3, 3), interval(-3, 3)),
    smooth_case(
        BinaryOp::Div, [](double a, double b) { return a / b; }, interval(-3, 3), nonzero(0.5, 2)),
    smooth_case(
        BinaryOp::Pow, [](double a, double b) { return std::pow(a, b); }, interval(0.5, 2),
        interval(-2, 2)),
    exact_case(BinaryOp::Max, numpy_maximum),
    exact_case(BinaryOp::Min, numpy_minimum),
    exact_case(BinaryOp::Lt, [](double a, double b) { return a < b ? 1.0 : 0.0; }),
    exact_case(BinaryOp::Gt, [](double a, double b) { return a > b ? 1.0 : 0.0; }),
    exact_case(BinaryOp::Eq, [](double a, double b) { return a == b ? 1.0 : 0.0; }),
    exact_case(BinaryOp::IsClose, numpy_isclose),
    // Probabilities away from 0 and 1 (where the clamp at -100 would cut the log).
    smooth_case(
        BinaryOp::BinaryCrossEntropy,
        [](double p, double y) {
          return -(y * std::max(std::log(p), -100.0) + (1 - y) * std::max(std::log1p(-p), -100.0));
        },
        interval(0.05, 0.95), interval(0, 1)),
}};

struct ReduceOpCase {
  ReduceOp op;
  // The reference fold, in double: identity, then combine(acc, x) for each element.
  double identity;
  double (*combine)(double, double);
  // Values for long folds (prod's near magnitude 1, so that products of thousands neither
  // overflow nor underflow) and, with no ties, for the derivatives.
  Domain domain;
};

inline constexpr std::array<ReduceOpCase, kReduceOpCount> kReduceOpCases = {{
    {ReduceOp::Sum, 0.0, [](double acc, double x) { return acc + x; }, interval(-2, 2)},
    {ReduceOp::Prod, 1.0, [](double acc, double x) { return acc * x; }, nonzero(0.9, 1.1)},
    {ReduceOp::Max, -std::numeric_limits<double>::infinity(), numpy_maximum, interval(-2, 2)},
    {ReduceOp::Min, std::numeric_limits<double>::infinity(), numpy_minimum, interval(-2, 2)},
}};

// Row i is op i: with the arrays' sizes (the op counts), every op has exactly one row.
template <class Case, std::size_t N>
constexpr bool rows_in_op_order(const std::array<Case, N>& rows) {
  for (std::size_t i = 0; i < N; ++i)
    if (static_cast<std::size_t>(rows[i].op) != i) return false;
  return true;
}
static_assert(rows_in_op_order(kUnaryOpCases), "kUnaryOpCases: one row per UnaryOp, in order");
static_assert(rows_in_op_order(kBinaryOpCases), "kBinaryOpCases: one row per BinaryOp, in order");
static_assert(rows_in_op_order(kReduceOpCases), "kReduceOpCases: one row per ReduceOp, in order");

inline const UnaryOpCase& op_case(UnaryOp op) { return kUnaryOpCases[static_cast<int>(op)]; }
inline const BinaryOpCase& op_case(BinaryOp op) { return kBinaryOpCases[static_cast<int>(op)]; }
inline const ReduceOpCase& op_case(ReduceOp op) { return kReduceOpCases[static_cast<int>(op)]; }

}  // namespace mt::test
