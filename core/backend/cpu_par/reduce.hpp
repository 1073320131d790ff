#pragma once
#include "backend/backend.hpp"

namespace mt::cpu_par {

// The reduce primitive of the parallel backend (Backend::reduce's contract). Returns the path
// that ran: "inner" (the reduced elements of each output are contiguous: vector lanes per
// output), "outer" (the kept elements are contiguous: vectors across outputs), "strided"
// (neither), "copy" (nothing to fold) or "empty".
const char* reduce(ReduceOp op, const StridedView& in, const StridedView& out);

}  // namespace mt::cpu_par
