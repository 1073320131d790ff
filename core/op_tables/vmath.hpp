#pragma once
// Vectorizable elementary functions: exp, log, tanh and sigmoid for float and double.
//
// Why: std::exp and friends are calls into libm, which GCC cannot vectorize without
// -ffast-math (no libmvec). These versions are straight-line code: arithmetic, integer
// operations on the bits (bit_cast) and selects (`c ? a : b` on values that are all
// computed), so a loop `out[i] = vmath::exp(in[i])` becomes SIMD code. No data-dependent
// branches, no table lookups (gathers are slow), no libm.
//
// Accuracy (tests/core/test_vmath.cpp, against long double): below 2 ulp over the whole
// domain for both types, subnormal inputs and results included; see the error notes at each
// function. Measured maxima over all 2^32 floats: exp 1.05, log 0.84, tanh 1.38, sigmoid 1.81
// ulp, each monotone. Only plain + - * / are used and fp-contract is off on the host, so
// the result is the same bit pattern for every ISA variant (baseline, AVX2, AVX-512). nvcc
// contracts a*b+c into fma, which only makes the device results slightly more accurate.
//
// Special values follow C99 Annex F: exp(-inf) = 0, exp(+inf) = inf, log(0) = -inf,
// log(x<0) = NaN, log(inf) = inf, tanh(+-inf) = +-1, tanh(-0) = -0, NaN in gives NaN out.
//
// The polynomial coefficients are minimax fits computed for this file (Remez exchange in
// 60-digit arithmetic), then rounded to the target type; the bound of each fit is quoted as a
// relative error of the function value.
#include "base/host_device.hpp"
#include "op_tables/math.hpp"

namespace mt::vmath {
namespace detail {

// Layout and constants of each type. Bits are handled as unsigned integers: their wrapping
// arithmetic is defined, and logical shifts exist in every SIMD set (64-bit arithmetic
// shifts and int64->double conversions do not exist in AVX2, so none is used).
template <class T> struct Fp;

template <> struct Fp<float> {
  using U = uint32_t;
  static constexpr int kMant = 23;  // stored mantissa bits
  static constexpr U kBias = 127;
  static constexpr U kSign = 0x80000000u;
  static constexpr U kBitsSqrtHalf = 0x3f3504f3u;  // bits of sqrt(1/2) rounded
  static constexpr float kRound = 0x1.8p23f;       // adding it rounds to an integer (|v| < 2^22)
  static constexpr float kTwoPowMant = 0x1p23f;
  static constexpr float kLog2e = 0x1.715476p0f;
  // ln2 = kLn2Hi + kLn2Lo: kLn2Hi has 16 significant bits, so n*kLn2Hi is exact for |n| < 2^8
  // (exp and log need |n| <= 150); the rest of ln2 is in kLn2Lo (residue 5e-14).
  static constexpr float kLn2Hi = 0x1.62e4p-1f;
  static constexpr float kLn2Lo = 0x1.7f7d1cp-20f;
  // exp overflows above 88.72 and is below half the least subnormal (rounds to 0) below
  // -103.98; clamping |x| to a bit beyond keeps n in [-150, 150].
  static constexpr float kExpBound = 104.0f;
  static constexpr float kMinNormal = 0x1p-126f;
  static constexpr float kSubnormalScale = 0x1p24f;  // lifts subnormals into the normal range
  static constexpr float kSubnormalExp = 24.0f;
  // tanh(x) for |x| >= 10 is 1 to the last bit (1 - tanh(10) = 4e-9 < 2^-25).
  static constexpr float kTanhMax2x = 20.0f;
  static constexpr float kInf = math::infinity<float>();
  static constexpr float kNaN = math::quiet_nan<float>();
};

template <> struct Fp<double> {
  using U = uint64_t;
  static constexpr int kMant = 52;
  static constexpr U kBias = 1023;
  static constexpr U kSign = 0x8000000000000000u;
  static constexpr U kBitsSqrtHalf = 0x3fe6a09e667f3bcdu;
  static constexpr double kRound = 0x1.8p52;
  static constexpr double kTwoPowMant = 0x1p52;
  static constexpr double kLog2e = 0x1.71547652b82fep0;
  // kLn2Hi has 42 significant bits: n*kLn2Hi is exact for |n| < 2^11 (we need |n| <= 1076).
  // Residue of the split: 2e-31.
  static constexpr double kLn2Hi = 0x1.62e42fefa38p-1;
  static constexpr double kLn2Lo = 0x1.ef35793c7673p-45;
  // exp overflows above 709.78 and rounds to 0 below -745.13: |n| <= 1076.
  static constexpr double kExpBound = 746.0;
  static constexpr double kMinNormal = 0x1p-1022;
  static constexpr double kSubnormalScale = 0x1p53;
  static constexpr double kSubnormalExp = 53.0;
  // 1 - tanh(22) = 1.6e-19 < 2^-54.
  static constexpr double kTanhMax2x = 44.0;
  static constexpr double kInf = math::infinity<double>();
  static constexpr double kNaN = math::quiet_nan<double>();
};

template <class T> MT_HD constexpr typename Fp<T>::U to_bits(T x) {
#if defined(__CUDA_ARCH__)
  if constexpr (sizeof(T) == 4) {
    return static_cast<uint32_t>(__float_as_uint(x));
  } else {
    return static_cast<uint64_t>(__double_as_longlong(x));
  }
#else
  return math::bit_cast<typename Fp<T>::U>(x);
#endif
}

template <class T> MT_HD constexpr T from_bits(typename Fp<T>::U u) {
#if defined(__CUDA_ARCH__)
  if constexpr (sizeof(T) == 4) {
    return __uint_as_float(u);
  } else {
    return __longlong_as_double(static_cast<long long>(u));
  }
#else
  return math::bit_cast<T>(u);
#endif
}

template <class T> MT_HD constexpr T fabs(T x) { return from_bits<T>(to_bits(x) & ~Fp<T>::kSign); }

// x with its magnitude limited to c > 0; NaN passes through. A single compare and select
// (two one-sided clamps become four compares and a cascade of selects in GCC's output).
template <class T> MT_HD constexpr T clamp_abs(T x, T c) {
  const T a = detail::fabs(x);
  return from_bits<T>(to_bits(a > c ? c : a) | (to_bits(x) & Fp<T>::kSign));
}

// c0 + c1 x + ... + c(n-1) x^(n-1) by Estrin's scheme: pairs c(2i) + c(2i+1) x, then the
// same on those pairs with x^2, and so on. The dependency chain is about log2(n) multiply-adds
// deep instead of n (Horner): the loops that call these are bound by latency more than by
// throughput. The rounding errors are of the same size as Horner's.
template <class T, math::size_t N> struct Coeffs { T c[N]; };

template <math::size_t I, class T, math::size_t N>
MT_HD constexpr T estrin_pair(T x, const Coeffs<T, N>& a) {
  if constexpr (2 * I + 1 < N) {
    return a.c[2 * I] + a.c[2 * I + 1] * x;
  } else {
    return a.c[2 * I];
  }
}

template <class T, math::size_t N, math::size_t... I>
MT_HD constexpr Coeffs<T, sizeof...(I)> estrin_pairs(T x, const Coeffs<T, N>& a,
                                                     math::index_sequence<I...>) {
  return {{estrin_pair<I>(x, a)...}};
}

template <class T, math::size_t N> MT_HD constexpr T estrin(T x, const Coeffs<T, N>& a) {
  if constexpr (N == 1) {
    return a.c[0];
  } else {
    return estrin(x * x, estrin_pairs(x, a, math::make_index_sequence<(N + 1) / 2>{}));
  }
}

// The polynomial with the given coefficients (lowest degree first, as double literals that
// are exact in T) at x.
template <class T, class... Cs> MT_HD constexpr T poly(T x, Cs... cs) {
  return estrin(x, Coeffs<T, sizeof...(Cs)>{{static_cast<T>(cs)...}});
}

// e^r - 1 for |r| <= ln2/2 (+0.05%), as r + r^2 Q(r) with Q a minimax fit to
// (e^r - 1 - r)/r^2. Fit bound: 2^-27.0 (float, degree 4), 2^-62.4 (double, degree 10)
// relative to e^r. The leading r is exact and the rest is at most 0.06 in size, so the
// rounding error is about half an ulp of the result.
template <class T> MT_HD constexpr T expm1_reduced(T r) {
  T q;
  if constexpr (sizeof(T) == 4) {
    q = poly<T>(r, 0x1.fffffep-2, 0x1.5554ep-3, 0x1.5557b8p-5, 0x1.120906p-7, 0x1.6a5572p-10);
  } else {
    q = poly<T>(r, 0x1p-1, 0x1.5555555555557p-3, 0x1.555555555553cp-5, 0x1.111111111014cp-7,
                0x1.6c16c16c23c56p-10, 0x1.a01a01abb4627p-13, 0x1.a01a01577154dp-16,
                0x1.71de02be00401p-19, 0x1.27e598894809dp-22, 0x1.af4ceafdc377dp-26,
                0x1.1e37cc8cac64p-29);
  }
  return r + (r * r) * q;
}

// Cody-Waite reduction: x = n ln2 + r with n = rint(x / ln2), |r| <= ln2/2. n*kLn2Hi is exact
// and x - n*kLn2Hi cancels exactly (Sterbenz), so r carries one rounding only.
// Returns r; `n` gets n as a float and `n_bits` gets n as a two's complement integer.
// Requires |x / ln2| < 2^(mantissa bits - 1), which the callers' clamps guarantee.
template <class T> MT_HD constexpr T reduce_ln2(T x, T& n, typename Fp<T>::U& n_bits) {
  using F = Fp<T>;
  // Adding 1.5*2^p (p = mantissa bits) rounds to an integer and leaves it, offset by a
  // constant, in the low bits of the sum: rint without an instruction the baseline lacks.
  const T t = x * F::kLog2e + F::kRound;
  n = t - F::kRound;
  n_bits = to_bits(t) - to_bits(F::kRound);
  return (x - n * F::kLn2Hi) - n * F::kLn2Lo;
}

// 2^k for k (two's complement in U) in the normal exponent range.
template <class T> MT_HD constexpr T exp2i(typename Fp<T>::U k) {
  return from_bits<T>((k + Fp<T>::kBias) << Fp<T>::kMant);
}

}  // namespace detail

// e^x. Error <= 1 ulp by analysis: r has one rounding (<= 2^-55 relative effect), 1 + q one
// more, the scaling by 2^n is exact for normal results. Results in the subnormal range are
// rounded a second time by the last multiplication (still within 1 ulp of the subnormal grid).
template <class T> MT_HD constexpr T exp(T x) {
  using F = detail::Fp<T>;
  using U = typename F::U;
  // Clamp |x| (NaN passes through): beyond the bound the result overflows to inf or rounds
  // to 0 anyway, and |n| <= 150 (1076) stays small enough for the two-step scaling below.
  x = detail::clamp_abs(x, F::kExpBound);
  T n;
  U n_bits;
  const T r = detail::reduce_ln2(x, n, n_bits);
  const T p = T(1) + detail::expm1_reduced(r);  // e^r in [0.70, 1.42]
  // 2^n is not representable for n > 1023 (overflowing results) or n < -1022 (subnormal
  // results), so scale by 2^n1 * 2^n2 with n1 = floor(n/2), n2 = n - n1, both normal
  // exponents. p * 2^n1 is exact; the second product rounds once, overflowing to inf or
  // underflowing gradually through the subnormals, exactly as the true value would.
  // With b = n + 2 bias (> 0), the biased exponents are b >> 1 and b - (b >> 1).
  const U b = n_bits + 2 * F::kBias;
  const U b1 = b >> 1;
  return p * detail::from_bits<T>(b1 << F::kMant) * detail::from_bits<T>((b - b1) << F::kMant);
}

// Natural logarithm. x = 2^k m with m in [sqrt(1/2), sqrt(2)), f = m - 1 in [-0.293, 0.415]
// (exact), and log(1 + f) = 2 atanh(s), s = f / (2 + f), |s| <= 0.1716:
//   2 atanh(s) = 2s + s R(s^2),  R(z) = 2z/3 + 2z^2/5 + ... ~ z S(z), S a minimax fit;
//   2s = f - f^2/2 + s f^2/2 (algebra: s (2 + f) = f),
// so log(1 + f) = f - (h - s (h + R)) with h = f^2/2: the leading term f is exact and the
// correction is at most a quarter of it, so the error is about half an ulp. Then
// log x = k ln2hi + (log(1 + f) + k ln2lo), k ln2hi exact, one rounding in the last sum.
// S fit bound: 2^-28.4 (float, degree 2), 2^-57.6 (double, degree 6) relative to log(1+f).
template <class T> MT_HD constexpr T log(T x) {
  using F = detail::Fp<T>;
  using U = typename F::U;
  // Subnormal inputs have no implicit leading bit: lift them into the normal range first.
  const bool tiny = x < F::kMinNormal;
  const T xs = tiny ? x * F::kSubnormalScale : x;
  const U b = detail::to_bits(xs);
  // Subtracting the bits of sqrt(1/2) moves the binade boundary from 1 to sqrt(1/2): the
  // exponent field of b - bits(sqrt(1/2)) + bits(1) is then k + bias (never negative).
  const U kb = (b + (detail::to_bits(T(1)) - F::kBitsSqrtHalf)) >> F::kMant;
  const T m = detail::from_bits<T>(b - ((kb - F::kBias) << F::kMant));
  // k as a float without an int->float conversion (int64->double does not exist in AVX2):
  // the bits of 2^p with kb in the low mantissa bits read as 2^p + kb (p = mantissa bits).
  const T kb_plus = detail::from_bits<T>(kb | detail::to_bits(F::kTwoPowMant));
  const T k = kb_plus - (F::kTwoPowMant + T(F::kBias) + (tiny ? F::kSubnormalExp : T(0)));
  const T f = m - T(1);
  const T s = f / (T(2) + f);
  const T z = s * s;
  T sz;
  if constexpr (sizeof(T) == 4) {
    sz = detail::poly<T>(z, 0x1.55555cp-1, 0x1.997c04p-2, 0x1.2eec1cp-2);
  } else {
    sz = detail::poly<T>(z, 0x1.5555555555558p-1, 0x1.9999999995218p-2, 0x1.2492492e05283p-2,
                         0x1.c71c62cea4268p-3, 0x1.7462ba9bf3e75p-3, 0x1.39fdaa4bc71ebp-3,
                         0x1.2b60775f2cb12p-3);
  }
  const T h = T(0.5) * f * f;
  const T inner = f - (h - (s * (h + z * sz) + k * F::kLn2Lo));
  T y = k * F::kLn2Hi + inner;
  // Special values, as selects: the arithmetic above ran on whatever bits x had.
  y = x == F::kInf ? x : y;
  y = x == T(0) ? -F::kInf : y;
  y = x < T(0) ? F::kNaN : y;
  y = x != x ? x : y;
  return y;
}

// Hyperbolic tangent, odd.
//  |x| < 0.55: x + x^3 P(x^2), P a minimax fit to (tanh x - x)/x^3 (bound 2^-27.8 float,
//    degree 4; 2^-58.5 double, degree 10). x is exact and the correction is below a tenth of
//    it, so the error is about half an ulp, and tiny or subnormal x returns x itself.
//  |x| >= 0.55: tanh a = 1 - 2/(e^2a + 1), result >= 0.5, 2/(e^2a + 1) <= 0.5. With
//    e^2a = 2^n (1 + q) (reduction as in exp), e^2a + 1 = (2^n + 1) + 2^n q, where 2^n + 1
//    is exact, so the denominator carries one rounding and the result is within ~1 ulp.
//    Large |x| saturates: 2a is clamped where tanh rounds to 1, keeping 2^n normal.
template <class T> MT_HD constexpr T tanh(T x) {
  using F = detail::Fp<T>;
  using U = typename F::U;
  // Both formulas work on a = |x|; the sign goes back on by its bit, so that the result is
  // odd to the last bit and tanh(-0) = -0.
  const T a = detail::fabs(x);
  const T a2 = a * a;
  T p;
  if constexpr (sizeof(T) == 4) {
    p = detail::poly<T>(a2, -0x1.555554p-2, 0x1.110ff4p-3, -0x1.b9a2eep-5, 0x1.5d3e2ap-6,
                        -0x1.b1eecp-8);
  } else {
    p = detail::poly<T>(a2, -0x1.5555555555555p-2, 0x1.111111111103cp-3, -0x1.ba1ba1b9ffdcep-5,
                        0x1.664f48776e7e8p-6, -0x1.226e32ff5955cp-7, 0x1.d6d33c256f45dp-9,
                        -0x1.7d97fc0866ddap-10, 0x1.34c7436e7f6efp-11, -0x1.ec2295f695e06p-13,
                        0x1.65358ced7c8d5p-14, -0x1.5a3c3cbb1f18p-16);
  }
  const T small = a + a * (a2 * p);

  T y = a + a;
  y = y > F::kTanhMax2x ? F::kTanhMax2x : y;  // NaN passes through
  T n;
  U n_bits;
  const T q = detail::expm1_reduced(detail::reduce_ln2(y, n, n_bits));
  const T scale = detail::exp2i<T>(n_bits);
  const T big = T(1) - T(2) / ((scale + T(1)) + scale * q);
  const T t = a < T(0.55) ? small : big;
  return detail::from_bits<T>(detail::to_bits(t) | (detail::to_bits(x) & F::kSign));
}

// The logistic function 1/(1 + e^-x). Forming e^-x and then e/(1 + e) would stack the
// error of exp (~1 ulp) on two more roundings (measured 2.3 ulp); instead, with
// e^-x = 2^n (1 + q) from the exp reduction (y = -x = n ln2 + r):
//   n <  0 (x > 0):  1 / (1 + 2^n + 2^n q)
//   n >= 0 (x <= 0): 2^-n / (1 + 2^-n + q)
// The denominator 1 + s + t (s = 2^-|n|, t exact) is summed with one rounding that counts:
// for |n| <= p (mantissa bits) 1 + s is exact; for smaller s, s + t is rounded first, an
// error below a quarter ulp of the sum. That rounding (up to 1 ulp of the result where d is
// just above a power of 2), the division (1/2) and q make a worst case just under 2 ulp;
// measured: 1.81 ulp over all floats, 1.71 ulp on random doubles.
// Nothing overflows for either sign: for x < 0 the 2^n is divided out and applied at the
// end, underflowing gradually to 0.
template <class T> MT_HD constexpr T sigmoid(T x) {
  using F = detail::Fp<T>;
  using U = typename F::U;
  // Beyond the bound the result is 0 or 1 in any case. NaN passes through.
  const T y = detail::clamp_abs(-x, F::kExpBound);
  T n;
  U n_bits;
  const T q = detail::expm1_reduced(detail::reduce_ln2(y, n, n_bits));
  const bool x_pos = n < T(0);
  // s = 2^-min(|n|, 2p) (p = mantissa bits): a smaller s changes nothing and 2^-|n| might
  // not be a normal number. Integer exponents come out of the rounding trick again.
  const T an = detail::fabs(n);
  const T cap = T(2 * F::kMant);
  const T nc = an < cap ? an : cap;
  const T s = detail::exp2i<T>(detail::to_bits(F::kRound - nc) - detail::to_bits(F::kRound));
  const T t = x_pos ? s * q : q;
  const T d = an <= T(F::kMant) ? (T(1) + s) + t : (s + t) + T(1);
  // The factor 2^-n for x <= 0 (n in [0, 150] or [0, 1076]) as 2^(64 - n) * 2^-64: both
  // normal, so the division is done in the normal range and only the last product rounds
  // (gradually) into the subnormals.
  const T num = detail::exp2i<T>(detail::to_bits((F::kRound + T(64)) - (x_pos ? T(0) : n)) -
                                 detail::to_bits(F::kRound));
  return num / d * T(0x1p-64);
}

}  // namespace mt::vmath
