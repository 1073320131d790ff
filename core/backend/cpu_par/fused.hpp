#pragma once
#include "backend/fused_kernel.hpp"

namespace mt::cpu_par {

// Runs a fused kernel (backend/fused_kernel.hpp) through tile programs (tile_program.hpp), in
// parallel over tiles. A reduction folds its prologue block by block with the folds of
// reduce() (reduce.hpp), so its results are those of reduce() on the eager prologue's tensor.
// Returns the path that ran: the element-wise walk's ("flat", "broadcast", "strided", "empty")
// or the reduction's ("inner", "outer", ...).
const char* run_fused(const FusedKernel& kernel);

}  // namespace mt::cpu_par
