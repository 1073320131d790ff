#pragma once
// Every op table with its list (UnaryOpList, BinaryOpList, ReduceOpList), in the order of their
// enums, so that a backend can build a table of loops with one instantiation per op (tables
// indexed by the enum value).
#include "op_tables/binary_ops.hpp"
#include "op_tables/reduce_ops.hpp"
#include "op_tables/unary_ops.hpp"
