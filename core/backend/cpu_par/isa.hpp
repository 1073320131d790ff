#pragma once
// Runtime SIMD dispatch. The hot loops live in sources compiled once per instruction set
// (cmake: mt_add_isa_sources), each copy inside its own namespace mt::cpu_par::isa_<name>.
// At run time the best set the CPU supports is chosen once; MINITENSOR_ISA=baseline|avx2|avx512
// picks a lower one (for tests and comparisons).
//
// Rule for those sources: use only raw pointers, the op tables and functions of the ISA's own
// namespace. A non-inlined inline function (a std::vector member, say) compiled there would be
// a weak symbol with AVX-512 code that the linker may pick for every caller.
#include <cstdint>

namespace mt::cpu_par {

enum class Isa : int32_t { Baseline = 0, Avx2 = 1, Avx512 = 2 };

const char* isa_name(Isa isa);
// The best instruction set this CPU supports.
Isa detected_isa();
// What the kernels use: detected_isa(), or MINITENSOR_ISA when that is set and supported
// (an unknown or unsupported value is an error naming the choices). Fixed at first use.
Isa active_isa();

}  // namespace mt::cpu_par
