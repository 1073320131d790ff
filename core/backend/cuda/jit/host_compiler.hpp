#pragma once
// The emulated plugin's second compiler: a kernel's source built by the host C++ compiler that
// built the plugin (baked in as MT_JIT_HOST_COMPILER), against the CUDA emulation in the source
// tree (MT_JIT_CORE_DIR), into a shared object that is run on host threads. Also the private
// temporary files that compiling and loading need.
#include <string>
#include <vector>

namespace mt::cuda::jit {

struct HostBuild {
  std::vector<char> library;  // the shared object's bytes; empty on failure
  std::string why;            // on failure: the command's status and the compiler's messages
  double milliseconds = 0;
};

// The compiler, its flags and the emulation headers' hash: what a built kernel depends on
// besides its source.
std::string host_compiler_identity();

HostBuild build_shared_library(const std::string& source, const std::string& name);

// Writes `bytes` to a new private file (mode 0600) in $TMPDIR or /tmp; its path, or "" with `why`.
std::string write_private_file(const std::vector<char>& bytes, const std::string& suffix,
                               std::string& why);

}  // namespace mt::cuda::jit
