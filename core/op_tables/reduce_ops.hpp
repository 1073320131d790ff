#pragma once
// The reduce op table: a reduction starts from identity() and folds each element in with
// combine(acc, x). The fold is associative (up to rounding), so backends may split it into
// blocks and combine the partial results with the same combine().
#include <cstdint>
#include <limits>

#include "base/error.hpp"
#include "base/host_device.hpp"

namespace mt {

// Values are part of the C ABI: append-only.
enum class ReduceOp : int32_t { Sum, Prod, Max, Min };
inline constexpr int kReduceOpCount = 4;

namespace reduction {

struct Sum {
  static constexpr bool kEmptyAllowed = true;
  template <class T> MT_HD static T identity() { return T(0); }
  template <class T> MT_HD static T combine(T acc, T x) { return acc + x; }
};

struct Prod {
  static constexpr bool kEmptyAllowed = true;
  template <class T> MT_HD static T identity() { return T(1); }
  template <class T> MT_HD static T combine(T acc, T x) { return acc * x; }
};

// max and min of nothing are errors (numpy: "zero-size array ... has no identity"); the
// identity is only the fold's start value. NaN propagates.
struct Max {
  static constexpr bool kEmptyAllowed = false;
  template <class T> MT_HD static T identity() { return -std::numeric_limits<T>::infinity(); }
  template <class T> MT_HD static T combine(T acc, T x) { return x > acc || x != x ? x : acc; }
};

struct Min {
  static constexpr bool kEmptyAllowed = false;
  template <class T> MT_HD static T identity() { return std::numeric_limits<T>::infinity(); }
  template <class T> MT_HD static T combine(T acc, T x) { return x < acc || x != x ? x : acc; }
};

}  // namespace reduction

const char* op_name(ReduceOp op);

// Calls `f` with the table entry of `op`; see dispatch_unary.
template <class F> decltype(auto) dispatch_reduce(ReduceOp op, F&& f) {
  switch (op) {
    case ReduceOp::Sum: return f(reduction::Sum{});
    case ReduceOp::Prod: return f(reduction::Prod{});
    case ReduceOp::Max: return f(reduction::Max{});
    case ReduceOp::Min: return f(reduction::Min{});
  }
  fail(ErrorCode::InvalidArgument, "unknown reduce op ", static_cast<int32_t>(op));
}

}  // namespace mt
