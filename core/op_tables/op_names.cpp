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

const char* op_name(UnaryOp op) {
  static constexpr const char* kNames[kUnaryOpCount] = {
      "neg", "id", "exp", "log", "sigmoid", "relu", "tanh", "inv", "abs", "sqrt", "square"};
  const auto i = static_cast<int32_t>(op);
  return i >= 0 && i < kUnaryOpCount ? kNames[i] : "unknown unary op";
}

const char* op_name(BinaryOp op) {
  static constexpr const char* kNames[kBinaryOpCount] = {
      "add", "sub", "mul", "div", "pow",      "max",
      "min", "lt",  "gt",  "eq",  "is_close", "binary_cross_entropy"};
  const auto i = static_cast<int32_t>(op);
  return i >= 0 && i < kBinaryOpCount ? kNames[i] : "unknown binary op";
}

const char* op_name(ReduceOp op) {
  static constexpr const char* kNames[kReduceOpCount] = {"sum", "prod", "max", "min"};
  const auto i = static_cast<int32_t>(op);
  return i >= 0 && i < kReduceOpCount ? kNames[i] : "unknown reduce op";
}

}  // namespace mt
