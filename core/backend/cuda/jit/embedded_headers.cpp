#include "backend/cuda/jit/embedded_headers.hpp"

#include <string>

#include "base/fnv1a.hpp"

namespace mt::cuda::jit {
namespace {

constexpr EmbeddedHeader kHeaders[] = {
#include "embedded_headers.inc"
};

}  // namespace

std::span<const EmbeddedHeader> embedded_headers() { return kHeaders; }

std::uint64_t embedded_headers_fingerprint() {
  static const std::uint64_t fingerprint = [] {
    std::string all;
    for (const EmbeddedHeader& header : kHeaders) {
      all += header.name;
      all += '\0';
      all += header.text;
      all += '\0';
    }
    return fnv1a(all.data(), all.size());
  }();
  return fingerprint;
}

}  // namespace mt::cuda::jit
