#pragma once
// The parallel CPU backend's matrix multiply: BLIS's design (packed, cache-blocked operands and
// a SIMD register micro-kernel, see gemm_kernel.hpp), batched, on arbitrary strides.
#include <cstdint>
#include <functional>

namespace mt::cpu_par {

// Called for every block of C whose sums are final: rows [i0, i1) and columns [j0, j1) of the
// batch item at offset c_offset of C, on the thread that computed the block, right after (while
// it is in cache). Each element of C is in exactly one block. A fused kernel's epilogue runs here.
using FinishedBlock =
    std::function<void(int64_t c_offset, int64_t i0, int64_t i1, int64_t j0, int64_t j1)>;

// C[b] = A[b] @ B[b] for b < batch (C overwritten): A[b] is m x k, B[b] is k x n, C[b] is m x n.
// Element (i, j) of batch item b of X is at x[x_offsets[b] + i * x_rs + j * x_cs]. Strides are
// >= 0 and may be anything (0 for broadcast, transposed, gaps); broadcast batch dims simply
// repeat an offset. C does not overlap A or B, and distinct batch items of C do not overlap.
// k == 0 gives zeros. Parallel over batch items and output blocks (parallel_for); every C element
// is summed over k in an order that does not depend on the thread count, so results are
// bitwise identical for any number of threads. `finished`, where given, sees each block of C
// once its sums are final.
template <class T>
void gemm_batched(int64_t batch, int64_t m, int64_t n, int64_t k, const T* a,
                  const int64_t* a_offsets, int64_t a_rs, int64_t a_cs, const T* b,
                  const int64_t* b_offsets, int64_t b_rs, int64_t b_cs, T* c,
                  const int64_t* c_offsets, int64_t c_rs, int64_t c_cs,
                  const FinishedBlock* finished = nullptr);
// Which micro-kernel runs (for diagnostics), e.g. "avx2 6x16".
const char* gemm_kernel_name(bool is_double);

}  // namespace mt::cpu_par
