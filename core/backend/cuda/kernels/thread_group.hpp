#pragma once
// The reductions' thread groups as the host sees them: which group folds a slice, and the sizes
// the kernels and their launches agree on. Plain C++ with no header of its own, so that host
// code (the launchers, codegen/) and NVRTC-compiled kernels (thread_groups.cuh) share it.

namespace mt::cuda {

inline constexpr int kWarpSize = 32;
// Threads per block of the element-wise and reduction kernels: 8 warps, and 8 such blocks fill
// an SM of sm_80/sm_90 (2048 resident threads) when registers allow.
inline constexpr int kBlockThreads = 256;

// The threads that fold one slice: one thread, a warp, or a block of kBlockThreads (reduce.cuh
// says which is chosen when).
enum class Group { Thread, Warp, Block };

}  // namespace mt::cuda
