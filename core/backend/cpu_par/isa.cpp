#include "backend/cpu_par/isa.hpp"

#include <cstdlib>
#include <string>

#include "base/error.hpp"

namespace mt::cpu_par {

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::Baseline: return "baseline";
    case Isa::Avx2: return "avx2";
    case Isa::Avx512: return "avx512";
  }
  return "unknown";
}

Isa detected_isa() {
  // The sets match the compile flags in core/CMakeLists.txt: x86-64-v3 and x86-64-v4.
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
    return Isa::Avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
      __builtin_cpu_supports("bmi2"))
    return Isa::Avx2;
  return Isa::Baseline;
}

namespace {

Isa choose_isa() {
  const Isa best = detected_isa();
  const char* requested = std::getenv("MINITENSOR_ISA");
  if (requested == nullptr || *requested == '\0') return best;
  for (Isa isa : {Isa::Baseline, Isa::Avx2, Isa::Avx512}) {
    if (std::string(requested) != isa_name(isa)) continue;
    if (static_cast<int32_t>(isa) > static_cast<int32_t>(best))
      fail(ErrorCode::Unsupported, "MINITENSOR_ISA=", requested, ": this CPU supports at most ",
           isa_name(best));
    return isa;
  }
  fail(ErrorCode::InvalidArgument, "MINITENSOR_ISA=", requested,
       " is not one of baseline, avx2, avx512");
}

}  // namespace

Isa active_isa() {
  static const Isa isa = choose_isa();
  return isa;
}

}  // namespace mt::cpu_par
