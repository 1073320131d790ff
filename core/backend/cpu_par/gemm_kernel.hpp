#pragma once
// The instruction-set-specific half of gemm (see gemm.hpp): packing and the register
// micro-kernel, compiled once per ISA by mt_add_isa_sources. The driver in gemm.cpp picks one
// GemmKernel per dtype at run time and does the blocking and threading around it.
//
// Packed layouts (BLIS). An mc x kc block of A becomes ceil(mc / mr) panels of mr rows; panel
// q holds, for p = 0..kc-1, the mr values A(q*mr + r, p) contiguously, so it starts at
// q * mr * kc. A kc x nc block of B becomes ceil(nc / nr) panels of nr columns; panel q holds,
// for each p, the nr values B(p, q*nr + j) contiguously and starts at q * nr * kc. Rows and
// columns past the edge are zero. The micro-kernel then reads both operands with unit stride.
#include <cstdint>

namespace mt::cpu_par {

template <class T> struct GemmKernel {
  const char* name;  // "avx2 6x16"
  // Register tile (mr x nr) and the cache blocks: an mc x kc block of A stays in L2, a kc x nr
  // panel of B in L1, a kc x nc block of B in L3. kc also fixes the order of summation over k
  // (blocks of kc, in order), so it must never depend on the thread count.
  int64_t mr, nr, mc, kc, nc;
  // Packs the mc x kc block whose element (i, p) is a[i * rs + p * cs] into dst (layout above;
  // dst holds ceil(mc / mr) * mr * kc elements and is 64-byte aligned).
  void (*pack_a)(int64_t mc, int64_t kc, const T* a, int64_t rs, int64_t cs, T* dst);
  // Packs the kc x nc block whose element (p, j) is b[p * rs + j * cs] into dst (aligned
  // likewise; a panel q of a larger block may be packed on its own at dst + q * nr * kc).
  void (*pack_b)(int64_t kc, int64_t nc, const T* b, int64_t rs, int64_t cs, T* dst);
  // C(i, j) = sum_p A(i, p) * B(p, j) for i < mc, j < nc from a packed A block and a packed B
  // block (packed_b 64-byte aligned); with `accumulate` the sum is added to C(i, j) instead.
  // C(i, j) is c[i * rs + j * cs].
  // Each C(i, j) is summed over p in order, the same way wherever it sits in a tile.
  void (*macro_kernel)(int64_t mc, int64_t nc, int64_t kc, const T* packed_a, const T* packed_b,
                       T* c, int64_t rs, int64_t cs, bool accumulate);
  // C(i, j) = sum_p A(i, p) * B(p, j) for a small problem with k <= kc, unpacked: A(i, p) is
  // a[i * a_rs + p * a_cs], B(p, j) is b[p * b_rs + j] (rows contiguous), C(i, j) is
  // c[i * c_rs + j * c_cs]. Each C(i, j) is summed over p in order with the micro-kernel's
  // multiply-add, so the bits equal the packed path's.
  void (*direct)(int64_t m, int64_t n, int64_t k, const T* a, int64_t a_rs, int64_t a_cs,
                 const T* b, int64_t b_rs, T* c, int64_t c_rs, int64_t c_cs);
};

// One definition per ISA namespace (gemm_kernel.cpp).
#define MT_DECLARE_GEMM_KERNELS(ns)     \
  namespace ns {                        \
  const GemmKernel<float>& gemm_f32();  \
  const GemmKernel<double>& gemm_f64(); \
  }
MT_DECLARE_GEMM_KERNELS(isa_baseline)
MT_DECLARE_GEMM_KERNELS(isa_avx2)
MT_DECLARE_GEMM_KERNELS(isa_avx512)
#undef MT_DECLARE_GEMM_KERNELS

}  // namespace mt::cpu_par
