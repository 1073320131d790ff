#pragma once
// The unary op table: the one definition of each op's math, used by every backend (CUDA
// kernels compile it as __host__ __device__ code) and by autodiff.
//   id, name       its enum value and its name ("exp")
//   forward(x)     the value f(x)
//   backward(x, g) g * f'(x): the gradient that flows to x when g flows to f(x)
// Adding an op: append its enum value, write its struct, append it to UnaryOpList (and add
// its C value to minitensor.h and its row to tests/support/op_cases.hpp); every backend,
// autodiff and the C API then have it.
// exp, log, tanh and sigmoid come from vmath.hpp (branch-free, so that the backends' loops
// vectorize; within 2 ulp), not from libm: the CPU backends compute the same bits for every
// instruction set.
// The tables also compile under NVRTC: no standard header here; what std gives comes from
// op_tables/math.hpp (tests/cuda/nvrtc checks it).
#include "base/host_device.hpp"
#include "op_tables/math.hpp"
#include "op_tables/op_list.hpp"
#include "op_tables/vmath.hpp"

namespace mt {

// Values are part of the C ABI: append-only, in the order of UnaryOpList.
enum class UnaryOp : int32_t {
  Neg,
  Id,
  Exp,
  Log,
  Sigmoid,
  Relu,
  Tanh,
  Inv,
  Abs,
  Sqrt,
  Square,
  Sin,
  Cos,
  Log1p,
  Expm1,
  Erf,
  Gelu,
  GeluTanh,
  Silu,
  Softplus
};

namespace unary {

struct Neg {
  static constexpr UnaryOp id = UnaryOp::Neg;
  static constexpr const char* name = "neg";
  template <class T> MT_HD static T forward(T x) { return -x; }
  template <class T> MT_HD static T backward(T, T g) { return -g; }
};

struct Id {
  static constexpr UnaryOp id = UnaryOp::Id;
  static constexpr const char* name = "id";
  template <class T> MT_HD static T forward(T x) { return x; }
  template <class T> MT_HD static T backward(T, T g) { return g; }
};

struct Exp {
  static constexpr UnaryOp id = UnaryOp::Exp;
  static constexpr const char* name = "exp";
  template <class T> MT_HD static T forward(T x) { return vmath::exp(x); }
  template <class T> MT_HD static T backward(T x, T g) { return g * vmath::exp(x); }
};

struct Log {
  static constexpr UnaryOp id = UnaryOp::Log;
  static constexpr const char* name = "log";
  template <class T> MT_HD static T forward(T x) { return vmath::log(x); }
  template <class T> MT_HD static T backward(T x, T g) { return g / x; }
};

struct Sigmoid {
  static constexpr UnaryOp id = UnaryOp::Sigmoid;
  static constexpr const char* name = "sigmoid";
  // vmath::sigmoid never overflows, for either sign of x.
  template <class T> MT_HD static T forward(T x) { return vmath::sigmoid(x); }
  // s (1 - s) = e / (1 + e)^2 with e = e^-|x| (the derivative is even): no cancellation in
  // 1 - s where s is near 1, so it stays accurate in relative terms for large |x|.
  template <class T> MT_HD static T backward(T x, T g) {
    const T e = vmath::exp(-math::abs(x));
    const T d = T(1) + e;
    return g * (e / (d * d));
  }
};

struct Relu {
  static constexpr UnaryOp id = UnaryOp::Relu;
  static constexpr const char* name = "relu";
  // NaN propagates (x > 0 is false for NaN, so the NaN itself is returned).
  template <class T> MT_HD static T forward(T x) { return x > T(0) || x != x ? x : T(0); }
  // The derivative at 0 is taken as 0, as PyTorch does.
  template <class T> MT_HD static T backward(T x, T g) { return x > T(0) ? g : T(0); }
};

struct Tanh {
  static constexpr UnaryOp id = UnaryOp::Tanh;
  static constexpr const char* name = "tanh";
  template <class T> MT_HD static T forward(T x) { return vmath::tanh(x); }
  // 1 - tanh^2 x = 4e / (1 + e)^2 with e = e^-2|x|: no cancellation in 1 - t^2 where t is
  // near 1, so it stays accurate in relative terms for large |x|.
  template <class T> MT_HD static T backward(T x, T g) {
    const T e = vmath::exp(T(-2) * math::abs(x));
    const T d = T(1) + e;
    return g * (T(4) * e / (d * d));
  }
};

struct Inv {
  static constexpr UnaryOp id = UnaryOp::Inv;
  static constexpr const char* name = "inv";
  template <class T> MT_HD static T forward(T x) { return T(1) / x; }
  template <class T> MT_HD static T backward(T x, T g) { return -g / (x * x); }
};

struct Abs {
  static constexpr UnaryOp id = UnaryOp::Abs;
  static constexpr const char* name = "abs";
  template <class T> MT_HD static T forward(T x) { return math::abs(x); }
  // sign(x), 0 at 0 as in PyTorch.
  template <class T> MT_HD static T backward(T x, T g) {
    return x > T(0) ? g : (x < T(0) ? -g : T(0));
  }
};

struct Sqrt {
  static constexpr UnaryOp id = UnaryOp::Sqrt;
  static constexpr const char* name = "sqrt";
  template <class T> MT_HD static T forward(T x) { return math::sqrt(x); }
  template <class T> MT_HD static T backward(T x, T g) { return g / (T(2) * math::sqrt(x)); }
};

struct Square {
  static constexpr UnaryOp id = UnaryOp::Square;
  static constexpr const char* name = "square";
  template <class T> MT_HD static T forward(T x) { return x * x; }
  template <class T> MT_HD static T backward(T x, T g) { return T(2) * x * g; }
};

// sin, cos, log1p, expm1 and erf come from libm: scalar calls (not vectorized), so every
// instruction set's loop calls the same function and gets the same bits.
struct Sin {
  static constexpr UnaryOp id = UnaryOp::Sin;
  static constexpr const char* name = "sin";
  template <class T> MT_HD static T forward(T x) { return math::sin(x); }
  template <class T> MT_HD static T backward(T x, T g) { return g * math::cos(x); }
};

struct Cos {
  static constexpr UnaryOp id = UnaryOp::Cos;
  static constexpr const char* name = "cos";
  template <class T> MT_HD static T forward(T x) { return math::cos(x); }
  template <class T> MT_HD static T backward(T x, T g) { return -g * math::sin(x); }
};

struct Log1p {
  static constexpr UnaryOp id = UnaryOp::Log1p;
  static constexpr const char* name = "log1p";
  template <class T> MT_HD static T forward(T x) { return math::log1p(x); }
  template <class T> MT_HD static T backward(T x, T g) { return g / (T(1) + x); }
};

struct Expm1 {
  static constexpr UnaryOp id = UnaryOp::Expm1;
  static constexpr const char* name = "expm1";
  template <class T> MT_HD static T forward(T x) { return math::expm1(x); }
  template <class T> MT_HD static T backward(T x, T g) { return g * vmath::exp(x); }
};

struct Erf {
  static constexpr UnaryOp id = UnaryOp::Erf;
  static constexpr const char* name = "erf";
  template <class T> MT_HD static T forward(T x) { return math::erf(x); }
  // 2/sqrt(pi) e^(-x^2); x^2 overflowing to inf gives e^-inf = 0.
  template <class T> MT_HD static T backward(T x, T g) {
    return g * (T(1.1283791670955126) * vmath::exp(-(x * x)));
  }
};

// x Phi(x) with Phi the normal distribution function, PyTorch's GELU (approximate='none'):
// x / 2 (1 + erf(x / sqrt 2)), computed as x / 2 erfc(-x / sqrt 2), the same function
// without the cancellation of 1 + erf where x < 0.
struct Gelu {
  static constexpr UnaryOp id = UnaryOp::Gelu;
  static constexpr const char* name = "gelu";
  template <class T> MT_HD static T forward(T x) {
    return x * (T(0.5) * math::erfc(x * T(-0.7071067811865476)));
  }
  // Phi(x) + x phi(x), phi(x) = e^(-x^2/2) / sqrt(2 pi), which is 0 where x^2 overflows.
  template <class T> MT_HD static T backward(T x, T g) {
    const T cdf = T(0.5) * math::erfc(x * T(-0.7071067811865476));
    const T pdf = T(0.3989422804014327) * vmath::exp(T(-0.5) * (x * x));
    return g * (cdf + x * pdf);
  }
};

// PyTorch's GELU with approximate='tanh': x / 2 (1 + tanh u), u = sqrt(2/pi) (x + 0.044715 x^3),
// computed as x sigmoid(2u) (the same function: (1 + tanh u) / 2 = sigmoid(2u)), which has no
// cancellation where x < 0 and no overflow (x^3 = +-inf gives sigmoid 1 or 0).
struct GeluTanh {
  static constexpr UnaryOp id = UnaryOp::GeluTanh;
  static constexpr const char* name = "gelu_tanh";
  template <class T> MT_HD static T two_u(T x) {
    return T(1.5957691216057308) * (x + T(0.044715) * (x * x * x));
  }
  template <class T> MT_HD static T forward(T x) { return x * vmath::sigmoid(two_u(x)); }
  // sigmoid(2u) + x sigmoid'(2u) 2u'. Beyond |x| = 30, sigmoid'(2u) < e^-1900 is 0 in either
  // type: x is clamped there, so that x^2 in u' stays finite (0 * inf would be NaN).
  template <class T> MT_HD static T backward(T x, T g) {
    const T v = two_u(x);
    const T xc = vmath::detail::clamp_abs(x, T(30));
    const T dv = T(1.5957691216057308) * (T(1) + T(0.134145) * (xc * xc));
    return g * (vmath::sigmoid(v) + xc * Sigmoid::backward(v, dv));
  }
};

// x sigmoid(x) (swish).
struct Silu {
  static constexpr UnaryOp id = UnaryOp::Silu;
  static constexpr const char* name = "silu";
  template <class T> MT_HD static T forward(T x) { return x * vmath::sigmoid(x); }
  // sigmoid(x) + x sigmoid'(x), with sigmoid' from Sigmoid (accurate and 0, not NaN, for
  // large |x|).
  template <class T> MT_HD static T backward(T x, T g) {
    return g * (vmath::sigmoid(x) + x * Sigmoid::backward(x, T(1)));
  }
};

// ln(1 + e^x) as PyTorch's Softplus with its defaults (beta 1, threshold 20): x itself where
// x > 20 (where the two differ by less than e^-20).
struct Softplus {
  static constexpr UnaryOp id = UnaryOp::Softplus;
  static constexpr const char* name = "softplus";
  template <class T> MT_HD static T forward(T x) {
    return x > T(20) ? x : math::log1p(vmath::exp(x));
  }
  // sigmoid(x), and 1 where the forward is x.
  template <class T> MT_HD static T backward(T x, T g) {
    return x > T(20) ? g : g * vmath::sigmoid(x);
  }
};

}  // namespace unary

using UnaryOpList =
    OpList<unary::Neg, unary::Id, unary::Exp, unary::Log, unary::Sigmoid, unary::Relu, unary::Tanh,
           unary::Inv, unary::Abs, unary::Sqrt, unary::Square, unary::Sin, unary::Cos, unary::Log1p,
           unary::Expm1, unary::Erf, unary::Gelu, unary::GeluTanh, unary::Silu, unary::Softplus>;
inline constexpr int kUnaryOpCount = UnaryOpList::size;
static_assert(op_list::ids_in_order(UnaryOpList{}) && op_list::names_set(UnaryOpList{}));

// "exp"; "unknown unary op" for a value outside the enum.
const char* op_name(UnaryOp op);

}  // namespace mt
