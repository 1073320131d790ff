// The inner loops, compiled once per instruction set (see isa.hpp for the rules that apply
// here). Each loop has a unit-stride form written plainly so that the compiler vectorizes it
// with the op table's math inlined, and a general strided form.
#include "backend/cpu_par/kernels.hpp"

#include "random/philox.hpp"

namespace mt::cpu_par {
namespace MT_ISA_NS {
namespace {

template <class T, class Op>
void unary_loop(int64_t n, T* out, int64_t os, const T* in, int64_t is) {
  if (os == 1 && is == 1) {
    for (int64_t i = 0; i < n; ++i)
      out[i] = Op::forward(in[i]);
  } else {
    for (int64_t i = 0; i < n; ++i)
      out[i * os] = Op::forward(in[i * is]);
  }
}

template <class T, class Op>
void binary_loop(int64_t n, T* out, int64_t os, const T* a, int64_t as, const T* b, int64_t bs) {
  if (os == 1 && as == 1 && bs == 1) {
    for (int64_t i = 0; i < n; ++i)
      out[i] = Op::forward(a[i], b[i]);
  } else if (os == 1 && as == 1 && bs == 0) {
    const T y = *b;
    for (int64_t i = 0; i < n; ++i)
      out[i] = Op::forward(a[i], y);
  } else if (os == 1 && as == 0 && bs == 1) {
    const T x = *a;
    for (int64_t i = 0; i < n; ++i)
      out[i] = Op::forward(x, b[i]);
  } else {
    for (int64_t i = 0; i < n; ++i)
      out[i * os] = Op::forward(a[i * as], b[i * bs]);
  }
}

// The op tables' derivatives: out = backward(x, g), and out = grad_a or grad_b (a, b, g).
template <class T, class Op>
void unary_backward_loop(int64_t n, T* out, int64_t os, const T* x, int64_t xs, const T* g,
                         int64_t gs) {
  if (os == 1 && xs == 1 && gs == 1) {
    for (int64_t i = 0; i < n; ++i)
      out[i] = Op::backward(x[i], g[i]);
  } else {
    for (int64_t i = 0; i < n; ++i)
      out[i * os] = Op::backward(x[i * xs], g[i * gs]);
  }
}

template <class T, class Op, int operand> MT_HD inline T binary_grad(T a, T b, T g) {
  if constexpr (operand == 0)
    return Op::grad_a(a, b, g);
  else
    return Op::grad_b(a, b, g);
}

template <class T, class Op, int operand>
void binary_grad_loop(int64_t n, T* out, int64_t os, const T* a, int64_t as, const T* b, int64_t bs,
                      const T* g, int64_t gs) {
  if (os == 1 && as == 1 && bs == 1 && gs == 1) {
    for (int64_t i = 0; i < n; ++i)
      out[i] = binary_grad<T, Op, operand>(a[i], b[i], g[i]);
  } else if (os == 1 && as == 1 && bs == 0 && gs == 1) {
    const T y = *b;
    for (int64_t i = 0; i < n; ++i)
      out[i] = binary_grad<T, Op, operand>(a[i], y, g[i]);
  } else {
    for (int64_t i = 0; i < n; ++i)
      out[i * os] = binary_grad<T, Op, operand>(a[i * as], b[i * bs], g[i * gs]);
  }
}

template <class T> void fill_loop(int64_t n, T* out, int64_t os, T value) {
  if (os == 1) {
    for (int64_t i = 0; i < n; ++i)
      out[i] = value;
  } else {
    for (int64_t i = 0; i < n; ++i)
      out[i * os] = value;
  }
}

template <class T>
void random_loop(int64_t n, T* out, int64_t os, int32_t distribution, T a, T b, uint64_t seed,
                 uint64_t first) {
  if (distribution == 1) {
    for (int64_t i = 0; i < n; ++i)
      out[i * os] = philox_normal<T>(seed, first + i, a, b);
  } else {
    for (int64_t i = 0; i < n; ++i)
      out[i * os] = philox_uniform<T>(seed, first + i, a, b);
  }
}

template <class T, class S>
void convert_loop(int64_t n, T* out, int64_t os, const S* in, int64_t is) {
  if (os == 1 && is == 1) {
    for (int64_t i = 0; i < n; ++i)
      out[i] = static_cast<T>(in[i]);
  } else {
    for (int64_t i = 0; i < n; ++i)
      out[i * os] = static_cast<T>(in[i * is]);
  }
}

// In 8 x 8 blocks: eight strided reads of eight contiguous elements, then eight contiguous
// writes, which the compiler turns into vector loads, shuffles and stores.
template <class T>
void transpose_tile(int64_t rows, int64_t cols, const T* in, int64_t col_stride, T* out) {
  constexpr int64_t kB = 8;
  int64_t j = 0;
  for (; j + kB <= cols; j += kB) {
    int64_t i = 0;
    for (; i + kB <= rows; i += kB) {
      T block[kB][kB];
      for (int64_t jj = 0; jj < kB; ++jj)
        for (int64_t ii = 0; ii < kB; ++ii)
          block[jj][ii] = in[i + ii + (j + jj) * col_stride];
      for (int64_t ii = 0; ii < kB; ++ii)
        for (int64_t jj = 0; jj < kB; ++jj)
          out[(i + ii) * cols + j + jj] = block[jj][ii];
    }
    for (; i < rows; ++i)
      for (int64_t jj = 0; jj < kB; ++jj)
        out[i * cols + j + jj] = in[i + (j + jj) * col_stride];
  }
  for (; j < cols; ++j)
    for (int64_t i = 0; i < rows; ++i)
      out[i * cols + j] = in[i + j * col_stride];
}

// Reductions fold into kLanes independent accumulators (lane l takes elements l, l + kLanes,
// ...), which the compiler keeps in vector registers; the lanes are then combined in a fixed
// tree. Inputs longer than kBlock are split in halves at a multiple of kBlock and the halves
// combined (pairwise summation: error grows with log n, not n). The order depends only on n.
constexpr int64_t kLanes = 64;
constexpr int64_t kBlock = 4096;

template <class T, class Op> T fold_lanes(int64_t n, const T* in, int64_t stride) {
  T lanes[kLanes];
  for (int64_t l = 0; l < kLanes; ++l)
    lanes[l] = Op::template identity<T>();
  const int64_t full = n - n % kLanes;
  if (stride == 1) {
    for (int64_t i = 0; i < full; i += kLanes)
      for (int64_t l = 0; l < kLanes; ++l)
        lanes[l] = Op::combine(lanes[l], in[i + l]);
  } else {
    for (int64_t i = 0; i < full; i += kLanes)
      for (int64_t l = 0; l < kLanes; ++l)
        lanes[l] = Op::combine(lanes[l], in[(i + l) * stride]);
  }
  for (int64_t i = full; i < n; ++i)
    lanes[i - full] = Op::combine(lanes[i - full], in[i * stride]);
  for (int64_t width = kLanes / 2; width >= 1; width /= 2)
    for (int64_t l = 0; l < width; ++l)
      lanes[l] = Op::combine(lanes[l], lanes[l + width]);
  return lanes[0];
}

template <class T, class Op> T reduce_contiguous(int64_t n, const T* in, int64_t stride) {
  if (n <= kBlock) return fold_lanes<T, Op>(n, in, stride);
  const int64_t half = (n / kBlock + 1) / 2 * kBlock;
  return Op::combine(reduce_contiguous<T, Op>(half, in, stride),
                     reduce_contiguous<T, Op>(n - half, in + half * stride, stride));
}

template <class T, class Op>
void reduce_rows(int64_t rows, int64_t cols, const T* in, int64_t row_stride, T* acc) {
  // Four rows per pass over acc (one load and store of acc per four rows); each element is
  // still combined in row order, so the result is that of one row at a time.
  int64_t i = 0;
  for (; i + 4 <= rows; i += 4) {
    const T* r0 = in + i * row_stride;
    const T *r1 = r0 + row_stride, *r2 = r1 + row_stride, *r3 = r2 + row_stride;
    for (int64_t j = 0; j < cols; ++j)
      acc[j] =
          Op::combine(Op::combine(Op::combine(Op::combine(acc[j], r0[j]), r1[j]), r2[j]), r3[j]);
  }
  for (; i < rows; ++i) {
    const T* row = in + i * row_stride;
    for (int64_t j = 0; j < cols; ++j)
      acc[j] = Op::combine(acc[j], row[j]);
  }
}

template <class T, class Op> void combine_rows(int64_t cols, T* acc, const T* other) {
  for (int64_t j = 0; j < cols; ++j)
    acc[j] = Op::combine(acc[j], other[j]);
}

template <class T, class... Ops>
constexpr ElementwiseKernels<T> make_elementwise(OpList<Ops...>, auto binary_list) {
  return [&]<class... Bs>(OpList<Bs...>) {
    return ElementwiseKernels<T>{
        {&unary_loop<T, Ops>...},
        {&binary_loop<T, Bs>...},
        {&unary_backward_loop<T, Ops>...},
        {{&binary_grad_loop<T, Bs, 0>...}, {&binary_grad_loop<T, Bs, 1>...}},
        &fill_loop<T>,
        &random_loop<T>,
        &convert_loop<T, float>,
        &convert_loop<T, double>,
        &transpose_tile<T>};
  }(binary_list);
}

template <class T, class... Ops> constexpr ReduceKernels<T> make_reduce(OpList<Ops...>) {
  return {{&reduce_contiguous<T, Ops>...}, {&reduce_rows<T, Ops>...}, {&combine_rows<T, Ops>...}};
}

constexpr KernelTable kTable{
    make_elementwise<float>(UnaryOpList{}, BinaryOpList{}),
    make_elementwise<double>(UnaryOpList{}, BinaryOpList{}),
    make_reduce<float>(ReduceOpList{}),
    make_reduce<double>(ReduceOpList{}),
};

}  // namespace

const KernelTable& kernel_table() { return kTable; }

}  // namespace MT_ISA_NS
}  // namespace mt::cpu_par
