#pragma once
// Batched matmul: out[..., i, j] = sum_k a[..., i, k] * b[..., k, j], any strides, the batch
// dims of a and b broadcast to out's (stride 0).
//
// Each block computes a kTile x kTile tile of one output matrix. It walks k in steps of kTileK:
// the block's threads copy the kTile x kTileK slab of a and the kTileK x kTile slab of b into
// shared memory (each input element is read from global memory once per tile), wait, then
// each thread multiplies out of shared memory into registers. Register tiling: each of the 256
// threads owns kMicro x kMicro = 4 x 4 outputs, so per step of k it loads 4 values of a and 4 of
// b from shared memory for 16 multiply-adds. Each output is written to global memory once.
// Sizes that are not multiples of the tile: loads outside the matrices put zeros in the slabs
// and stores outside are skipped.
#include <algorithm>
#include <cstdint>

#include "backend/cuda/kernels/launch.cuh"
#include "backend/cuda/kernels/launchers.hpp"
#include "backend/cuda/kernels/layout.cuh"

namespace mt::cuda {

inline constexpr int kTile = 64;                      // output rows and columns per block
inline constexpr int kTileK = 16;                     // depth of a k step
inline constexpr int kMicro = 4;                      // outputs per thread in each direction
inline constexpr int kTileThreadsX = kTile / kMicro;  // 16
inline constexpr int kTileThreads = kTileThreadsX * kTileThreadsX;  // 256

template <class T> struct MatmulArgs {
  StridedLayout<3> batch;  // over out's batch dims: operands out, a, b
  int64_t m, n, k;
  int64_t a_m, a_k;      // a's strides along its rows (m) and columns (k)
  int64_t b_k, b_n;      // b's along k and n
  int64_t out_m, out_n;  // out's along m and n
  T* out;
  const T* a;
  const T* b;
};

// A slab in shared memory: slab[kk][x] holds element (x, kk) of a tile, x along m (for a) or n
// (for b). The +1 column staggers the rows across the memory banks, so that threads writing a
// column (the kk-fastest load order below) do not all hit one bank.
template <class T> using Slab = T[kTileK][kTile + 1];

// Loads into `slab` the elements (x, kk), x < kTile, kk < kTileK, at src[x * stride_x +
// kk * stride_k]; zero where x >= x_count or kk >= k_count (past the matrix's edge). The
// threads take the elements in the order that has neighbouring threads read neighbouring
// addresses (x fastest when x has the smaller stride), so the reads coalesce whatever the
// operand's layout.
template <class T>
__device__ void load_slab(Slab<T>& slab, const T* src, int64_t stride_x, int64_t stride_k,
                          int64_t x_count, int64_t k_count) {
  const bool x_fastest = magnitude(stride_x) <= magnitude(stride_k);
  for (int e = threadIdx.x; e < kTile * kTileK; e += blockDim.x) {
    const int x = x_fastest ? e % kTile : e / kTileK;
    const int kk = x_fastest ? e / kTile : e % kTileK;
    slab[kk][x] = x < x_count && kk < k_count ? src[x * stride_x + kk * stride_k] : T(0);
  }
}

template <class T> __global__ void matmul_kernel(MatmulArgs<T> args) {
  __shared__ Slab<T> a_slab;  // a_slab[kk][i] = a[m0 + i, k0 + kk]
  __shared__ Slab<T> b_slab;  // b_slab[kk][j] = b[k0 + kk, n0 + j]
  // Thread (tx, ty) owns outputs (m0 + ty + 16 r, n0 + tx + 16 c) for r, c < 4: interleaved
  // rather than a 4 x 4 square, so that the 16 values of tx in a half warp read 16 neighbouring
  // b_slab entries (no bank conflicts) and write 16 neighbouring outputs (coalesced when out is
  // row-major).
  const int tx = threadIdx.x % kTileThreadsX, ty = threadIdx.x / kTileThreadsX;
  const int64_t n0 = int64_t{blockIdx.x} * kTile;
  // Grid-stride over batches (blockIdx.z) and row tiles (blockIdx.y), whose grid sizes are
  // capped at 65535. The loop bounds are the same for the whole block, so every thread reaches
  // every barrier.
  for (int64_t batch = blockIdx.z; batch < args.batch.numel; batch += gridDim.z) {
    int64_t base[3];
    args.batch.offsets(batch, base);
    for (int64_t m0 = int64_t{blockIdx.y} * kTile; m0 < args.m; m0 += int64_t{gridDim.y} * kTile) {
      T acc[kMicro][kMicro] = {};
      for (int64_t k0 = 0; k0 < args.k; k0 += kTileK) {
        load_slab(a_slab, args.a + base[1] + m0 * args.a_m + k0 * args.a_k, args.a_m, args.a_k,
                  args.m - m0, args.k - k0);
        load_slab(b_slab, args.b + base[2] + k0 * args.b_k + n0 * args.b_n, args.b_n, args.b_k,
                  args.n - n0, args.k - k0);
        __syncthreads();
        for (int kk = 0; kk < kTileK; ++kk) {
          T a_reg[kMicro], b_reg[kMicro];
          for (int r = 0; r < kMicro; ++r)
            a_reg[r] = a_slab[kk][ty + r * kTileThreadsX];
          for (int c = 0; c < kMicro; ++c)
            b_reg[c] = b_slab[kk][tx + c * kTileThreadsX];
          for (int r = 0; r < kMicro; ++r)
            for (int c = 0; c < kMicro; ++c)
              acc[r][c] += a_reg[r] * b_reg[c];
        }
        // The slabs are overwritten by the next step only after every thread has used them.
        __syncthreads();
      }
      for (int r = 0; r < kMicro; ++r) {
        const int64_t i = m0 + ty + r * kTileThreadsX;
        for (int c = 0; c < kMicro; ++c) {
          const int64_t j = n0 + tx + c * kTileThreadsX;
          if (i < args.m && j < args.n)
            args.out[base[0] + i * args.out_m + j * args.out_n] = acc[r][c];
        }
      }
    }
  }
}

// A view of the batch dims only (all but the last two).
inline mt_cuda_view batch_dims(const mt_cuda_view& v) {
  mt_cuda_view batch = v;
  batch.rank = v.rank - 2;
  return batch;
}

cudaError_t matmul(const mt_cuda_view& a, const mt_cuda_view& b, const mt_cuda_view& out,
                   cudaStream_t s) {
  const int r = out.rank;
  if (r < 2 || a.rank != r || b.rank != r || !same_dtype({&out, &a, &b}))
    return cudaErrorInvalidValue;
  for (int d = 0; d < r - 2; ++d)
    if ((a.shape[d] != 1 && a.shape[d] != out.shape[d]) ||
        (b.shape[d] != 1 && b.shape[d] != out.shape[d]))
      return cudaErrorInvalidValue;
  if (a.shape[r - 2] != out.shape[r - 2] || b.shape[r - 1] != out.shape[r - 1] ||
      a.shape[r - 1] != b.shape[r - 2])
    return cudaErrorInvalidValue;
  if (numel(out) == 0) return cudaSuccess;
  const mt_cuda_view out_batch = batch_dims(out), a_batch = batch_dims(a), b_batch = batch_dims(b);
  const StridedLayout<3> batch =
      make_layout<3>({&out_batch, &a_batch, &b_batch}, LayoutOrder::Logical);
  const int64_t m = out.shape[r - 2], n = out.shape[r - 1];
  const dim3 grid(static_cast<unsigned>((n + kTile - 1) / kTile),
                  static_cast<unsigned>(std::min<int64_t>((m + kTile - 1) / kTile, 65535)),
                  static_cast<unsigned>(std::min<int64_t>(batch.numel, 65535)));
  return with_dtype(out.dtype, [&](auto zero) {
    using T = decltype(zero);
    MatmulArgs<T> args;
    args.batch = batch;
    args.m = m;
    args.n = n;
    args.k = a.shape[r - 1];
    args.a_m = a.strides[r - 2];
    args.a_k = a.strides[r - 1];
    args.b_k = b.strides[r - 2];
    args.b_n = b.strides[r - 1];
    args.out_m = out.strides[r - 2];
    args.out_n = out.strides[r - 1];
    args.out = data<T>(out);
    args.a = data<T>(a);
    args.b = data<T>(b);
    return launch(matmul_kernel<T>, grid, dim3(kTileThreads), 0, s, args);
  });
}

}  // namespace mt::cuda
