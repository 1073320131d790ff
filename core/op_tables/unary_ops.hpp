#pragma once
// The unary op table: the one definition of each op's math, used by every backend (CUDA
// kernels compile it as __host__ __device__ code) and by autodiff.
//   forward(x)     the value f(x)
//   backward(x, g) g * f'(x): the gradient that flows to x when g flows to f(x)
// exp, log, tanh and sigmoid come from vmath.hpp (branch-free, so that the backends' loops
// vectorize; within 2 ulp), not from libm: the CPU backends compute the same bits for every
// instruction set.
#include <cmath>
#include <cstdint>

#include "base/error.hpp"
#include "base/host_device.hpp"
#include "op_tables/vmath.hpp"

namespace mt {

// Values are part of the C ABI: append-only.
enum class UnaryOp : int32_t { Neg, Id, Exp, Log, Sigmoid, Relu, Tanh, Inv, Abs, Sqrt, Square };
inline constexpr int kUnaryOpCount = 11;

namespace unary {

struct Neg {
  template <class T> MT_HD static T forward(T x) { return -x; }
  template <class T> MT_HD static T backward(T, T g) { return -g; }
};

struct Id {
  template <class T> MT_HD static T forward(T x) { return x; }
  template <class T> MT_HD static T backward(T, T g) { return g; }
};

struct Exp {
  template <class T> MT_HD static T forward(T x) { return vmath::exp(x); }
  template <class T> MT_HD static T backward(T x, T g) { return g * vmath::exp(x); }
};

struct Log {
  template <class T> MT_HD static T forward(T x) { return vmath::log(x); }
  template <class T> MT_HD static T backward(T x, T g) { return g / x; }
};

struct Sigmoid {
  // vmath::sigmoid never overflows, for either sign of x.
  template <class T> MT_HD static T forward(T x) { return vmath::sigmoid(x); }
  // s (1 - s) = e / (1 + e)^2 with e = e^-|x| (the derivative is even): no cancellation in
  // 1 - s where s is near 1, so it stays accurate in relative terms for large |x|.
  template <class T> MT_HD static T backward(T x, T g) {
    const T e = vmath::exp(-std::abs(x));
    const T d = T(1) + e;
    return g * (e / (d * d));
  }
};

struct Relu {
  // NaN propagates (x > 0 is false for NaN, so the NaN itself is returned).
  template <class T> MT_HD static T forward(T x) { return x > T(0) || x != x ? x : T(0); }
  // The derivative at 0 is taken as 0, as PyTorch does.
  template <class T> MT_HD static T backward(T x, T g) { return x > T(0) ? g : T(0); }
};

struct Tanh {
  template <class T> MT_HD static T forward(T x) { return vmath::tanh(x); }
  // 1 - tanh^2 x = 4e / (1 + e)^2 with e = e^-2|x|: no cancellation in 1 - t^2 where t is
  // near 1, so it stays accurate in relative terms for large |x|.
  template <class T> MT_HD static T backward(T x, T g) {
    const T e = vmath::exp(T(-2) * std::abs(x));
    const T d = T(1) + e;
    return g * (T(4) * e / (d * d));
  }
};

struct Inv {
  template <class T> MT_HD static T forward(T x) { return T(1) / x; }
  template <class T> MT_HD static T backward(T x, T g) { return -g / (x * x); }
};

struct Abs {
  template <class T> MT_HD static T forward(T x) { return std::abs(x); }
  // sign(x), 0 at 0 as in PyTorch.
  template <class T> MT_HD static T backward(T x, T g) {
    return x > T(0) ? g : (x < T(0) ? -g : T(0));
  }
};

struct Sqrt {
  template <class T> MT_HD static T forward(T x) { return std::sqrt(x); }
  template <class T> MT_HD static T backward(T x, T g) { return g / (T(2) * std::sqrt(x)); }
};

struct Square {
  template <class T> MT_HD static T forward(T x) { return x * x; }
  template <class T> MT_HD static T backward(T x, T g) { return T(2) * x * g; }
};

}  // namespace unary

const char* op_name(UnaryOp op);

// Calls `f` with the table entry of `op` (an empty struct), so that a backend instantiates its
// loop once per op with the op's math inlined. Throws InvalidArgument for an unknown value.
template <class F> decltype(auto) dispatch_unary(UnaryOp op, F&& f) {
  switch (op) {
    case UnaryOp::Neg: return f(unary::Neg{});
    case UnaryOp::Id: return f(unary::Id{});
    case UnaryOp::Exp: return f(unary::Exp{});
    case UnaryOp::Log: return f(unary::Log{});
    case UnaryOp::Sigmoid: return f(unary::Sigmoid{});
    case UnaryOp::Relu: return f(unary::Relu{});
    case UnaryOp::Tanh: return f(unary::Tanh{});
    case UnaryOp::Inv: return f(unary::Inv{});
    case UnaryOp::Abs: return f(unary::Abs{});
    case UnaryOp::Sqrt: return f(unary::Sqrt{});
    case UnaryOp::Square: return f(unary::Square{});
  }
  fail(ErrorCode::InvalidArgument, "unknown unary op ", static_cast<int32_t>(op));
}

}  // namespace mt
