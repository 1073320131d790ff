#pragma once
// The plugin's run-time kernel compiler: a kernel's source in, a launchable kernel (or why not)
// out. The real plugin compiles with NVRTC (loaded by dlopen on first use) for the device's
// architecture and loads the CUBIN with the CUDA runtime; the emulated plugin checks the source
// with NVRTC for sm_80 and sm_90, then builds it with the host compiler against the CUDA
// emulation and dlopens it. Compiled kernels are kept in memory per device and on disk
// (disk_cache.hpp). See docs/cuda.md, "Generated kernels".
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "backend/cuda/emu/cuda_compat.hpp"

namespace mt::cuda::jit {

struct KernelSource {
  std::string key;     // what the source depends on, never sizes (the caller's part of the key)
  std::string source;  // complete CUDA C++; may include the embedded headers (embedded_headers.hpp)
  std::string entry;   // the extern "C" __global__ function, taking one by-value struct argument
};

class LoadedKernel;  // toolchain.hpp; lives as long as its cache, never unloaded before exit

struct Lookup {
  const LoadedKernel* kernel = nullptr;  // null: `why` says why (NVRTC missing, a compile error
  std::string why;                       // with the log's first lines, a load failure, ...)
  bool compiled = false;                 // compiled by this call (not from memory or disk)
  bool from_disk = false;
  double compile_ms = 0;  // NVRTC's (and in emulation the host compiler's) time when compiled
};

class Toolchain;
class DiskCache;

// The kernels of one device. Thread-safe: one lookup at a time (a kernel asked for by two
// threads at once is compiled once).
class KernelCache {
 public:
  // The disk cache's directory is taken from the environment here (DiskCache).
  KernelCache(int device, int sm_major, int sm_minor);
  ~KernelCache();
  KernelCache(const KernelCache&) = delete;
  KernelCache& operator=(const KernelCache&) = delete;

  // Memory, then disk, then compile and load. Never throws. A failure is remembered for the
  // source, so a bad kernel is not compiled again on every call.
  Lookup get(const KernelSource& source);

  // The disk cache's directory and the last problem it met, or why it is off; for reports.
  std::string disk_cache_status() const;

 private:
  struct Entry {
    std::unique_ptr<LoadedKernel> kernel;
    std::string why;  // when kernel is null
  };
  Lookup find_or_build(const KernelSource& source);

  int device_;
  int arch_;  // 90 for sm_90
  mutable std::mutex mutex_;
  std::unique_ptr<Toolchain> toolchain_;  // made by the first lookup: it loads NVRTC
  std::unique_ptr<DiskCache> disk_;
  std::unordered_map<std::string, Entry> entries_;  // by the full key
};

// Launches `kernel` on `stream` with its one argument, the struct at `params`; the CUDA status
// of the launch.
cudaError_t launch(const LoadedKernel& kernel, dim3 grid, dim3 block, std::size_t shared_bytes,
                   cudaStream_t stream, const void* params);

}  // namespace mt::cuda::jit
