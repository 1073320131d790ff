#pragma once
// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011): a
// counter-based generator. The numbers for element i are a pure function of (seed, counter i),
// so every backend, thread count and chunking produces the same tensor from the same seed.
#include <array>
#include <cmath>
#include <cstdint>

#include "base/host_device.hpp"

namespace mt {

using PhiloxBlock = std::array<uint32_t, 4>;

MT_HD inline PhiloxBlock philox4x32_10(PhiloxBlock counter, uint32_t key0, uint32_t key1) {
  constexpr uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
  constexpr uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    const uint64_t p0 = uint64_t{kMul0} * counter[0];
    const uint64_t p1 = uint64_t{kMul1} * counter[2];
    counter = {static_cast<uint32_t>(p1 >> 32) ^ counter[1] ^ key0, static_cast<uint32_t>(p1),
               static_cast<uint32_t>(p0 >> 32) ^ counter[3] ^ key1, static_cast<uint32_t>(p0)};
    key0 += kWeyl0;
    key1 += kWeyl1;
  }
  return counter;
}

// The four 32-bit words for counter `index` under `seed`.
MT_HD inline PhiloxBlock philox_block(uint64_t seed, uint64_t index) {
  return philox4x32_10({static_cast<uint32_t>(index), static_cast<uint32_t>(index >> 32), 0u, 0u},
                       static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32));
}

// Uniform in [0, 1) with the full precision of T: 24 random bits for float, 53 for double.
template <class T> MT_HD inline T bits_to_unit(uint32_t hi, uint32_t lo) {
  if constexpr (sizeof(T) == 4) {
    return static_cast<T>(hi >> 8) * T(1.0 / 16777216.0);
  } else {
    return static_cast<T>(((uint64_t{hi} << 32) | lo) >> 11) * T(1.0 / 9007199254740992.0);
  }
}

// Element `index` of a uniform [low, high) sample, for any finite bounds.
template <class T> MT_HD inline T philox_uniform(uint64_t seed, uint64_t index, T low, T high) {
  const PhiloxBlock r = philox_block(seed, index);
  const T u = bits_to_unit<T>(r[0], r[1]);
  // When high - low overflows (bounds of opposite signs near the largest finite value), the
  // sample is taken at half scale: halving such bounds is exact, low/2 + (high/2 - low/2) u
  // lies in [low/2, high/2], and doubling it back is exact and finite.
  const T span = high - low;
  const T x = std::isfinite(span) ? low + span * u : T(2) * (low / 2 + (high / 2 - low / 2) * u);
  // u < 1, but the product and sum can round up to `high` (in float32 often enough to see):
  // take the value just below it so that the interval stays half-open.
  return x < high || !(low < high) ? x : std::nextafter(high, low);
}

// The largest |z| of philox_normal's standard samples: u1 >= 2^-53 and |cos| <= 1 bound it by
// sqrt(-2 ln 2^-53) = 8.57167, so mean + std z stays finite while |mean| + 8.5717 std does.
inline constexpr double kPhiloxNormalBound = 8.5717;

// Element `index` of a normal(mean, std) sample, by Box-Muller on two uniforms; computed in
// double and rounded once so that float and double agree to float precision.
template <class T> MT_HD inline T philox_normal(uint64_t seed, uint64_t index, T mean, T std) {
  const PhiloxBlock r = philox_block(seed, index);
  const double u1 = 1.0 - bits_to_unit<double>(r[0], r[1]);  // (0, 1]: log(u1) is finite
  const double u2 = bits_to_unit<double>(r[2], r[3]);
  const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  return mean + std * static_cast<T>(z);
}

}  // namespace mt
