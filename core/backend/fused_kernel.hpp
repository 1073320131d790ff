#pragma once
// A fused group as a backend runs it: one pass over an iteration space that loads operands,
// runs a straight-line program of op-table functions on per-element registers and stores the
// results, optionally folding one value into a reduction. The planner (fusion/) builds these
// from captured programs; each backend's `fused` runs them (cpu_seq element by element, cpu_par
// over L1-sized tiles through its per-ISA kernels). Plain data, so that it can cross a
// plugin's C table.
//
// The contract that makes fusion invisible: running a kernel gives bitwise the same results as
// running its instructions one primitive at a time on the same backend, each into a fresh
// contiguous tensor of the iteration shape (the eager program the planner fused).
#include <cstdint>

#include "base/strided_view.hpp"

namespace mt {

inline constexpr int kFusedMaxOperands = 16;
inline constexpr int kFusedMaxInstructions = 48;
inline constexpr int kFusedMaxRegisters = 16;

enum class FusedOp : int32_t {
  Load,         // r[dst] = operands[operand] at the element
  Constant,     // r[dst] = value, in `dtype`
  Map,          // r[dst] = unary op(r[a])
  Zip,          // r[dst] = binary op(r[a], r[b])
  MapBackward,  // r[dst] = unary op::backward(x = r[a], g = r[b])
  ZipBackward,  // r[dst] = binary op::grad_a (operand 0) or grad_b (1) of (r[a], r[b], g = r[c])
  Cast,         // r[dst] = r[a] converted to `dtype` (from r[a]'s own dtype)
  Store,        // operands[operand] at the element = r[a]
  Reduce,       // r[dst] = the fold (reduce op) of r[a] over the reduced dims (see below)
  Product,      // r[dst] = the matmul product at the element (see below)
};

struct FusedInstruction {
  FusedOp kind;
  int32_t op;       // the UnaryOp / BinaryOp / ReduceOp id, for the ops that have one
  int32_t operand;  // Load / Store: index into operands; ZipBackward: which grad (0 or 1)
  int32_t dst;      // the register written (Load, Map, Zip, ..., Reduce)
  int32_t a, b, c;  // the registers read (-1 where unused)
  DType dtype;      // the dtype of r[dst] (of r[a] for Store)
  double value;     // Constant
};

// Element-wise kernels: every operand's view has `rank` dims and the iteration `shape`, with
// stride 0 where it is broadcast; data pointers are set for the run. Stores never overlap a
// load of the same kernel unless they are the very same view (an in-place update, as an
// optimizer's step): each element is loaded before it is stored.
//
// Reduction kernels (exactly one Reduce instruction): the iteration space is the reduction's
// input. Instructions before the Reduce are its prologue and run over the iteration space;
// the Reduce folds r[a] with the fixed order of the backend's `reduce` applied to a contiguous
// row-major tensor of the iteration shape (what the eager prologue would have produced); the
// reduced dims are those where the Reduce's operand (the output, as in Backend::reduce) has
// size 1 and the iteration space does not. Instructions after the Reduce are its epilogue and
// run once per output element: they may read r[Reduce.dst] and Load operands whose views have
// the output's shape (size 1 in the reduced dims); they end in Stores of the output's shape.
// `operand` of the Reduce names the output view that defines the reduced dims (it is also the
// target of a Store, with or without an epilogue in between).
//
// Matmul kernels (a Product instruction, the first one): the iteration space is the product's
// shape (..., m, n), rank >= 2; operands[operand] and operands[operand + 1] of the Product are
// the left (..., m, k) and right (..., k, n) matrices exactly as Backend::matmul takes them
// (same rank as the space, batch dims broadcast to its; their shapes are not the iteration
// space). The instructions after the Product are an element-wise epilogue over the space that
// may read r[Product.dst]: the backend computes each block of products as its matmul does
// (the same bits) and runs the epilogue on the block before storing, so the product itself
// reaches memory only where a Store says so.
struct FusedKernel {
  int32_t rank = 0;
  int64_t shape[kMaxRank];  // the iteration space
  int32_t operand_count = 0;
  StridedView operands[kFusedMaxOperands];
  int32_t instruction_count = 0;
  FusedInstruction instructions[kFusedMaxInstructions];
  int32_t register_count = 0;  // registers are 0 .. register_count - 1
};

}  // namespace mt
