// The emulated runtime API: memory, copies, streams, device queries and error reporting.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "backend/cuda/emu/cuda_compat.hpp"

namespace {

TEST(CudaEmulationRuntime, MallocAlignsAndCopiesRoundTrip) {
  for (std::size_t n : {std::size_t{1}, std::size_t{1000}, std::size_t{1} << 20}) {
    SCOPED_TRACE(n);
    std::vector<unsigned char> host(n), back(n);
    std::iota(host.begin(), host.end(), static_cast<unsigned char>(n));
    unsigned char* a = nullptr;
    void* b = nullptr;
    ASSERT_EQ(cudaMalloc(&a, n), cudaSuccess);
    ASSERT_EQ(cudaMalloc(&b, n), cudaSuccess);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a) % 256, 0u);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(b) % 256, 0u);
    EXPECT_EQ(cudaMemcpy(a, host.data(), n, cudaMemcpyHostToDevice), cudaSuccess);
    EXPECT_EQ(cudaMemcpy(b, a, n, cudaMemcpyDeviceToDevice), cudaSuccess);
    EXPECT_EQ(cudaMemcpyAsync(back.data(), b, n, cudaMemcpyDefault), cudaSuccess);
    EXPECT_EQ(back, host);
    EXPECT_EQ(cudaMemsetAsync(a, 0xab, n), cudaSuccess);
    EXPECT_EQ(a[n - 1], 0xab);  // device memory is host memory
    EXPECT_EQ(cudaFree(a), cudaSuccess);
    EXPECT_EQ(cudaFree(b), cudaSuccess);
  }
  EXPECT_EQ(cudaGetLastError(), cudaSuccess);
}

TEST(CudaEmulationRuntime, MallocAndFreeErrors) {
  void* p = &p;
  EXPECT_EQ(cudaMalloc(static_cast<void**>(nullptr), 8), cudaErrorInvalidValue);
  cudaDeviceProp prop;
  ASSERT_EQ(cudaGetDeviceProperties(&prop, 0), cudaSuccess);
  EXPECT_EQ(cudaMalloc(&p, prop.totalGlobalMem + 1), cudaErrorMemoryAllocation);
  EXPECT_EQ(p, &p);  // untouched on failure
  EXPECT_EQ(cudaMalloc(&p, 0), cudaSuccess);
  EXPECT_EQ(p, nullptr);
  EXPECT_EQ(cudaFree(nullptr), cudaSuccess);
  ASSERT_EQ(cudaMalloc(&p, 64), cudaSuccess);
  EXPECT_EQ(cudaFree(static_cast<char*>(p) + 1), cudaErrorInvalidValue);  // not a block start
  EXPECT_EQ(cudaFree(p), cudaSuccess);
  EXPECT_EQ(cudaFree(p), cudaErrorInvalidValue);  // twice
  EXPECT_EQ(cudaGetLastError(), cudaErrorInvalidValue);
}

TEST(CudaEmulationRuntime, PointerAttributesTellDeviceFromPageableMemory) {
  void* device = nullptr;
  ASSERT_EQ(cudaMalloc(&device, 64), cudaSuccess);
  std::vector<char> host(64);
  cudaPointerAttributes attributes{};
  ASSERT_EQ(cudaPointerGetAttributes(&attributes, device), cudaSuccess);
  EXPECT_EQ(attributes.type, cudaMemoryTypeDevice);
  EXPECT_EQ(attributes.devicePointer, device);
  ASSERT_EQ(cudaPointerGetAttributes(&attributes, host.data()), cudaSuccess);
  EXPECT_EQ(attributes.type, cudaMemoryTypeUnregistered);
  EXPECT_EQ(cudaPointerGetAttributes(nullptr, device), cudaErrorInvalidValue);
  EXPECT_EQ(cudaGetLastError(), cudaErrorInvalidValue);
  ASSERT_EQ(cudaFree(device), cudaSuccess);
}

TEST(CudaEmulationRuntime, CopyAndSetErrors) {
  char byte = 1;
  EXPECT_EQ(cudaMemcpy(&byte, &byte, 1, static_cast<cudaMemcpyKind>(5)), cudaErrorInvalidValue);
  EXPECT_EQ(cudaMemcpy(nullptr, &byte, 1, cudaMemcpyHostToDevice), cudaErrorInvalidValue);
  EXPECT_EQ(cudaMemcpyAsync(&byte, nullptr, 1, cudaMemcpyDeviceToHost), cudaErrorInvalidValue);
  EXPECT_EQ(cudaMemsetAsync(nullptr, 0, 1), cudaErrorInvalidValue);
  EXPECT_EQ(cudaMemcpy(nullptr, nullptr, 0, cudaMemcpyDefault), cudaSuccess);
  EXPECT_EQ(cudaMemsetAsync(nullptr, 0, 0), cudaSuccess);
  EXPECT_EQ(byte, 1);
  cudaGetLastError();
}

TEST(CudaEmulationRuntime, LastErrorIsPerThreadPeekedAndReset) {
  EXPECT_EQ(cudaSetDevice(1), cudaErrorInvalidDevice);
  int count = 0;
  EXPECT_EQ(cudaGetDeviceCount(&count), cudaSuccess);  // success does not clear it
  EXPECT_EQ(cudaPeekAtLastError(), cudaErrorInvalidDevice);
  EXPECT_EQ(cudaPeekAtLastError(), cudaErrorInvalidDevice);
  cudaError_t elsewhere = cudaErrorInvalidValue;
  std::thread([&] { elsewhere = cudaPeekAtLastError(); }).join();
  EXPECT_EQ(elsewhere, cudaSuccess);
  EXPECT_EQ(cudaGetLastError(), cudaErrorInvalidDevice);
  EXPECT_EQ(cudaGetLastError(), cudaSuccess);
  EXPECT_EQ(cudaPeekAtLastError(), cudaSuccess);
}

__global__ void mark(int* flag) {
  if (threadIdx.x == 0) *flag = 1;
}

TEST(CudaEmulationRuntime, LaunchReportsAnEarlierUncheckedError) {
  EXPECT_EQ(cudaGetDevice(nullptr), cudaErrorInvalidValue);
  int flag = 0;
  EXPECT_EQ(mt::cuda::launch(mark, dim3(1), dim3(32), 0, nullptr, &flag), cudaErrorInvalidValue);
  EXPECT_EQ(flag, 1);  // as on a GPU, the kernel ran anyway
  EXPECT_EQ(cudaGetLastError(), cudaSuccess);
}

TEST(CudaEmulationRuntime, ErrorNamesAndStrings) {
  struct Case {
    cudaError_t error;
    const char* name;
    const char* text;
  };
  const Case cases[] = {
      {cudaSuccess, "cudaSuccess", "no error"},
      {cudaErrorInvalidValue, "cudaErrorInvalidValue", "invalid argument"},
      {cudaErrorMemoryAllocation, "cudaErrorMemoryAllocation", "out of memory"},
      {cudaErrorInvalidConfiguration, "cudaErrorInvalidConfiguration",
       "invalid configuration argument"},
      {cudaErrorInsufficientDriver, "cudaErrorInsufficientDriver",
       "CUDA driver version is insufficient for CUDA runtime version"},
      {cudaErrorNoDevice, "cudaErrorNoDevice", "no CUDA-capable device is detected"},
      {cudaErrorInvalidDevice, "cudaErrorInvalidDevice", "invalid device ordinal"},
      {static_cast<cudaError_t>(12345), "unrecognized error code", "unrecognized error code"},
  };
  for (const Case& c : cases) {
    EXPECT_STREQ(cudaGetErrorName(c.error), c.name);
    EXPECT_STREQ(cudaGetErrorString(c.error), c.text);
  }
  EXPECT_EQ(cudaErrorInvalidConfiguration, 9);
  EXPECT_EQ(cudaErrorInsufficientDriver, 35);
  EXPECT_EQ(cudaErrorNoDevice, 100);
}

TEST(CudaEmulationRuntime, DeviceQueries) {
  int count = 0, device = -1, version = 0;
  EXPECT_EQ(cudaGetDeviceCount(&count), cudaSuccess);
  EXPECT_EQ(count, 1);
  EXPECT_EQ(cudaSetDevice(0), cudaSuccess);
  EXPECT_EQ(cudaSetDevice(-1), cudaErrorInvalidDevice);
  EXPECT_EQ(cudaGetDevice(&device), cudaSuccess);
  EXPECT_EQ(device, 0);
  EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  EXPECT_EQ(cudaDriverGetVersion(&version), cudaSuccess);
  EXPECT_EQ(version, 13000);
  EXPECT_EQ(cudaRuntimeGetVersion(&version), cudaSuccess);
  EXPECT_EQ(version, 13000);

  cudaDeviceProp prop;
  std::memset(&prop, 0x7f, sizeof prop);
  ASSERT_EQ(cudaGetDeviceProperties(&prop, 0), cudaSuccess);
  EXPECT_EQ(std::string(prop.name), "minitensor CUDA emulation on host threads");
  EXPECT_EQ(prop.major, 8);
  EXPECT_EQ(prop.minor, 0);
  EXPECT_EQ(prop.multiProcessorCount, 4);
  EXPECT_GT(prop.totalGlobalMem, std::size_t{1} << 30);
  EXPECT_EQ(prop.sharedMemPerBlock, 48u * 1024);
  EXPECT_EQ(prop.maxThreadsPerBlock, 1024);
  EXPECT_EQ(prop.warpSize, warpSize);
  EXPECT_EQ(cudaGetDeviceProperties(&prop, 1), cudaErrorInvalidDevice);
  EXPECT_EQ(cudaGetDeviceProperties(nullptr, 0), cudaErrorInvalidValue);
  cudaGetLastError();
}

TEST(CudaEmulationRuntime, Streams) {
  cudaStream_t plain = nullptr, non_blocking = nullptr;
  ASSERT_EQ(cudaStreamCreate(&plain), cudaSuccess);
  ASSERT_EQ(cudaStreamCreateWithFlags(&non_blocking, cudaStreamNonBlocking), cudaSuccess);
  EXPECT_NE(plain, nullptr);
  EXPECT_NE(plain, non_blocking);
  int source = 42, target = 0;
  EXPECT_EQ(cudaMemcpyAsync(&target, &source, sizeof source, cudaMemcpyHostToDevice, non_blocking),
            cudaSuccess);
  EXPECT_EQ(cudaStreamSynchronize(non_blocking), cudaSuccess);
  EXPECT_EQ(target, 42);
  int flag = 0;
  EXPECT_EQ(mt::cuda::launch(mark, dim3(1), dim3(32), 0, plain, &flag), cudaSuccess);
  EXPECT_EQ(flag, 1);
  EXPECT_EQ(cudaStreamDestroy(plain), cudaSuccess);
  EXPECT_EQ(cudaStreamDestroy(non_blocking), cudaSuccess);

  cudaStream_t untouched = nullptr;
  EXPECT_EQ(cudaStreamCreateWithFlags(&untouched, 2), cudaErrorInvalidValue);
  EXPECT_EQ(untouched, nullptr);
  EXPECT_EQ(cudaStreamCreate(nullptr), cudaErrorInvalidValue);
  cudaGetLastError();
}

}  // namespace
