#pragma once
// What the op tables (unary_ops, binary_ops, reduce_ops, vmath) take from the C++ standard
// library, in one place, so that they compile under NVRTC too, where there is no standard
// header (CUDA's own, CCCL, would cost ~450 ms per kernel compile).
// - On the host (and in nvcc's and the CUDA emulation's compiles) these are the std:: names
//   themselves, so the CPU kernels' code and bits are those of calling std:: directly.
// - Under NVRTC (__CUDACC_RTC__) they are CUDA's device math functions and local definitions.
// The rule for the op tables: include no standard header; use what is here.
#include "base/host_device.hpp"

#if defined(__CUDACC_RTC__)

namespace mt {

// <cstdint>'s types, for the op enums and vmath's bit patterns (NVRTC predefines size_t only).
using int32_t = int;
using uint32_t = unsigned int;
using int64_t = long long;
using uint64_t = unsigned long long;

namespace math {

using ::size_t;

// CUDA's float and double functions as the std:: overload pairs.
#define MT_DEVICE_MATH_1(f, ff, fd)                 \
  MT_HD inline float f(float x) { return ::ff(x); } \
  MT_HD inline double f(double x) { return ::fd(x); }
MT_DEVICE_MATH_1(abs, fabsf, fabs)
MT_DEVICE_MATH_1(sqrt, sqrtf, sqrt)
MT_DEVICE_MATH_1(sin, sinf, sin)
MT_DEVICE_MATH_1(cos, cosf, cos)
MT_DEVICE_MATH_1(log, logf, log)
MT_DEVICE_MATH_1(log1p, log1pf, log1p)
MT_DEVICE_MATH_1(expm1, expm1f, expm1)
MT_DEVICE_MATH_1(erf, erff, erf)
MT_DEVICE_MATH_1(erfc, erfcf, erfc)
#undef MT_DEVICE_MATH_1
MT_HD inline float pow(float x, float y) { return ::powf(x, y); }
MT_HD inline double pow(double x, double y) { return ::pow(x, y); }
MT_HD inline bool isfinite(float x) { return ::isfinite(x); }
MT_HD inline bool isfinite(double x) { return ::isfinite(x); }

template <class To, class From> MT_HD constexpr To bit_cast(const From& from) {
  return __builtin_bit_cast(To, from);
}

template <class T> MT_HD constexpr T infinity() {
  if constexpr (sizeof(T) == 4) {
    return bit_cast<T>(0x7f800000u);
  } else {
    return bit_cast<T>(0x7ff0000000000000ull);
  }
}

template <class T> MT_HD constexpr T quiet_nan() {
  if constexpr (sizeof(T) == 4) {
    return bit_cast<T>(0x7fc00000u);
  } else {
    return bit_cast<T>(0x7ff8000000000000ull);
  }
}

template <size_t... I> struct index_sequence {};
template <size_t N, size_t... I>
struct make_index_sequence_of : make_index_sequence_of<N - 1, N - 1, I...> {};
template <size_t... I> struct make_index_sequence_of<0, I...> {
  using type = index_sequence<I...>;
};
template <size_t N> using make_index_sequence = typename make_index_sequence_of<N>::type;

}  // namespace math
}  // namespace mt

#else

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#if !defined(__CUDA_ARCH__)
#include <bit>
#endif

namespace mt::math {

using std::abs;
using std::cos;
using std::erf;
using std::erfc;
using std::expm1;
using std::isfinite;
using std::log;
using std::log1p;
using std::pow;
using std::sin;
using std::sqrt;

#if !defined(__CUDA_ARCH__)
using std::bit_cast;
#endif

template <class T> MT_HD constexpr T infinity() { return std::numeric_limits<T>::infinity(); }
template <class T> MT_HD constexpr T quiet_nan() { return std::numeric_limits<T>::quiet_NaN(); }

using std::index_sequence;
using std::make_index_sequence;
using std::size_t;

}  // namespace mt::math

#endif
