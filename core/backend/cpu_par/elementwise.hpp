#pragma once
// Drivers of the element-wise primitives of the parallel backend. Each returns the name of the
// path that ran (for diagnostics): "flat" (one contiguous run per operand), "broadcast" (flat
// but an operand repeats), "strided" (rows of constant stride), "tiled" (an operand is
// transposed against the output: cache-sized tiles) or "empty".
#include "backend/backend.hpp"

namespace mt::cpu_par {

const char* map(UnaryOp op, const Tensor& in, const Tensor& out);
const char* zip(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out);
const char* map_backward(UnaryOp op, const Tensor& in, const Tensor& grad, const Tensor& out);
const char* zip_backward(BinaryOp op, int operand, const Tensor& a, const Tensor& b,
                         const Tensor& grad, const Tensor& out);
const char* copy(const Tensor& src, const Tensor& out);
const char* fill(const Tensor& out, double value);
const char* random(const Tensor& out, const RandomSpec& spec);

}  // namespace mt::cpu_par
