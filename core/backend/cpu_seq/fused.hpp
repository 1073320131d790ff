#pragma once
#include "backend/fused_kernel.hpp"

namespace mt::cpu_seq {

// Runs a fused kernel element by element, the reference for every other executor: the program
// at each element of the iteration space in row-major order, a reduction in the order of
// cpu_seq's reduce with the prologue evaluated where the fold reads each element, the epilogue
// at each output element.
void run_fused(const FusedKernel& kernel);

}  // namespace mt::cpu_seq
