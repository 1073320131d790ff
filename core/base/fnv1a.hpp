#pragma once
// 64-bit FNV-1a: a short fingerprint of some bytes, for comparing them across ranks (the core's
// collectives, the NCCL plugin's unique id) and for naming the CUDA plugin's cached kernels.
// Header-only: the plugins share no code with the core.
#include <cstddef>
#include <cstdint>

namespace mt {

inline uint64_t fnv1a(const void* data, size_t nbytes) {
  uint64_t hash = 14695981039346656037ull;
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < nbytes; ++i)
    hash = (hash ^ bytes[i]) * 1099511628211ull;
  return hash;
}

}  // namespace mt
