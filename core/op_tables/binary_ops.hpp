#pragma once
// The binary op table (see unary_ops.hpp):
//   forward(a, b)      the value
//   grad_a(a, b, g)    g * d/da forward(a, b)
//   grad_b(a, b, g)    g * d/db forward(a, b)
// Comparisons return 1 or 0 in the operands' type and have zero gradients.
#include <cmath>
#include <cstdint>

#include "base/error.hpp"
#include "base/host_device.hpp"
#include "op_tables/vmath.hpp"

namespace mt {

// Values are part of the C ABI: append-only.
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
inline constexpr int kBinaryOpCount = 12;

namespace binary {

// Comparisons are not differentiable; their gradient is zero everywhere.
struct ZeroGrad {
  template <class T> MT_HD static T grad_a(T, T, T) { return T(0); }
  template <class T> MT_HD static T grad_b(T, T, T) { return T(0); }
};

struct Add {
  template <class T> MT_HD static T forward(T a, T b) { return a + b; }
  template <class T> MT_HD static T grad_a(T, T, T g) { return g; }
  template <class T> MT_HD static T grad_b(T, T, T g) { return g; }
};

struct Sub {
  template <class T> MT_HD static T forward(T a, T b) { return a - b; }
  template <class T> MT_HD static T grad_a(T, T, T g) { return g; }
  template <class T> MT_HD static T grad_b(T, T, T g) { return -g; }
};

struct Mul {
  template <class T> MT_HD static T forward(T a, T b) { return a * b; }
  template <class T> MT_HD static T grad_a(T, T b, T g) { return g * b; }
  template <class T> MT_HD static T grad_b(T a, T, T g) { return g * a; }
};

struct Div {
  template <class T> MT_HD static T forward(T a, T b) { return a / b; }
  template <class T> MT_HD static T grad_a(T, T b, T g) { return g / b; }
  template <class T> MT_HD static T grad_b(T a, T b, T g) { return -g * a / (b * b); }
};

struct Pow {
  template <class T> MT_HD static T forward(T a, T b) { return std::pow(a, b); }
  template <class T> MT_HD static T grad_a(T a, T b, T g) {
    return b == T(0) ? T(0) : g * b * std::pow(a, b - T(1));
  }
  // d/db a^b = a^b log a; taken as 0 where a == 0 and b >= 0 (the limit), as PyTorch does.
  template <class T> MT_HD static T grad_b(T a, T b, T g) {
    if (a == T(0) && b >= T(0)) return T(0);
    return g * std::pow(a, b) * std::log(a);
  }
};

// max/min propagate NaN (numpy's maximum/minimum); on a tie the gradient is split evenly
// (PyTorch's rule), so that it sums to g.
struct Max {
  template <class T> MT_HD static T forward(T a, T b) { return a > b || a != a ? a : b; }
  template <class T> MT_HD static T grad_a(T a, T b, T g) {
    return a > b ? g : (a == b ? g / T(2) : T(0));
  }
  template <class T> MT_HD static T grad_b(T a, T b, T g) {
    return b > a ? g : (a == b ? g / T(2) : T(0));
  }
};

struct Min {
  template <class T> MT_HD static T forward(T a, T b) { return a < b || a != a ? a : b; }
  template <class T> MT_HD static T grad_a(T a, T b, T g) {
    return a < b ? g : (a == b ? g / T(2) : T(0));
  }
  template <class T> MT_HD static T grad_b(T a, T b, T g) {
    return b < a ? g : (a == b ? g / T(2) : T(0));
  }
};

struct Lt : ZeroGrad {
  template <class T> MT_HD static T forward(T a, T b) { return a < b ? T(1) : T(0); }
};

struct Gt : ZeroGrad {
  template <class T> MT_HD static T forward(T a, T b) { return a > b ? T(1) : T(0); }
};

struct Eq : ZeroGrad {
  template <class T> MT_HD static T forward(T a, T b) { return a == b ? T(1) : T(0); }
};

// numpy.isclose with its defaults: |a - b| <= atol + rtol * |b|, rtol = 1e-5, atol = 1e-8;
// an infinity is close only to itself, NaN to nothing.
struct IsClose : ZeroGrad {
  template <class T> MT_HD static T forward(T a, T b) {
    if (!std::isfinite(a) || !std::isfinite(b)) return a == b ? T(1) : T(0);
    return std::abs(a - b) <= T(1e-8) + T(1e-5) * std::abs(b) ? T(1) : T(0);
  }
};

// The binary cross-entropy of probability p = a against target y = b, one loop instead of
// eleven ops: -(y log p + (1 - y) log(1 - p)), each log clamped at -100 as PyTorch's BCELoss
// does, so that p = 0 or 1 gives a finite loss.
struct BinaryCrossEntropy {
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

const char* op_name(BinaryOp op);

// Calls `f` with the table entry of `op`; see dispatch_unary.
template <class F> decltype(auto) dispatch_binary(BinaryOp op, F&& f) {
  switch (op) {
    case BinaryOp::Add: return f(binary::Add{});
    case BinaryOp::Sub: return f(binary::Sub{});
    case BinaryOp::Mul: return f(binary::Mul{});
    case BinaryOp::Div: return f(binary::Div{});
    case BinaryOp::Pow: return f(binary::Pow{});
    case BinaryOp::Max: return f(binary::Max{});
    case BinaryOp::Min: return f(binary::Min{});
    case BinaryOp::Lt: return f(binary::Lt{});
    case BinaryOp::Gt: return f(binary::Gt{});
    case BinaryOp::Eq: return f(binary::Eq{});
    case BinaryOp::IsClose: return f(binary::IsClose{});
    case BinaryOp::BinaryCrossEntropy: return f(binary::BinaryCrossEntropy{});
  }
  fail(ErrorCode::InvalidArgument, "unknown binary op ", static_cast<int32_t>(op));
}

}  // namespace mt
