// Packing and the register micro-kernel of gemm, compiled once per ISA (see isa.hpp for the
// rules: raw pointers only, no std functions (std::integer_sequence is only a type), everything
// in MT_ISA_NS).
//
// The micro-kernel keeps an MR x NR tile of C in MR * 2 vector registers (NR = 2 vectors) and
// does a rank-1 update per k: two vector loads of packed B, MR broadcasts of packed A and
// 2 * MR fused multiply-adds. MR = 6 leaves room for the 2 B vectors and the broadcast in the
// 16 registers of SSE2/AVX2 (12 accumulators + 3). AVX-512 runs the same code on zmm
// registers. Sums over k run in order in every lane, so a C element's bits do not depend on
// where it sits in a tile or which thread computed it.
#include <immintrin.h>

#include <cstdint>
#include <utility>

#include "backend/cpu_par/gemm_kernel.hpp"

namespace mt::cpu_par::MT_ISA_NS {
namespace {

#if defined(MT_ISA_avx512)
constexpr int kVecBytes = 64;
#elif defined(MT_ISA_avx2)
constexpr int kVecBytes = 32;
#else
constexpr int kVecBytes = 16;
#endif

typedef float VecF __attribute__((vector_size(kVecBytes)));
typedef double VecD __attribute__((vector_size(kVecBytes)));

template <class T> struct VecOf;
template <> struct VecOf<float> { using type = VecF; };
template <> struct VecOf<double> { using type = VecD; };

// Fused where the ISA has FMA (the build keeps fp-contract off, so a * b + c would not fuse).
[[gnu::always_inline]] inline VecF fmadd(VecF a, VecF b, VecF c) {
#if defined(MT_ISA_avx512)
  return _mm512_fmadd_ps(a, b, c);
#elif defined(MT_ISA_avx2)
  return _mm256_fmadd_ps(a, b, c);
#else
  return a * b + c;
#endif
}
[[gnu::always_inline]] inline VecD fmadd(VecD a, VecD b, VecD c) {
#if defined(MT_ISA_avx512)
  return _mm512_fmadd_pd(a, b, c);
#elif defined(MT_ISA_avx2)
  return _mm256_fmadd_pd(a, b, c);
#else
  return a * b + c;
#endif
}

[[gnu::always_inline]] inline VecF splat(const float* x) {
#if defined(MT_ISA_avx512)
  return _mm512_set1_ps(*x);
#elif defined(MT_ISA_avx2)
  return _mm256_set1_ps(*x);
#else
  return _mm_set1_ps(*x);
#endif
}
[[gnu::always_inline]] inline VecD splat(const double* x) {
#if defined(MT_ISA_avx512)
  return _mm512_set1_pd(*x);
#elif defined(MT_ISA_avx2)
  return _mm256_set1_pd(*x);
#else
  return _mm_set1_pd(*x);
#endif
}

template <class V, class T> [[gnu::always_inline]] inline V load_unaligned(const T* p) {
  V v;
  __builtin_memcpy(&v, p, sizeof(V));
  return v;
}
template <class V, class T> [[gnu::always_inline]] inline void store_unaligned(T* p, V v) {
  __builtin_memcpy(p, &v, sizeof(V));
}

[[gnu::always_inline]] inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

constexpr int kMR = 6;  // rows of the register tile
// The longest k of the direct kernel: the largest kc below.
constexpr int64_t kMaxDirectK = 512;
constexpr int kNV = 2;  // vectors per row of the register tile

template <class T> struct Tile {
  using V = typename VecOf<T>::type;
  static constexpr int lanes = kVecBytes / sizeof(T);
  static constexpr int mr = kMR;
  static constexpr int nr = kNV * lanes;
};

// The register tile's products, the one loop both kernels run: acc[r][v] (R rows, NV vectors)
// = sum over p in order, from zero, of A(r, p) * B(p, v-th vector) with the ISA's multiply-add,
// where A(r, p) is a[r * a_rs + p * a_cs] and B's vectors at p start at b + p * b_rs.
template <class T, int R, int NV>
[[gnu::always_inline]] inline void tile_products(int64_t k, const T* __restrict a, int64_t a_rs,
                                                 int64_t a_cs, const T* __restrict b, int64_t b_rs,
                                                 typename VecOf<T>::type (&acc)[R][NV]) {
  using V = typename VecOf<T>::type;
  constexpr int L = Tile<T>::lanes;
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v)
      acc[r][v] = V{};
  }
#pragma GCC unroll 4
  for (int64_t p = 0; p < k; ++p) {
    V bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v)
      bv[v] = load_unaligned<V>(b + p * b_rs + v * L);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const V av = splat(a + r * a_rs + p * a_cs);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v)
        acc[r][v] = fmadd(av, bv[v], acc[r][v]);
    }
  }
}

// C tile (m_eff x n_eff valid of MR x NR) = or += packed A panel (MR x kc) @ packed B panel
// (kc x NR).
template <class T>
[[gnu::always_inline]] inline void micro_kernel(int64_t kc, const T* __restrict a,
                                                const T* __restrict b, T* c, int64_t rs, int64_t cs,
                                                int64_t m_eff, int64_t n_eff, bool accumulate) {
  using V = typename Tile<T>::V;
  constexpr int L = Tile<T>::lanes;
  constexpr int MR = Tile<T>::mr;
  constexpr int NR = Tile<T>::nr;

  // C's rows are far apart (no hardware prefetch): fetch them while the k loop runs.
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) {
    if (r < m_eff) {
      __builtin_prefetch(c + r * rs, 1);
      __builtin_prefetch(c + r * rs + (n_eff - 1) * cs, 1);
    }
  }

  // Packed panels: A's MR values at p are contiguous, B's NR values at p too.
  V acc[MR][kNV];
  tile_products<T, MR, kNV>(kc, a, 1, MR, b, NR, acc);

  if (m_eff == MR && n_eff == NR && cs == 1) {
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      T* row = c + r * rs;
#pragma GCC unroll 4
      for (int v = 0; v < kNV; ++v) {
        V out = acc[r][v];
        if (accumulate) out = load_unaligned<V>(row + v * L) + out;
        store_unaligned(row + v * L, out);
      }
    }
    return;
  }
  // Edge tile or strided C: through a buffer, element by element.
  alignas(64) T buffer[MR * NR];
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 4
    for (int v = 0; v < kNV; ++v)
      *reinterpret_cast<V*>(buffer + r * NR + v * L) = acc[r][v];
  }
  for (int64_t r = 0; r < m_eff; ++r) {
    T* row = c + r * rs;
    for (int64_t j = 0; j < n_eff; ++j) {
      T& out = row[j * cs];
      out = accumulate ? out + buffer[r * NR + j] : buffer[r * NR + j];
    }
  }
}

template <class T>
void macro_kernel(int64_t mc, int64_t nc, int64_t kc, const T* packed_a, const T* packed_b, T* c,
                  int64_t rs, int64_t cs, bool accumulate) {
  constexpr int MR = Tile<T>::mr;
  constexpr int NR = Tile<T>::nr;
  // B's panel (kc x NR) stays in L1 while the loop over i streams A's panels from L2.
  for (int64_t j = 0; j < nc; j += NR) {
    const int64_t n_eff = min64(NR, nc - j);
    for (int64_t i = 0; i < mc; i += MR) {
      micro_kernel<T>(kc, packed_a + i * kc, packed_b + j * kc, c + i * rs + j * cs, rs, cs,
                      min64(MR, mc - i), n_eff, accumulate);
    }
  }
}

// R rows of C, NV vectors wide from column j, of which `valid` columns are stored; the same
// products as the micro-kernel's, so the same bits.
template <class T, int R, int NV>
[[gnu::always_inline]] inline void direct_block(int64_t k, const T* a, int64_t a_rs, int64_t a_cs,
                                                const T* b, int64_t b_rs, T* c, int64_t c_rs,
                                                int64_t c_cs, int64_t valid) {
  using V = typename VecOf<T>::type;
  constexpr int L = Tile<T>::lanes;
  V acc[R][NV];
  tile_products<T, R, NV>(k, a, a_rs, a_cs, b, b_rs, acc);
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      if (c_cs == 1 && valid == NV * L) {
        store_unaligned(c + r * c_rs + v * L, acc[r][v]);
      } else {
        for (int64_t l = 0; l < L && v * L + l < valid; ++l)
          c[r * c_rs + (v * L + l) * c_cs] = acc[r][v][l];
      }
    }
  }
}

// R rows of C: blocks two vectors wide, then one; the last n % L columns from `tail`, a copy of
// them padded with zeros to one vector (row stride L).
template <class T, int R>
[[gnu::always_inline]] inline void direct_rows(int64_t n, int64_t k, const T* a, int64_t a_rs,
                                               int64_t a_cs, const T* b, int64_t b_rs,
                                               const T* tail, T* c, int64_t c_rs, int64_t c_cs) {
  constexpr int L = Tile<T>::lanes;
  int64_t j = 0;
  for (; j + 2 * L <= n; j += 2 * L)
    direct_block<T, R, 2>(k, a, a_rs, a_cs, b + j, b_rs, c + j * c_cs, c_rs, c_cs, 2 * L);
  for (; j + L <= n; j += L)
    direct_block<T, R, 1>(k, a, a_rs, a_cs, b + j, b_rs, c + j * c_cs, c_rs, c_cs, L);
  if (j < n) direct_block<T, R, 1>(k, a, a_rs, a_cs, tail, L, c + j * c_cs, c_rs, c_cs, n - j);
}

template <class T>
void direct(int64_t m, int64_t n, int64_t k, const T* a, int64_t a_rs, int64_t a_cs, const T* b,
            int64_t b_rs, T* c, int64_t c_rs, int64_t c_cs) {
  constexpr int L = Tile<T>::lanes;
  // The partial vector of columns at the right edge, copied once for all rows (k <= kc).
  alignas(64) T tail[kMaxDirectK * L];
  const int64_t first = n - n % L;
  for (int64_t p = 0; p < k && first < n; ++p)
    for (int64_t l = 0; l < L; ++l)
      tail[p * L + l] = first + l < n ? b[p * b_rs + first + l] : T(0);
  int64_t i = 0;
  for (; i + 4 <= m; i += 4)
    direct_rows<T, 4>(n, k, a + i * a_rs, a_rs, a_cs, b, b_rs, tail, c + i * c_rs, c_rs, c_cs);
  const T* a_rest = a + i * a_rs;
  T* c_rest = c + i * c_rs;
  switch (m - i) {
    case 3: direct_rows<T, 3>(n, k, a_rest, a_rs, a_cs, b, b_rs, tail, c_rest, c_rs, c_cs); break;
    case 2: direct_rows<T, 2>(n, k, a_rest, a_rs, a_cs, b, b_rs, tail, c_rest, c_rs, c_cs); break;
    case 1: direct_rows<T, 1>(n, k, a_rest, a_rs, a_cs, b, b_rs, tail, c_rest, c_rs, c_cs); break;
    default: break;
  }
}

// One butterfly stage of an L x L transpose: rows i and i + H (i & H == 0) swap their
// off-diagonal H x H blocks. The lane indices are constants (__builtin_shufflevector: gcc and
// clang alike).
template <class T, int L, int H, int... J>
[[gnu::always_inline]] inline void transpose_stage(typename VecOf<T>::type* v,
                                                   std::integer_sequence<int, J...>) {
#pragma GCC unroll 64
  for (int i = 0; i < L; ++i) {
    if (i & H) continue;
    const auto a = v[i], b = v[i + H];
    v[i] = __builtin_shufflevector(a, b, ((J & H) ? L + J - H : J)...);
    v[i + H] = __builtin_shufflevector(a, b, ((J & H) ? L + J : J + H)...);
  }
}

// v[i][j] becomes v[j][i].
template <class T, int L, int H = 1>
[[gnu::always_inline]] inline void transpose(typename VecOf<T>::type* v) {
  if constexpr (H < L) {
    transpose_stage<T, L, H>(v, std::make_integer_sequence<int, L>{});
    transpose<T, L, 2 * H>(v);
  }
}

// dst[p * W + w] = src[w * ws + p] for w < W, p < kc: a panel whose W lines are contiguous along
// p (row-major A, column-major B). With W a multiple of the lanes L, blocks of L lines x L values
// of p are loaded as vectors and transposed in registers instead of W scalar loads per p.
// (Where L does not divide W, the compiler's scalar code was as fast as any partial stores.)
template <class T, int W>
[[gnu::always_inline]] inline void pack_transposed(int64_t kc, const T* src, int64_t ws,
                                                   T* __restrict dst) {
  using V = typename VecOf<T>::type;
  constexpr int L = kVecBytes / sizeof(T);
  int64_t p = 0;
  if constexpr (W % L == 0) {
    for (; p + L <= kc; p += L) {
#pragma GCC unroll 8
      for (int w0 = 0; w0 < W; w0 += L) {
        V v[L];
#pragma GCC unroll 64
        for (int i = 0; i < L; ++i)
          v[i] = load_unaligned<V>(src + (w0 + i) * ws + p);
        transpose<T, L>(v);
#pragma GCC unroll 64
        for (int l = 0; l < L; ++l)
          store_unaligned(dst + (p + l) * W + w0, v[l]);
      }
    }
  }
  for (; p < kc; ++p) {
#pragma GCC unroll 32
    for (int w = 0; w < W; ++w)
      dst[p * W + w] = src[w * ws + p];
  }
}

template <class T, int W>
[[gnu::always_inline]] inline void pack_panel(int64_t kc, int64_t width, const T* src, int64_t ws,
                                              int64_t ps, T* __restrict dst) {
  if (width == W && ws == 1) {
    // The panel's W values at one p are contiguous: a vector copy per p.
    for (int64_t p = 0; p < kc; ++p) {
#pragma GCC unroll 32
      for (int w = 0; w < W; ++w)
        dst[p * W + w] = src[p * ps + w];
    }
  } else if (width == W && ps == 1) {
    pack_transposed<T, W>(kc, src, ws, dst);
  } else if (width == W) {
    for (int64_t p = 0; p < kc; ++p) {
#pragma GCC unroll 32
      for (int w = 0; w < W; ++w)
        dst[p * W + w] = src[w * ws + p * ps];
    }
  } else {
    for (int64_t p = 0; p < kc; ++p) {
      for (int64_t w = 0; w < width; ++w)
        dst[p * W + w] = src[w * ws + p * ps];
      for (int64_t w = width; w < W; ++w)
        dst[p * W + w] = T(0);
    }
  }
}

template <class T> void pack_a(int64_t mc, int64_t kc, const T* a, int64_t rs, int64_t cs, T* dst) {
  constexpr int MR = Tile<T>::mr;
  for (int64_t i = 0; i < mc; i += MR, dst += MR * kc)
    pack_panel<T, MR>(kc, min64(MR, mc - i), a + i * rs, rs, cs, dst);
}

template <class T> void pack_b(int64_t kc, int64_t nc, const T* b, int64_t rs, int64_t cs, T* dst) {
  constexpr int NR = Tile<T>::nr;
  for (int64_t j = 0; j < nc; j += NR, dst += NR * kc)
    pack_panel<T, NR>(kc, min64(NR, nc - j), b + j * cs, cs, rs, dst);
}

// Cache blocks {mc, kc, nc}, measured on the AMD EPYC (Zen 3: L1d 32 KiB, L2 512 KiB, L3 32 MiB)
// with the avx2 kernels, 1 and 2 threads, 512 to 2048. kc: B's kc x NR micro-panel (kc * 64
// bytes) is reused from L1 by every A micro-panel; 512 (all of L1) beat 256 and 384 by 1-2%:
// fewer passes over C. mc: the mc x kc block of A streams from L2 (144 KiB / 192 KiB); 48 to 96
// rows beat 144 and more. nc: the kc x nc block of B shared in L3 (8 MiB). Guesses for avx512
// (kc * 128 bytes per B micro-panel, so half the kc) and baseline, which could not be timed here.
#if defined(MT_ISA_avx512)
constexpr GemmKernel<float> kF32 = {
    "avx512 6x32", 6, 32, 72, 256, 4096, &pack_a<float>, &pack_b<float>, &macro_kernel<float>,
    &direct<float>};
constexpr GemmKernel<double> kF64 = {
    "avx512 6x16",  6, 16, 48, 256, 2048, &pack_a<double>, &pack_b<double>, &macro_kernel<double>,
    &direct<double>};
#elif defined(MT_ISA_avx2)
constexpr GemmKernel<float> kF32 = {
    "avx2 6x16",   6, 16, 72, 512, 4096, &pack_a<float>, &pack_b<float>, &macro_kernel<float>,
    &direct<float>};
constexpr GemmKernel<double> kF64 = {
    "avx2 6x8",     6, 8, 48, 512, 2048, &pack_a<double>, &pack_b<double>, &macro_kernel<double>,
    &direct<double>};
#else
constexpr GemmKernel<float> kF32 = {
    "baseline 6x8", 6, 8, 72, 512, 4096, &pack_a<float>, &pack_b<float>, &macro_kernel<float>,
    &direct<float>};
constexpr GemmKernel<double> kF64 = {
    "baseline 6x4", 6, 4, 48, 512, 2048, &pack_a<double>, &pack_b<double>, &macro_kernel<double>,
    &direct<double>};
#endif
static_assert(Tile<float>::nr * sizeof(float) == 2 * kVecBytes);
static_assert(kF32.kc <= kMaxDirectK && kF64.kc <= kMaxDirectK);

}  // namespace

const GemmKernel<float>& gemm_f32() {
  static_assert(kF32.mr == Tile<float>::mr && kF32.nr == Tile<float>::nr);
  return kF32;
}
const GemmKernel<double>& gemm_f64() {
  static_assert(kF64.mr == Tile<double>::mr && kF64.nr == Tile<double>::nr);
  return kF64;
}

}  // namespace mt::cpu_par::MT_ISA_NS
