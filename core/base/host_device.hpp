#pragma once
// MT_HD marks code that is shared between host and CUDA device compilation (the op tables and
// the index math). On the host it forces inlining: these small functions belong inside the
// loops that call them, and an out-of-line copy compiled in a per-ISA kernel source (see
// backend/cpu_par/isa.hpp) must never be emitted, lest the linker pick it for every caller.
#if defined(__CUDACC__)
// __forceinline__ would add `inline`, which the declarations already say where they need it.
#define MT_HD __host__ __device__ __attribute__((always_inline))
#else
#define MT_HD [[gnu::always_inline]]
#endif
