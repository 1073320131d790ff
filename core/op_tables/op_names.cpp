#include "base/dtype.hpp"
#include "op_tables/binary_ops.hpp"
#include "op_tables/reduce_ops.hpp"
#include "op_tables/unary_ops.hpp"

namespace mt {

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
  }
  return "unknown dtype";
}

const char* op_name(UnaryOp op) { return op_list::name_of(UnaryOpList{}, op, "unknown unary op"); }

const char* op_name(BinaryOp op) {
  return op_list::name_of(BinaryOpList{}, op, "unknown binary op");
}

const char* op_name(ReduceOp op) {
  return op_list::name_of(ReduceOpList{}, op, "unknown reduce op");
}

}  // namespace mt
