// The real plugin's toolchain (toolchain.hpp): NVRTC compiles the source to CUBIN for the
// device's architecture; the CUDA runtime loads it as a library (context-independent, never
// unloaded) and launches its kernel with the one by-value argument.
#include "backend/cuda/jit/nvrtc.hpp"
#include "backend/cuda/jit/toolchain.hpp"
#include "backend/cuda/plugin/cuda_check.hpp"
#include "base/error.hpp"

namespace mt::cuda::jit {

Toolchain::Toolchain(int arch)
    : nvrtc_(Nvrtc::load()), arch_(arch), identity_(nvrtc_.fingerprint(arch)) {}

const std::string& Toolchain::unavailable() const { return nvrtc_.why_not_loaded(); }

Compiled Toolchain::compile(const KernelSource& source) const {
  NvrtcOutput nvrtc = nvrtc_.compile(source.source, source.entry + ".cu", arch_);
  Compiled out;
  out.milliseconds = nvrtc.milliseconds;
  out.payload = std::move(nvrtc.cubin);
  out.why = std::move(nvrtc.log);
  return out;
}

std::unique_ptr<LoadedKernel> Toolchain::load(const std::vector<char>& payload,
                                              const std::string& entry, std::string& why) const {
  cudaLibrary_t library = nullptr;
  cudaError_t error =
      cudaLibraryLoadData(&library, payload.data(), nullptr, nullptr, 0, nullptr, nullptr, 0);
  auto kernel = std::make_unique<LoadedKernel>();
  if (error == cudaSuccess) error = cudaLibraryGetKernel(&kernel->function, library, entry.c_str());
  if (error != cudaSuccess) {
    (void)cudaGetLastError();  // or the next launch would report it
    why = cat("cannot load the kernel ", entry, " for sm_", arch_, ": ", error_text(error));
    return nullptr;
  }
  return kernel;
}

cudaError_t launch(const LoadedKernel& kernel, dim3 grid, dim3 block, std::size_t shared_bytes,
                   cudaStream_t stream, const void* params) {
  void* arguments[] = {const_cast<void*>(params)};
  cudaLaunchKernel(reinterpret_cast<const void*>(kernel.function), grid, block, arguments,
                   shared_bytes, stream);
  return cudaGetLastError();
}

}  // namespace mt::cuda::jit
