#pragma once
// NVRTC, loaded with dlopen on first use (the plugin never links it): compiles a kernel's source,
// with the embedded headers, to CUBIN for one GPU architecture.
#include <memory>
#include <string>
#include <vector>

namespace mt::cuda::jit {

struct NvrtcOutput {
  bool ok = false;
  std::string log;          // on failure, why: the call that failed and the log's first lines
  std::vector<char> cubin;  // on success
  double milliseconds = 0;  // nvrtcCreateProgram + nvrtcCompileProgram
};

class Nvrtc {
 public:
  // The library named by MINITENSOR_NVRTC, else libnvrtc.so.13, else libnvrtc.so.12; each is
  // loaded at most once per process and never unloaded. The environment is read on each call.
  static const Nvrtc& load();

  bool loaded() const { return why_not_.empty(); }
  // "NVRTC is not available: cannot load ..." (empty when loaded)
  const std::string& why_not_loaded() const { return why_not_; }
  // "nvrtc 13.0 (libnvrtc.so.13)": the compiler's identity, for cache keys
  const std::string& identity() const { return identity_; }

  // The options of every kernel: `arch` is 80 for sm_80. No FMA contraction (the unfused
  // kernels' and the CPU's bits), C++20, unannotated functions taken as device code, and from
  // NVRTC 12.4 on --minimal (no texture, device-runtime or runtime-API declarations, which the
  // kernels never use: a fifth to a quarter off the front end's time, a tenth off the compile).
  std::vector<std::string> options(int arch) const;
  // The identity, the options for `arch` and the embedded headers' hash: what a CUBIN depends on
  // besides its source.
  std::string fingerprint(int arch) const;

  NvrtcOutput compile(const std::string& source, const std::string& name, int arch) const;

  struct Api;  // the entry points (nvrtc.cpp)
  explicit Nvrtc(const std::string& library);
  ~Nvrtc();  // never dlcloses: NVRTC stays loaded until the process exits
  Nvrtc(const Nvrtc&) = delete;
  Nvrtc& operator=(const Nvrtc&) = delete;

 private:
  std::unique_ptr<Api> api_;
  std::string why_not_;
  std::string identity_;
  bool minimal_ = false;  // --minimal is known (12.4 or newer)
};

}  // namespace mt::cuda::jit
