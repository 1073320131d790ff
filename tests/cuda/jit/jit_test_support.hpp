#pragma once
// What the run-time compiler's tests share: a temporary directory, a scoped environment
// variable, and a small kernel source of the shape the code generator emits.
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace mt::cuda::jit::test {

class TempDir {
 public:
  TempDir() {
    std::string name = (std::filesystem::temp_directory_path() / "mt-jit-test-XXXXXX").string();
    if (mkdtemp(name.data()) == nullptr) throw std::runtime_error("mkdtemp " + name);
    path_ = name;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ignored);
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Sets (or, with nullptr, unsets) `name` for the scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old, had_ = true;
    set(value);
  }
  ~ScopedEnv() { set(had_ ? old_.c_str() : nullptr); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  void set(const char* value) const {
    if (value != nullptr) {
      setenv(name_.c_str(), value, 1);
    } else {
      unsetenv(name_.c_str());
    }
  }
  std::string name_, old_;
  bool had_ = false;
};

inline unsigned umask_now() {
  const mode_t mask = umask(0);
  umask(mask);
  return mask;
}

// out[i] = exp(a[i]) + b[i] for i < n, from the op tables, with one by-value struct argument and
// the emulation's launch trailer; `entry` names the kernel, `extra` is appended to its body.
inline std::string exp_add_source(const std::string& entry, const std::string& extra = "") {
  return R"(#include "op_tables/binary_ops.hpp"
#include "op_tables/unary_ops.hpp"
#if !defined(__CUDACC_RTC__)
#include "backend/cuda/emu/cuda_compat.hpp"
#endif

struct ExpAddParams {
  const float* a;
  const float* b;
  float* out;
  unsigned n;
};

extern "C" __global__ void )" +
         entry + R"((ExpAddParams p) {
  const unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < p.n) p.out[i] = mt::binary::Add::forward(mt::unary::Exp::forward(p.a[i]), p.b[i]);
)" + extra +
         R"(
}

#if !defined(__CUDACC_RTC__)
extern "C" __attribute__((visibility("default"))) int )" +
         entry + R"(_launch(dim3 grid, dim3 block, std::size_t shared, cudaStream_t stream,
                                 const void* params) {
  return mt::cuda::launch()" +
         entry + R"(, grid, block, shared, stream, *static_cast<const ExpAddParams*>(params));
}
#endif
)";
}

struct ExpAddParams {
  const float* a;
  const float* b;
  float* out;
  unsigned n;
};

}  // namespace mt::cuda::jit::test
