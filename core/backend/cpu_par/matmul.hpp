#pragma once
#include "backend/cpu_par/gemm.hpp"
#include "base/strided_view.hpp"

namespace mt::cpu_par {

// Backend::matmul: out = a @ b over the batch dims (broadcast where a or b has size 1) through
// gemm_batched, which passes each finished block of out to `finished` where given (its c_offset
// is the batch item's element offset in out). Returns the micro-kernel's name (the path).
const char* matmul(const StridedView& a, const StridedView& b, const StridedView& out,
                   const FinishedBlock* finished = nullptr);

}  // namespace mt::cpu_par
