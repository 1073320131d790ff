#pragma once
// The unary op table: the one definition of each op's math, used by every backend (CUDA
// kernels compile it as __host__ __device__ code) and by autodiff.
//   forward(x)     the value f(x)
//   backward(x, g) g * f'(x): the gradient that flows to x when g flows to f(x)
#include <cmath>
#include <cstdint>

#include "tensor/error.hpp"
#include "tensor/host_device.hpp"

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
  template <class T> MT_HD static T forward(T x) { return std::exp(x); }
  template <class T> MT_HD static T backward(T x, T g) { return g * std::exp(x); }
};

struct Log {
  template <class T> MT_HD static T forward(T x) { return std::log(x); }
  template <class T> MT_HD static T backward(T x, T g) { return g / x; }
};

struct Sigmoid {
  // Two branches so that exp never overflows: for x < 0, 1/(1+e^-x) = e^x/(1+e^x).
  template <class T> MT_HD static T forward(T x) {
    if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
    const T e = std::exp(x);
    return e / (T(1) + e);
  }
  template <class T> MT_HD static T backward(T x, T g) {
    const T s = forward(x);
    return g * s * (T(1) - s);
  }
};

struct Relu {
  // NaN propagates (x > 0 is false for NaN, so the NaN itself is returned).
  template <class T> MT_HD static T forward(T x) { return x > T(0) || x != x ? x : T(0); }
  // The derivative at 0 is taken as 0, as PyTorch does.
  template <class T> MT_HD static T backward(T x, T g) { return x > T(0) ? g : T(0); }
};

struct Tanh {
  template <class T> MT_HD static T forward(T x) { return std::tanh(x); }
  template <class T> MT_HD static T backward(T x, T g) {
    const T t = std::tanh(x);
    return g * (T(1) - t * t);
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
