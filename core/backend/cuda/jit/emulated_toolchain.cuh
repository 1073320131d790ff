// The emulated plugin's toolchain (toolchain.hpp): NVRTC compiles each source for sm_80 and
// sm_90 and the CUBIN is dropped (the check that every generated kernel is NVRTC-clean), then
// the host compiler builds it against the emulation (host_compiler.hpp) into a shared object,
// which is dlopened (never closed) and launched through the source's `<entry>_launch` trailer.
#include <dlfcn.h>
#include <unistd.h>

#include "backend/cuda/jit/host_compiler.hpp"
#include "backend/cuda/jit/nvrtc.hpp"
#include "backend/cuda/jit/toolchain.hpp"
#include "base/error.hpp"

namespace mt::cuda::jit {
namespace {

constexpr int kCheckedArchs[] = {80, 90};

}  // namespace

Toolchain::Toolchain(int arch) : nvrtc_(Nvrtc::load()), arch_(arch) {
  identity_ = cat("emulated sm_", arch_, "\n");
  for (const int checked : kCheckedArchs)
    identity_ += nvrtc_.fingerprint(checked) + "\n";
  identity_ += host_compiler_identity();
}

const std::string& Toolchain::unavailable() const { return nvrtc_.why_not_loaded(); }

Compiled Toolchain::compile(const KernelSource& source) const {
  Compiled out;
  for (const int checked : kCheckedArchs) {
    const NvrtcOutput nvrtc = nvrtc_.compile(source.source, source.entry + ".cu", checked);
    out.milliseconds += nvrtc.milliseconds;
    if (!nvrtc.ok) {
      out.why = nvrtc.log;
      return out;
    }
  }
  HostBuild host = build_shared_library(source.source, source.entry);
  out.milliseconds += host.milliseconds;
  out.payload = std::move(host.library);
  out.why = std::move(host.why);
  return out;
}

std::unique_ptr<LoadedKernel> Toolchain::load(const std::vector<char>& payload,
                                              const std::string& entry, std::string& why) const {
  const std::string path = write_private_file(payload, ".so", why);
  if (path.empty()) return nullptr;
  // Mapped once opened: the file is not needed after dlopen, and is never dlclosed.
  void* library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  const char* dl_why = library == nullptr ? dlerror() : nullptr;
  unlink(path.c_str());
  if (library == nullptr) {
    why = cat("cannot load the kernel ", entry, " (", dl_why != nullptr ? dl_why : "", ")");
    return nullptr;
  }
  const std::string trailer = entry + "_launch";
  auto kernel = std::make_unique<LoadedKernel>();
  kernel->function = reinterpret_cast<LoadedKernel::Launch>(dlsym(library, trailer.c_str()));
  if (kernel->function == nullptr) {
    why = cat("the kernel's library has no ", trailer, " (the emulation's launch trailer)");
    return nullptr;
  }
  return kernel;
}

cudaError_t launch(const LoadedKernel& kernel, dim3 grid, dim3 block, std::size_t shared_bytes,
                   cudaStream_t stream, const void* params) {
  return static_cast<cudaError_t>(kernel.function(grid, block, shared_bytes, stream, params));
}

}  // namespace mt::cuda::jit
