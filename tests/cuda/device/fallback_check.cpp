// Run as its own process (the plugin is loaded once per process): checks that where the CUDA
// plugin cannot be used, the library says why and everything on the CPU still works.
// Usage: mt_cuda_fallback_check <text the reason must contain>...
#include <cstdio>
#include <string>

#include "backend/cuda/cuda_runtime.hpp"
#include "mt.hpp"

int main(int argc, char** argv) {
  using namespace mt;
  const std::string reason = cuda_unavailable_reason();
  std::printf("CUDA unavailable: %s\n", reason.c_str());
  int failures = 0;
  const auto check = [&](bool ok, const std::string& what) {
    if (!ok) {
      std::fprintf(stderr, "FAILED: %s\n", what.c_str());
      ++failures;
    }
  };
  check(cuda_device_count() == 0, "no device is counted");
  check(!reason.empty(), "a reason is given");
  for (int i = 1; i < argc; ++i)
    check(reason.find(argv[i]) != std::string::npos, std::string("the reason names ") + argv[i]);
  try {
    zeros({2}, DType::Float32, Device::cuda(0));
    check(false, "creating a tensor on cuda:0 throws");
  } catch (const Error& e) {
    check(e.code() == ErrorCode::DeviceUnavailable, "the error is DeviceUnavailable");
    check(std::string(e.what()) == "CUDA is unavailable: " + reason,
          std::string("the error message is the reason, got: ") + e.what());
  }
  const Tensor x = arange(0, 4, 1, DType::Float64).view({2, 2});
  check(sum(matmul(x, x)).item() == 2 + 3 + 6 + 11, "CPU ops work");
  std::puts(failures == 0 ? "fallback OK" : "fallback FAILED");
  return failures == 0 ? 0 : 1;
}
