#pragma once
// How a generated CUDA kernel walks a fused group's iteration space (backend/fused_kernel.hpp),
// decided on the host from the kernel's sizes and strides: the part of it that the generated
// source depends on (the cache key: ranks, operand classes, index width, vector width, the
// reduction's thread group; never sizes), and the sizes, strides and pointers that each launch
// passes as the kernel's argument (fused_device.cuh's Params).
#include <cstdint>
#include <string>
#include <vector>

#include "backend/cuda/kernels/thread_group.hpp"
#include "backend/fused_program.hpp"

namespace mt::cuda::codegen {

// How an operand's offset follows from the element's ordinal i.
enum class OperandClass : uint8_t {
  Contiguous,  // offset i (row-major in the walked space)
  Scalar,      // offset 0 (broadcast everywhere)
  Strided,     // decoded from i dim by dim
};

struct FusedSpace {
  bool reduction = false;
  // Element-wise: the space after make_layout's simplification (size-1 dims dropped, dims
  // merged where every operand allows, ordered by memory), `rank` dims of `shape`.
  // Reduction: the kept dims (the slices, row-major over the output) then the reduced dims
  // (a slice, row-major, the order in which the unfused reduce folds), size-1 dims dropped.
  int rank = 0;
  int kept = 0;  // reduction: dims 0 .. kept - 1 are kept, the rest reduced
  int64_t shape[kMaxRank] = {};
  int operand_count = 0;
  int64_t strides[kFusedMaxOperands][kMaxRank] = {};
  OperandClass classes[kFusedMaxOperands] = {};
  DType dtypes[kFusedMaxOperands] = {};
  int64_t numel = 0;            // element-wise: elements; reduction: slices
  int64_t slice_length = 1;     // reduction: elements per slice
  bool index32 = false;         // every ordinal and offset fits int32
  int vector = 1;               // elements per thread and step: 4 when every operand is
                                // contiguous or a scalar (16-byte accesses), else 1
  Group group = Group::Thread;  // reduction: the unfused reduce's group (set by the caller)
};

// The space of a kernel that analyze_fused_kernel accepted (info is its result). Products are
// not generated: the caller refuses them first.
FusedSpace describe_space(const FusedKernel& kernel, const FusedProgramInfo& info);

// Where each value sits in the kernel's argument (slots of 64 bits), the same for the source
// that reads them and the launch that writes them.
struct ParamSlots {
  int numel = 0, slice_length = -1, shape = -1, aligned = -1;
  int strides[kFusedMaxOperands] = {};  // -1 where the operand has none (not Strided)
  int data = -1;                        // data pointers, one per operand
  int count = 0;
};
ParamSlots param_slots(const FusedSpace& space);

// The argument of one launch: the space's sizes and strides and the kernel's data pointers.
std::vector<long long> pack_params(const FusedKernel& kernel, const FusedSpace& space);

// Everything the generated source depends on, as bytes: equal signatures, equal sources.
std::string space_signature(const FusedKernel& kernel, const FusedSpace& space);

}  // namespace mt::cuda::codegen
