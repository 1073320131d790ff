#pragma once
// The diagnostics' name of the loop that walks a layout without tiles (element-wise ops and
// fused kernels): "flat" (one contiguous run per operand), "broadcast" (flat but an operand
// repeats) or "strided" (rows of constant stride).
#include "base/strided_layout.hpp"

namespace mt::cpu_par {

template <int N> const char* flat_path_name(const StridedLayout<N>& l) {
  if (l.rank == 0) return "flat";
  bool broadcast = false;
  for (int k = 0; k < N; ++k) {
    if (l.rank > 1 || l.inner_stride(k) > 1) return "strided";
    broadcast = broadcast || l.inner_stride(k) == 0;
  }
  return broadcast ? "broadcast" : "flat";
}

}  // namespace mt::cpu_par
