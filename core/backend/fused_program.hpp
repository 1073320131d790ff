#pragma once
// What every CPU executor of a FusedKernel (fused_kernel.hpp) needs to know before it runs one:
// that the kernel is well formed (so that a planner bug is an error, not a wild write), where
// its Reduce is, and each instruction's input dtype (a Cast converts from it).
#include "backend/fused_kernel.hpp"

namespace mt {

struct FusedProgramInfo {
  int reduce_at = -1;    // the index of the Reduce instruction; -1 for an element-wise kernel
  bool product = false;  // a matmul kernel (a Product at instruction 0)
  // The dtype of r[a] when instruction i runs (meaningful where the instruction reads r[a]).
  DType input_dtype[kFusedMaxInstructions];
};

// Checks the kernel against the contract and returns its info; throws InvalidArgument naming
// the first instruction or operand that breaks it: counts and indices in range, registers
// written before they are read, dtypes that agree (Cast aside), at most one Reduce, operand
// views of the iteration shape (of the reduction's output shape after a Reduce), a Product
// only first, not with a Reduce, and on matrices whose product has the iteration shape.
FusedProgramInfo analyze_fused_kernel(const FusedKernel& kernel);

// Whether two kernels differ in their data pointers only, and not in which operands share
// memory: everything that analyze_fused_kernel checks and an executor plans from is the same.
// (An executor that keeps what it built for a kernel may reuse it for the other.) Either may
// be malformed: only the fields in range are read.
bool same_fused_structure(const FusedKernel& a, const FusedKernel& b);

// The output view that defines a reduction kernel's reduced dims (its Reduce's operand).
inline const StridedView& reduce_output(const FusedKernel& kernel, const FusedProgramInfo& info) {
  return kernel.operands[kernel.instructions[info.reduce_at].operand];
}

}  // namespace mt
