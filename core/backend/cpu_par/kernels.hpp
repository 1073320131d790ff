#pragma once
// The inner loops of the parallel backend: one table per instruction set (kernels.cpp is
// compiled once per ISA), each entry a loop over raw pointers with constant strides (in
// elements; 0 repeats one element). The drivers (elementwise.cpp, reduce.cpp) pick the
// active ISA's table and call these on rows of their iteration space.
#include <cstdint>

#include "backend/cpu_par/isa.hpp"
#include "op_tables/op_dispatch.hpp"

namespace mt::cpu_par {

template <class T> struct ElementwiseKernels {
  using Unary = void (*)(int64_t n, T* out, int64_t out_stride, const T* in, int64_t in_stride);
  using Binary = void (*)(int64_t n, T* out, int64_t out_stride, const T* a, int64_t a_stride,
                          const T* b, int64_t b_stride);
  using Ternary = void (*)(int64_t n, T* out, int64_t out_stride, const T* a, int64_t a_stride,
                           const T* b, int64_t b_stride, const T* c, int64_t c_stride);
  using Fill = void (*)(int64_t n, T* out, int64_t out_stride, T value);
  // out[i * stride] = sample of counter (first + i) (random/philox.hpp)
  using Random = void (*)(int64_t n, T* out, int64_t out_stride, int32_t distribution, T a, T b,
                          uint64_t seed, uint64_t first);
  using FromFloat = void (*)(int64_t n, T* out, int64_t out_stride, const float* in,
                             int64_t in_stride);
  using FromDouble = void (*)(int64_t n, T* out, int64_t out_stride, const double* in,
                              int64_t in_stride);

  // out[i * cols + j] = in[i + j * col_stride] for i < rows, j < cols: a tile of an operand
  // that runs along the output's columns, copied into contiguous rows.
  using Transpose = void (*)(int64_t rows, int64_t cols, const T* in, int64_t col_stride, T* out);

  Unary unary[kUnaryOpCount];
  Binary binary[kBinaryOpCount];
  Binary unary_backward[kUnaryOpCount];    // out = backward(x = a, g = b)
  Ternary binary_grad[2][kBinaryOpCount];  // out = grad_a / grad_b (a, b, g = c)
  Fill fill;
  Random random;
  FromFloat from_float;    // copy with conversion
  FromDouble from_double;  // copy with conversion
  Transpose transpose;
};

template <class T> struct ReduceKernels {
  // Folds n elements in[0], in[stride], ... in a fixed blocked order (lanes, then pairwise
  // over blocks), so the result depends only on n and the data.
  using Contiguous = T (*)(int64_t n, const T* in, int64_t stride);
  // acc[j] = combine(acc[j], in[i * row_stride + j]) for i < rows, j < cols: the fold of
  // `rows` rows into one, vectorized along j.
  using Rows = void (*)(int64_t rows, int64_t cols, const T* in, int64_t row_stride, T* acc);
  // acc[j] = combine(acc[j], other[j]) for j < cols.
  using Combine = void (*)(int64_t cols, T* acc, const T* other);

  Contiguous contiguous[kReduceOpCount];
  Rows rows[kReduceOpCount];
  Combine combine[kReduceOpCount];
};

struct KernelTable {
  ElementwiseKernels<float> elementwise_f32;
  ElementwiseKernels<double> elementwise_f64;
  ReduceKernels<float> reduce_f32;
  ReduceKernels<double> reduce_f64;
};

// The table index of an op; throws InvalidArgument for a value outside the enum.
inline int table_index(UnaryOp op) {
  return dispatch_unary(op, [op](auto) { return int(op); });
}
inline int table_index(BinaryOp op) {
  return dispatch_binary(op, [op](auto) { return int(op); });
}
inline int table_index(ReduceOp op) {
  return dispatch_reduce(op, [op](auto) { return int(op); });
}

// The table of the active instruction set (isa.hpp).
const KernelTable& kernels();
// The table of `isa`, which the CPU must support (tests compare the sets).
const KernelTable& kernels(Isa isa);

template <class T> const ElementwiseKernels<T>& elementwise_kernels() {
  if constexpr (sizeof(T) == 4)
    return kernels().elementwise_f32;
  else
    return kernels().elementwise_f64;
}

template <class T> const ReduceKernels<T>& reduce_kernels() {
  if constexpr (sizeof(T) == 4)
    return kernels().reduce_f32;
  else
    return kernels().reduce_f64;
}

}  // namespace mt::cpu_par
