#pragma once
// Drivers of the element-wise primitives of the parallel backend. Each returns the name of the
// path that ran (for diagnostics): "flat" (one contiguous run per operand), "broadcast" (flat
// but an operand repeats), "strided" (rows of constant stride), "tiled" (an operand is
// transposed against the output: cache-sized tiles) or "empty".
#include "backend/backend.hpp"

namespace mt::cpu_par {

const char* map(UnaryOp op, const StridedView& in, const StridedView& out);
const char* zip(BinaryOp op, const StridedView& a, const StridedView& b, const StridedView& out);
const char* map_backward(UnaryOp op, const StridedView& in, const StridedView& grad,
                         const StridedView& out);
const char* zip_backward(BinaryOp op, int operand, const StridedView& a, const StridedView& b,
                         const StridedView& grad, const StridedView& out);
const char* copy(const StridedView& src, const StridedView& out);
const char* fill(const StridedView& out, double value);
const char* random(const StridedView& out, const RandomSpec& spec);

}  // namespace mt::cpu_par
