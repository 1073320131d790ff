#pragma once
// What the fused kernels that the CUDA plugin generates at run time (codegen/fused_source.hpp)
// include: the op tables, the reductions' thread groups, and a few helpers the generated text
// names. Compiled by NVRTC in the real plugin (so, like the op tables, it includes no standard
// header; the plugin embeds these headers, since an installed plugin has no source tree), and
// by the host compiler against the CUDA emulation in the tests, where the generated source has
// included emu/cuda_compat.hpp first.
#include "backend/cuda/kernels/thread_groups.cuh"
#include "op_tables/binary_ops.hpp"
#include "op_tables/reduce_ops.hpp"
#include "op_tables/unary_ops.hpp"

namespace mt::cuda::fused {

// The kernel's one argument: `L` 64-bit slots (sizes, strides, data pointers; the generator
// says which slot is what, codegen/fused_space.hpp fills them for each run).
template <int L> struct Params { long long v[L]; };

// The op struct with enum value I of an op list: the generated text names ops by their values.
template <class List, int I> struct At;
template <class Op, class... Rest> struct At<OpList<Op, Rest...>, 0> { using type = Op; };
template <int I, class Op, class... Rest>
struct At<OpList<Op, Rest...>, I> : At<OpList<Rest...>, I - 1> {};

template <int I> using Unary = typename At<UnaryOpList, I>::type;
template <int I> using Binary = typename At<BinaryOpList, I>::type;
template <int I> using Reduction = typename At<ReduceOpList, I>::type;

// A constant's exact value (NaN payloads, infinities and -0.0 included), from its bits.
__host__ __device__ inline double from_bits(unsigned long long bits) {
  return __builtin_bit_cast(double, bits);
}

// Four consecutive elements moved as whole 16-byte words: one 128-bit access for float32, two
// for float64. Pointers must be 16-byte aligned (the kernel checks that before using these).
template <class T> struct alignas(16) Vec4 { T v[4]; };

}  // namespace mt::cuda::fused
