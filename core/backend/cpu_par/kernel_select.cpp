// Picks the kernel table of the active instruction set.
#include "backend/cpu_par/isa.hpp"
#include "backend/cpu_par/kernels.hpp"

namespace mt::cpu_par {

namespace isa_baseline {
const KernelTable& kernel_table();
}
namespace isa_avx2 {
const KernelTable& kernel_table();
}
namespace isa_avx512 {
const KernelTable& kernel_table();
}

const KernelTable& kernels(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return isa_avx512::kernel_table();
    case Isa::Avx2: return isa_avx2::kernel_table();
    case Isa::Baseline: break;
  }
  return isa_baseline::kernel_table();
}

const KernelTable& kernels() {
  static const KernelTable& table = kernels(active_isa());
  return table;
}

}  // namespace mt::cpu_par
