#pragma once
// MT_HD marks code that is shared between host and CUDA device compilation (the op tables and
// the index math). The host compiler sees plain inline functions.
#if defined(__CUDACC__)
#define MT_HD __host__ __device__
#else
#define MT_HD
#endif
