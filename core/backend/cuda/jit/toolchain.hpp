#pragma once
// How a plugin turns a kernel's source into a loaded kernel. One declaration, two definitions:
// cubin_toolchain.cuh (nvcc's plugin: NVRTC to CUBIN for the device, loaded by the CUDA runtime)
// and emulated_toolchain.cuh (the host compiler's plugin: NVRTC as a check for sm_80 and sm_90,
// then the host compiler against the emulation, loaded by dlopen).
#include <memory>
#include <string>
#include <vector>

#include "backend/cuda/emu/cuda_compat.hpp"
#include "backend/cuda/jit/kernel_cache.hpp"

namespace mt::cuda::jit {

class Nvrtc;

class LoadedKernel {
 public:
#if defined(__CUDACC__)
  cudaKernel_t function = nullptr;
#else
  // The source's `<entry>_launch` trailer, which launches the kernel under the emulation.
  using Launch = int (*)(dim3 grid, dim3 block, std::size_t shared_bytes, cudaStream_t stream,
                         const void* params);
  Launch function = nullptr;
#endif
};

struct Compiled {
  std::vector<char> payload;  // CUBIN, or the emulation's shared object; empty on failure
  std::string why;
  double milliseconds = 0;
};

class Toolchain {
 public:
  explicit Toolchain(int arch);  // 90 for sm_90

  // Why no kernel can be built ("NVRTC is not available: ..."); empty when they can.
  const std::string& unavailable() const;
  // What a compiled kernel depends on besides its source: the compilers, their versions and
  // options, the architecture, the embedded headers.
  const std::string& identity() const { return identity_; }

  Compiled compile(const KernelSource& source) const;
  // The kernel `entry` of `payload`, or null with `why`.
  std::unique_ptr<LoadedKernel> load(const std::vector<char>& payload, const std::string& entry,
                                     std::string& why) const;

 private:
  const Nvrtc& nvrtc_;
  int arch_;
  std::string identity_;
};

}  // namespace mt::cuda::jit
