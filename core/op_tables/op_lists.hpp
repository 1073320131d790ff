#pragma once
// The op tables as type lists, in the order of their enums, so that a backend can build a
// table of loops with one instantiation per op (tables indexed by the enum value).
#include "op_tables/binary_ops.hpp"
#include "op_tables/reduce_ops.hpp"
#include "op_tables/unary_ops.hpp"

namespace mt {

template <class... Ops> struct OpList { static constexpr int size = sizeof...(Ops); };

using UnaryOpList =
    OpList<unary::Neg, unary::Id, unary::Exp, unary::Log, unary::Sigmoid, unary::Relu, unary::Tanh,
           unary::Inv, unary::Abs, unary::Sqrt, unary::Square>;
using BinaryOpList = OpList<binary::Add, binary::Sub, binary::Mul, binary::Div, binary::Pow,
                            binary::Max, binary::Min, binary::Lt, binary::Gt, binary::Eq,
                            binary::IsClose, binary::BinaryCrossEntropy>;
using ReduceOpList = OpList<reduction::Sum, reduction::Prod, reduction::Max, reduction::Min>;

static_assert(UnaryOpList::size == kUnaryOpCount);
static_assert(BinaryOpList::size == kBinaryOpCount);
static_assert(ReduceOpList::size == kReduceOpCount);

}  // namespace mt
