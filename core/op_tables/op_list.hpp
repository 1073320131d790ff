#pragma once
// The machinery behind each op kind's list of op structs (unary_ops.hpp, binary_ops.hpp,
// reduce_ops.hpp): each struct carries `id` (its enum value) and `name`, and each kind writes
// its list once; the count and the names are derived from that list here, the dispatch from an
// enum value to the struct in op_dispatch.hpp (host code only: it throws). NVRTC-clean, as the
// op tables (see math.hpp).
#include "op_tables/math.hpp"

namespace mt {

template <class... Ops> struct OpList { static constexpr int size = sizeof...(Ops); };

namespace op_list {

// True when element i of the list has id i, for every i: the enum values index the list (and
// the backends' tables built from it), so an op out of place would run another op's math.
template <class... Ops> constexpr bool ids_in_order(OpList<Ops...>) {
  int i = 0;
  return ((static_cast<int>(Ops::id) == i++) && ...);
}

template <class... Ops> constexpr bool names_set(OpList<Ops...>) {
  return ((Ops::name != nullptr && Ops::name[0] != '\0') && ...);
}

// The name of `op`, or `unknown` for a value outside the list.
template <class Op, class... Ops> const char* name_of(OpList<Ops...>, Op op, const char* unknown) {
  static constexpr const char* kNames[] = {Ops::name...};
  const auto i = static_cast<int32_t>(op);
  return i >= 0 && i < static_cast<int32_t>(sizeof...(Ops)) ? kNames[i] : unknown;
}

}  // namespace op_list
}  // namespace mt
