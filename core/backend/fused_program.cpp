#include "backend/fused_program.hpp"

#include <algorithm>
#include <cstring>

#include "base/error.hpp"
#include "op_tables/op_dispatch.hpp"

namespace mt {
namespace {

bool reads_b(FusedOp kind) {
  return kind == FusedOp::Zip || kind == FusedOp::MapBackward || kind == FusedOp::ZipBackward;
}
bool reads_a(FusedOp kind) {
  return kind != FusedOp::Load && kind != FusedOp::Constant && kind != FusedOp::Product;
}
bool writes_dst(FusedOp kind) { return kind != FusedOp::Store; }

// The instruction's op id names an entry of its table (the dispatchers throw otherwise).
void check_op(const FusedInstruction& ins) {
  switch (ins.kind) {
    case FusedOp::Map:
    case FusedOp::MapBackward: dispatch_unary(static_cast<UnaryOp>(ins.op), [](auto) {}); break;
    case FusedOp::Zip:
    case FusedOp::ZipBackward: dispatch_binary(static_cast<BinaryOp>(ins.op), [](auto) {}); break;
    case FusedOp::Reduce: dispatch_reduce(static_cast<ReduceOp>(ins.op), [](auto) {}); break;
    default: break;
  }
}

bool same_shape(const StridedView& view, int rank, const int64_t* shape) {
  if (view.rank != rank) return false;
  for (int d = 0; d < rank; ++d)
    if (view.shape[d] != shape[d]) return false;
  return true;
}

// A Product's operands: the left (..., m, k) and right (..., k, n) matrices of Backend::matmul,
// of the instruction's dtype, whose product has the iteration shape (batch dims broadcast).
void check_product(const FusedKernel& k, int i) {
  const FusedInstruction& ins = k.instructions[i];
  if (i != 0 || k.rank < 2)
    fail(ErrorCode::InvalidArgument, "fused kernel: a Product at instruction ", i, " of a rank ",
         k.rank, " space (it must be the first, the space of rank 2 or more)");
  if (ins.operand < 0 || ins.operand + 1 >= k.operand_count)
    fail(ErrorCode::InvalidArgument, "fused kernel: instruction ", i, " names operands ",
         ins.operand, " and ", ins.operand + 1, " of ", k.operand_count);
  const StridedView &a = k.operands[ins.operand], &b = k.operands[ins.operand + 1];
  if (a.dtype != ins.dtype || b.dtype != ins.dtype)
    fail(ErrorCode::DTypeMismatch, "fused kernel: instruction ", i, " is ", ins.dtype,
         " but multiplies ", a.dtype, " by ", b.dtype);
  const int r = k.rank;
  bool fits = a.rank == r && b.rank == r && a.shape[r - 2] == k.shape[r - 2] &&
              b.shape[r - 1] == k.shape[r - 1] && a.shape[r - 1] == b.shape[r - 2];
  for (int d = 0; d < r - 2 && fits; ++d)
    fits = (a.shape[d] == k.shape[d] || a.shape[d] == 1) &&
           (b.shape[d] == k.shape[d] || b.shape[d] == 1);
  if (!fits)
    fail(ErrorCode::ShapeMismatch, "fused kernel: the Product's operands ", ins.operand, " and ",
         ins.operand + 1, " are not (..., m, k) and (..., k, n) matrices of the iteration space");
}

bool counts_in_range(const FusedKernel& k) {
  return k.rank >= 0 && k.rank <= kMaxRank && k.operand_count >= 0 &&
         k.operand_count <= kFusedMaxOperands && k.instruction_count >= 0 &&
         k.instruction_count <= kFusedMaxInstructions && k.register_count >= 0 &&
         k.register_count <= kFusedMaxRegisters;
}

// The first operand of k with the same data as operand i.
int first_sharing(const FusedKernel& k, int i) {
  int j = 0;
  while (k.operands[j].data != k.operands[i].data)
    ++j;
  return j;
}

bool same_view_layout(const StridedView& a, const StridedView& b) {
  if (a.dtype != b.dtype || a.rank != b.rank || a.rank < 0 || a.rank > kMaxRank) return false;
  for (int d = 0; d < a.rank; ++d)
    if (a.shape[d] != b.shape[d] || a.strides[d] != b.strides[d]) return false;
  return true;
}

bool same_instruction(const FusedInstruction& a, const FusedInstruction& b) {
  return a.kind == b.kind && a.op == b.op && a.operand == b.operand && a.dst == b.dst &&
         a.a == b.a && a.b == b.b && a.c == b.c && a.dtype == b.dtype &&
         std::memcmp(&a.value, &b.value, sizeof a.value) == 0;  // bits: NaN and -0.0 included
}

}  // namespace

bool same_fused_structure(const FusedKernel& a, const FusedKernel& b) {
  if (!counts_in_range(a) || a.rank != b.rank || a.operand_count != b.operand_count ||
      a.instruction_count != b.instruction_count || a.register_count != b.register_count ||
      !std::equal(a.shape, a.shape + a.rank, b.shape))
    return false;
  for (int i = 0; i < a.instruction_count; ++i)
    if (!same_instruction(a.instructions[i], b.instructions[i])) return false;
  for (int i = 0; i < a.operand_count; ++i)
    if (!same_view_layout(a.operands[i], b.operands[i]) ||
        first_sharing(a, i) != first_sharing(b, i))
      return false;
  return true;
}

FusedProgramInfo analyze_fused_kernel(const FusedKernel& k) {
  if (!counts_in_range(k))
    fail(ErrorCode::InvalidArgument, "fused kernel: rank ", k.rank, ", ", k.operand_count,
         " operands, ", k.instruction_count, " instructions or ", k.register_count,
         " registers out of range");
  for (int d = 0; d < k.rank; ++d)
    if (k.shape[d] < 0) fail(ErrorCode::InvalidArgument, "fused kernel: negative size");
  FusedProgramInfo info;
  bool written[kFusedMaxRegisters] = {};
  DType dtype[kFusedMaxRegisters] = {};
  const int64_t* shape = k.shape;  // the shape of the views read and written: the output's
                                   // after the Reduce
  for (int i = 0; i < k.instruction_count; ++i) {
    const FusedInstruction& ins = k.instructions[i];
    if (ins.kind < FusedOp::Load || ins.kind > FusedOp::Product)
      fail(ErrorCode::InvalidArgument, "fused kernel: instruction ", i, " has unknown kind ",
           static_cast<int>(ins.kind));
    check_op(ins);
    const auto check_register = [&](int r, bool read) {
      if (r < 0 || r >= k.register_count || (read && !written[r]))
        fail(ErrorCode::InvalidArgument, "fused kernel: instruction ", i, " uses register ", r,
             read ? ", which holds no value there" : ", out of range");
    };
    const auto check_dtype = [&](int r) {
      if (dtype[r] != ins.dtype)
        fail(ErrorCode::DTypeMismatch, "fused kernel: instruction ", i, " is ", ins.dtype,
             " but reads register ", r, " of ", dtype[r]);
    };
    if (reads_a(ins.kind)) {
      check_register(ins.a, true);
      info.input_dtype[i] = dtype[ins.a];
      if (ins.kind != FusedOp::Cast) check_dtype(ins.a);
    }
    if (reads_b(ins.kind)) {
      check_register(ins.b, true);
      check_dtype(ins.b);
    }
    if (ins.kind == FusedOp::ZipBackward) {
      check_register(ins.c, true);
      check_dtype(ins.c);
      if (ins.operand != 0 && ins.operand != 1)
        fail(ErrorCode::InvalidArgument, "fused kernel: instruction ", i, " asks for grad ",
             ins.operand);
    }
    if (ins.kind == FusedOp::Product) {
      check_product(k, i);
      info.product = true;
    }
    if (ins.kind == FusedOp::Load || ins.kind == FusedOp::Store || ins.kind == FusedOp::Reduce) {
      if (ins.operand < 0 || ins.operand >= k.operand_count)
        fail(ErrorCode::InvalidArgument, "fused kernel: instruction ", i, " names operand ",
             ins.operand, " of ", k.operand_count);
      const StridedView& view = k.operands[ins.operand];
      if (view.dtype != ins.dtype)
        fail(ErrorCode::DTypeMismatch, "fused kernel: instruction ", i, " is ", ins.dtype,
             " but operand ", ins.operand, " is ", view.dtype);
      if (ins.kind == FusedOp::Reduce) {
        if (info.reduce_at >= 0 || info.product)
          fail(ErrorCode::InvalidArgument, "fused kernel: a Reduce at instruction ", i, " after a ",
               info.product ? "Product" : "Reduce");
        bool reducible = view.rank == k.rank;
        for (int d = 0; d < k.rank && reducible; ++d)
          reducible = view.shape[d] == k.shape[d] || view.shape[d] == 1;
        if (!reducible)
          fail(ErrorCode::ShapeMismatch, "fused kernel: the Reduce's output (operand ", ins.operand,
               ") is not the iteration space with some dims cut to 1");
        info.reduce_at = i;
        shape = view.shape;
        for (bool& w : written)  // the epilogue runs per output: the prologue's values are gone
          w = false;
      } else if (!same_shape(view, k.rank, shape)) {
        fail(ErrorCode::ShapeMismatch, "fused kernel: instruction ", i, " reads or writes operand ",
             ins.operand, ", whose shape is not the ",
             info.reduce_at >= 0 ? "reduction's output" : "iteration space");
      }
    }
    if (writes_dst(ins.kind)) {
      check_register(ins.dst, false);
      written[ins.dst] = true;
      dtype[ins.dst] = ins.dtype;
    }
  }
  return info;
}

}  // namespace mt
