#pragma once
// The CUDA plugin's fused kernels (issue 17): for each fused group a plan runs on a device, the
// plugin generates a kernel (codegen/), has it compiled and loaded (jit/: NVRTC, memory and
// disk caches) and launches it on the device's stream. A group that cannot be generated or
// compiled is refused with the reason, and the plan runs its ops one at a time instead.
#include <mutex>
#include <string>
#include <unordered_map>

#include "backend/cuda/codegen/fused_space.hpp"
#include "backend/cuda/emu/cuda_compat.hpp"
#include "backend/cuda/jit/kernel_cache.hpp"
#include "backend/fused_program.hpp"

namespace mt::cuda {

class FusedKernels {
 public:
  FusedKernels(int device, int sm_major, int sm_minor);

  // "" when `kernel` (as analyze_fused_kernel accepted it, with its info) can run here,
  // compiling it now if it has not been; else why not. Data pointers are not read.
  std::string prepare(const FusedKernel& kernel, const FusedProgramInfo& info);
  // Launches `kernel` on `stream`; throws an Error when it was refused or the launch fails.
  void run(const FusedKernel& kernel, const FusedProgramInfo& info, cudaStream_t stream);

  const jit::KernelCache& cache() const { return cache_; }

 private:
  struct Ready {
    const jit::LoadedKernel* kernel = nullptr;
    std::string why;  // when kernel is null
  };
  const Ready& find(const FusedKernel& kernel, const FusedProgramInfo& info,
                    const codegen::FusedSpace& space);

  jit::KernelCache cache_;
  std::mutex mutex_;
  // Per structure (codegen::space_signature): the loaded kernel or the refusal.
  std::unordered_map<std::string, Ready> ready_;
};

}  // namespace mt::cuda
