#pragma once
// The dispatch from an op's enum value to its struct in the op lists (op_list.hpp), for host
// code: it throws for a value outside the list, so it lives apart from the op tables, which
// compile under NVRTC too (no error header, no standard header there).
#include <cstdint>
#include <type_traits>

#include "base/error.hpp"
#include "op_tables/op_lists.hpp"

namespace mt {
namespace op_list {

// Calls `f` with the list's struct for `op` (an empty struct, so that a backend instantiates
// its loop once per op with the op's math inlined) through a table of one entry per op,
// indexed by the enum value (as a switch compiles to). Throws InvalidArgument, naming `kind`,
// for a value outside the list.
template <class First, class... Rest, class Op, class F>
decltype(auto) dispatch(OpList<First, Rest...>, Op op, F&& f, const char* kind) {
  using R = std::invoke_result_t<F&, First>;
  static constexpr R (*kCalls[])(F&) = {[](F& fn) -> R { return fn(First{}); },
                                        [](F& fn) -> R { return fn(Rest{}); }...};
  const auto i = static_cast<int32_t>(op);
  if (i < 0 || i > static_cast<int32_t>(sizeof...(Rest)))
    fail(ErrorCode::InvalidArgument, "unknown ", kind, " ", i);
  return kCalls[i](f);
}

}  // namespace op_list

// Calls `f` with the table entry of `op` (see op_list::dispatch); throws InvalidArgument for a
// value outside the enum.
template <class F> decltype(auto) dispatch_unary(UnaryOp op, F&& f) {
  return op_list::dispatch(UnaryOpList{}, op, f, "unary op");
}

template <class F> decltype(auto) dispatch_binary(BinaryOp op, F&& f) {
  return op_list::dispatch(BinaryOpList{}, op, f, "binary op");
}

template <class F> decltype(auto) dispatch_reduce(ReduceOp op, F&& f) {
  return op_list::dispatch(ReduceOpList{}, op, f, "reduce op");
}

}  // namespace mt
