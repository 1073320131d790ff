#pragma once
// The reduce op table: a reduction starts from identity() and folds each element in with
// combine(acc, x). The fold is associative (up to rounding), so backends may split it into
// blocks and combine the partial results with the same combine().
//   id, name                 its enum value and its name ("sum")
//   kEmptyAllowed            whether reducing nothing gives identity() (else an error)
//   backward(g, x, y, dims)  the gradient that flows to x when g flows to y = reduce(x), with y
//                            and g in x's rank (size 1 in the reduced dims `dims`)
//   kBackwardReadsValues     false where backward needs only x's shape: backward(g, x_shape)
//                            (autograd then keeps no values)
// backward works on tensors: it is a template over the tensor type, which the autograd layer
// instantiates (the tensor operations are found by argument-dependent lookup), so that this
// table depends on base/ only. backward takes Dims by reference, so a declaration is enough:
// the table includes no standard header and compiles under NVRTC (see math.hpp).
#include "base/host_device.hpp"
#include "op_tables/math.hpp"
#include "op_tables/op_list.hpp"

namespace mt {

class Dims;

// Values are part of the C ABI: append-only, in the order of ReduceOpList.
enum class ReduceOp : int32_t { Sum, Prod, Max, Min };

namespace reduction {

struct Sum {
  static constexpr ReduceOp id = ReduceOp::Sum;
  static constexpr const char* name = "sum";
  static constexpr bool kEmptyAllowed = true;
  template <class T> MT_HD static T identity() { return T(0); }
  template <class T> MT_HD static T combine(T acc, T x) { return acc + x; }

  static constexpr bool kBackwardReadsValues = false;
  template <class Tensor> static Tensor backward(const Tensor& g, const Dims& x_shape) {
    return g.expand(x_shape);
  }
};

struct Prod {
  static constexpr ReduceOp id = ReduceOp::Prod;
  static constexpr const char* name = "prod";
  static constexpr bool kEmptyAllowed = true;
  template <class T> MT_HD static T identity() { return T(1); }
  template <class T> MT_HD static T combine(T acc, T x) { return acc * x; }

  // d prod / d x_i = the product of the others: y / x_i where x_i != 0; where x_i is the only
  // zero of its slice, the product of the rest; where there are more zeros, 0.
  static constexpr bool kBackwardReadsValues = true;
  template <class Tensor>
  static Tensor backward(const Tensor& g, const Tensor& x, const Tensor& y, const Dims& dims) {
    const Tensor zero = eq(x, scalar(0, x.dtype()));
    const Tensor nonzero_x = x + zero;  // zeros replaced by ones
    const Tensor others_of_zero =
        prod(nonzero_x, dims, true) * eq(sum(zero, dims, true), scalar(1, x.dtype()));
    return g * ((1.0 - zero) * y / nonzero_x + zero * others_of_zero);
  }
};

// max and min of nothing are errors (numpy: "zero-size array ... has no identity"); the
// identity is only the fold's start value. NaN propagates.
// Their gradient goes to the elements equal to the result, split evenly on ties.
template <class Tensor>
Tensor gradient_to_extremes(const Tensor& g, const Tensor& x, const Tensor& y, const Dims& dims) {
  const Tensor hit = eq(x, y);
  return g * hit / sum(hit, dims, true);
}

struct Max {
  static constexpr ReduceOp id = ReduceOp::Max;
  static constexpr const char* name = "max";
  static constexpr bool kEmptyAllowed = false;
  template <class T> MT_HD static T identity() { return -math::infinity<T>(); }
  template <class T> MT_HD static T combine(T acc, T x) { return x > acc || x != x ? x : acc; }

  static constexpr bool kBackwardReadsValues = true;
  template <class Tensor>
  static Tensor backward(const Tensor& g, const Tensor& x, const Tensor& y, const Dims& dims) {
    return gradient_to_extremes(g, x, y, dims);
  }
};

struct Min {
  static constexpr ReduceOp id = ReduceOp::Min;
  static constexpr const char* name = "min";
  static constexpr bool kEmptyAllowed = false;
  template <class T> MT_HD static T identity() { return math::infinity<T>(); }
  template <class T> MT_HD static T combine(T acc, T x) { return x < acc || x != x ? x : acc; }

  static constexpr bool kBackwardReadsValues = true;
  template <class Tensor>
  static Tensor backward(const Tensor& g, const Tensor& x, const Tensor& y, const Dims& dims) {
    return gradient_to_extremes(g, x, y, dims);
  }
};

}  // namespace reduction

using ReduceOpList = OpList<reduction::Sum, reduction::Prod, reduction::Max, reduction::Min>;
inline constexpr int kReduceOpCount = ReduceOpList::size;
static_assert(op_list::ids_in_order(ReduceOpList{}) && op_list::names_set(ReduceOpList{}));

// "sum"; "unknown reduce op" for a value outside the enum.
const char* op_name(ReduceOp op);

}  // namespace mt
