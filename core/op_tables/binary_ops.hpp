#pragma once
// The binary op table (see unary_ops.hpp):
//   id, name           its enum value and its name ("add")
//   forward(a, b)      the value
//   grad_a(a, b, g)    g * d/da forward(a, b)
//   grad_b(a, b, g)    g * d/db forward(a, b)
// Comparisons return 1 or 0 in the operands' type and have zero gradients.
#include "base/host_device.hpp"
#include "op_tables/math.hpp"
#include "op_tables/op_list.hpp"
#include "op_tables/vmath.hpp"

namespace mt {

// Values are part of the C ABI: append-only, in the order of BinaryOpList.
enum class BinaryOp : int32_t {
  Add,
  Sub,
  Mul,
  Div,
  Pow,
  Max,
  Min,
  Lt,
  Gt,
  Eq,
  IsClose,
  BinaryCrossEntropy
};

namespace binary {

// Comparisons are not differentiable; their gradient is zero everywhere.
struct ZeroGrad {
  template <class T> MT_HD static T grad_a(T, T, T) { return T(0); }
  template <class T> MT_HD static T grad_b(T, T, T) { return T(0); }
};

// Marks ops whose gradients are +g or -g whatever the operands (add, sub): autograd saves no
// operands for them and passes +g on without a loop (the signs come from grad_a and grad_b).
struct SignedGrads {};

struct Add : SignedGrads {
  static constexpr BinaryOp id = BinaryOp::Add;
  static constexpr const char* name = "add";
  template <class T> MT_HD static T forward(T a, T b) { return a + b; }
  template <class T> MT_HD static T grad_a(T, T, T g) { return g; }
  template <class T> MT_HD static T grad_b(T, T, T g) { return g; }
};

struct Sub : SignedGrads {
  static constexpr BinaryOp id = BinaryOp::Sub;
  static constexpr const char* name = "sub";
  template <class T> MT_HD static T forward(T a, T b) { return a - b; }
  template <class T> MT_HD static T grad_a(T, T, T g) { return g; }
  template <class T> MT_HD static T grad_b(T, T, T g) { return -g; }
};

struct Mul {
  static constexpr BinaryOp id = BinaryOp::Mul;
  static constexpr const char* name = "mul";
  template <class T> MT_HD static T forward(T a, T b) { return a * b; }
  template <class T> MT_HD static T grad_a(T, T b, T g) { return g * b; }
  template <class T> MT_HD static T grad_b(T a, T, T g) { return g * a; }
};

struct Div {
  static constexpr BinaryOp id = BinaryOp::Div;
  static constexpr const char* name = "div";
  template <class T> MT_HD static T forward(T a, T b) { return a / b; }
  template <class T> MT_HD static T grad_a(T, T b, T g) { return g / b; }
  template <class T> MT_HD static T grad_b(T a, T b, T g) { return -g * a / (b * b); }
};

struct Pow {
  static constexpr BinaryOp id = BinaryOp::Pow;
  static constexpr const char* name = "pow";
  template <class T> MT_HD static T forward(T a, T b) { return math::pow(a, b); }
  template <class T> MT_HD static T grad_a(T a, T b, T g) {
    return b == T(0) ? T(0) : g * b * math::pow(a, b - T(1));
  }
  // d/db a^b = a^b log a; taken as 0 where a == 0 and b >= 0 (the limit), as PyTorch does.
  template <class T> MT_HD static T grad_b(T a, T b, T g) {
    if (a == T(0) && b >= T(0)) return T(0);
    return g * math::pow(a, b) * math::log(a);
  }
};

// max/min propagate NaN (numpy's maximum/minimum); on a tie the gradient is split evenly
// (PyTorch's rule), so that it sums to g.
struct Max {
  static constexpr BinaryOp id = BinaryOp::Max;
  static constexpr const char* name = "max";
  template <class T> MT_HD static T forward(T a, T b) { return a > b || a != a ? a : b; }
  template <class T> MT_HD static T grad_a(T a, T b, T g) {
    return a > b ? g : (a == b ? g / T(2) : T(0));
  }
  template <class T> MT_HD static T grad_b(T a, T b, T g) {
    return b > a ? g : (a == b ? g / T(2) : T(0));
  }
};

struct Min {
  static constexpr BinaryOp id = BinaryOp::Min;
  static constexpr const char* name = "min";
  template <class T> MT_HD static T forward(T a, T b) { return a < b || a != a ? a : b; }
  template <class T> MT_HD static T grad_a(T a, T b, T g) {
    return a < b ? g : (a == b ? g / T(2) : T(0));
  }
  template <class T> MT_HD static T grad_b(T a, T b, T g) {
    return b < a ? g : (a == b ? g / T(2) : T(0));
  }
};

struct Lt : ZeroGrad {
  static constexpr BinaryOp id = BinaryOp::Lt;
  static constexpr const char* name = "lt";
  template <class T> MT_HD static T forward(T a, T b) { return a < b ? T(1) : T(0); }
};

struct Gt : ZeroGrad {
  static constexpr BinaryOp id = BinaryOp::Gt;
  static constexpr const char* name = "gt";
  template <class T> MT_HD static T forward(T a, T b) { return a > b ? T(1) : T(0); }
};

struct Eq : ZeroGrad {
  static constexpr BinaryOp id = BinaryOp::Eq;
  static constexpr const char* name = "eq";
  template <class T> MT_HD static T forward(T a, T b) { return a == b ? T(1) : T(0); }
};

// numpy.isclose with its defaults: |a - b| <= atol + rtol * |b|, rtol = 1e-5, atol = 1e-8;
// an infinity is close only to itself, NaN to nothing.
struct IsClose : ZeroGrad {
  static constexpr BinaryOp id = BinaryOp::IsClose;
  static constexpr const char* name = "is_close";
  template <class T> MT_HD static T forward(T a, T b) {
    if (!math::isfinite(a) || !math::isfinite(b)) return a == b ? T(1) : T(0);
    return math::abs(a - b) <= T(1e-8) + T(1e-5) * math::abs(b) ? T(1) : T(0);
  }
};

// The binary cross-entropy of probability p = a against target y = b, one loop instead of
// eleven ops: -(y log p + (1 - y) log(1 - p)), each log clamped at -100 as PyTorch's BCELoss
// does, so that p = 0 or 1 gives a finite loss.
struct BinaryCrossEntropy {
  static constexpr BinaryOp id = BinaryOp::BinaryCrossEntropy;
  static constexpr const char* name = "binary_cross_entropy";
  // NaN passes through (a diverged model must not get a finite loss).
  template <class T> MT_HD static T clamped_log(T x) {
    const T l = vmath::log(x);
    return l > T(-100) || l != l ? l : T(-100);
  }
  template <class T> MT_HD static T forward(T p, T y) {
    return -(y * clamped_log(p) + (T(1) - y) * clamped_log(T(1) - p));
  }
  // (p - y) / (p (1 - p)), with the denominator at least 1e-12 (PyTorch's epsilon).
  template <class T> MT_HD static T grad_a(T p, T y, T g) {
    const T d = p * (T(1) - p);
    return g * (p - y) / (d > T(1e-12) ? d : T(1e-12));
  }
  template <class T> MT_HD static T grad_b(T p, T, T g) {
    return g * (clamped_log(T(1) - p) - clamped_log(p));
  }
};

}  // namespace binary

using BinaryOpList = OpList<binary::Add, binary::Sub, binary::Mul, binary::Div, binary::Pow,
                            binary::Max, binary::Min, binary::Lt, binary::Gt, binary::Eq,
                            binary::IsClose, binary::BinaryCrossEntropy>;
inline constexpr int kBinaryOpCount = BinaryOpList::size;
static_assert(op_list::ids_in_order(BinaryOpList{}) && op_list::names_set(BinaryOpList{}));

// "add"; "unknown binary op" for a value outside the enum.
const char* op_name(BinaryOp op);

}  // namespace mt
