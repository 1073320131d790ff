#pragma once
#include <cstdint>
#include <limits>
#include <ostream>

namespace mt {

// Element types. The values are part of the C ABI: append-only.
enum class DType : int32_t { Float32 = 0, Float64 = 1 };

inline constexpr int64_t itemsize(DType dtype) { return dtype == DType::Float32 ? 4 : 8; }
// The largest finite value of `dtype`.
inline constexpr double largest_finite(DType dtype) {
  return dtype == DType::Float32 ? std::numeric_limits<float>::max()
                                 : std::numeric_limits<double>::max();
}
const char* dtype_name(DType dtype);
inline std::ostream& operator<<(std::ostream& out, DType dtype) { return out << dtype_name(dtype); }

// The dtype both operands are computed in: float64 when either is float64 (numpy's rule).
inline constexpr DType promote(DType a, DType b) {
  return a == DType::Float64 || b == DType::Float64 ? DType::Float64 : DType::Float32;
}

template <class T> inline constexpr DType dtype_of = DType::Float32;
template <> inline constexpr DType dtype_of<double> = DType::Float64;

// Calls `f` with a value of the C++ type of `dtype` (float{} or double{}), so that the body can
// write `using T = decltype(zero);` and be instantiated once per dtype.
template <class F> decltype(auto) dispatch_dtype(DType dtype, F&& f) {
  if (dtype == DType::Float64) return f(double{});
  return f(float{});
}

}  // namespace mt
