#pragma once
// The CUDA C++ source of one fused kernel (backend/fused_kernel.hpp): the group's instructions
// written out as calls of the op tables' functions (the generated text never restates math), in
// a loop over the space that fused_space.hpp describes:
// - element-wise: one thread per element, grid-stride; where every operand is contiguous or a
//   scalar, four elements per thread with 16-byte loads and stores when the run's pointers are
//   aligned (a flag of the argument), the remainder one by one;
// - reduction: the prologue computes each element of a slice where the fold reads it, the fold
//   is the plugin's reduce kernel's (fold_slices, with the group the unfused reduce would take),
//   and the epilogue runs once per output element on the folded value.
// The source compiles under NVRTC (its headers embedded in the plugin) and, for the tests, with
// the host compiler against the CUDA emulation, where its trailer `<entry>_launch` launches it.
#include <string>

#include "backend/cuda/codegen/fused_space.hpp"

namespace mt::cuda::codegen {

struct FusedSource {
  std::string entry;   // the extern "C" __global__ function
  std::string source;  // complete: includes, kernel, emulation trailer
};

// `signature`: space_signature(kernel, space), which names the entry.
FusedSource generate_source(const FusedKernel& kernel, const FusedProgramInfo& info,
                            const FusedSpace& space, const std::string& signature);

}  // namespace mt::cuda::codegen
