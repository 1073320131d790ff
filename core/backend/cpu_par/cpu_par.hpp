#pragma once
#include <memory>

#include "backend/backend.hpp"

namespace mt {

// The parallel CPU backend ("cpu_par", the default): TBB threads over fixed chunks, inner loops
// compiled per instruction set and chosen at run time, a BLIS-style matmul. Results are
// bitwise identical for any thread count.
std::unique_ptr<Backend> make_cpu_par_backend();

}  // namespace mt
