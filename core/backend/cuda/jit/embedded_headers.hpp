#pragma once
// The headers a generated kernel may include (the op tables and the fused kernels' device
// helpers), embedded into the plugin at build time: an installed plugin has no source tree for
// NVRTC's include path.
#include <cstdint>
#include <span>

namespace mt::cuda::jit {

struct EmbeddedHeader {
  const char* name;  // as a kernel includes it: "op_tables/unary_ops.hpp"
  const char* text;
};

std::span<const EmbeddedHeader> embedded_headers();

// A hash of every name and text: part of each kernel's cache key, so that a plugin built from
// other headers never takes a kernel compiled from these.
std::uint64_t embedded_headers_fingerprint();

}  // namespace mt::cuda::jit
