// Host emulation of the part of CUDA that minitensor's kernels use, so that the kernel sources
// compile with a host compiler and run on the CPU in tests. Include cuda_compat.hpp, not this.
//
// Execution model. Each thread of a block (blockDim.x*y*z) is a real thread, a worker of a pool
// kept from launch to launch; together they run every block of the grid in turn, x fastest,
// meeting at a barrier between blocks. Hence:
//  - __syncthreads is a real barrier over the block's threads;
//  - __shared__ is `static`: one block runs at a time and a global mutex serializes launches, so
//    a static array is exactly the running block's shared memory;
//  - warp shuffles exchange values through a per-warp slot array and a per-warp barrier: all 32
//    lanes take part (masks are ignored), so block sizes must be multiples of 32;
//  - a thread that returns from the kernel no longer counts at its block's and warp's barriers,
//    as an exited thread on a GPU;
//  - blocks never run concurrently: a kernel that waits for another block of the same launch
//    (through global memory) deadlocks. Grid-stride loops work;
//  - launches are synchronous, streams are only names, device memory is host memory.
// Cost: a launch wakes its block's workers, and every barrier (also the one between blocks) wakes
// every thread of the block; on two cores, each about 1 ms for 256 threads. Keep grids small
// where the emulation runs (grid-stride loops make any grid size correct).
#pragma once

#if defined(__CUDACC__)
#error "cuda_emulation.hpp is for host compilers; include cuda_compat.hpp"
#endif

#include <atomic>
#include <barrier>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <mutex>
#include <new>
#include <thread>
#include <tuple>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

// ---- Types, qualifiers and built-in variables, with CUDA's names ----------------------------

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static
// __restrict__ is already a keyword of GCC and Clang.

struct uint3 {
  unsigned x, y, z;
};

struct dim3 {
  unsigned x, y, z;
  constexpr dim3(unsigned vx = 1, unsigned vy = 1, unsigned vz = 1) : x(vx), y(vy), z(vz) {}
  constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
  constexpr operator uint3() const { return {x, y, z}; }
};

// Set by each emulated thread for itself.
inline thread_local uint3 threadIdx{};
inline thread_local uint3 blockIdx{};
inline thread_local dim3 blockDim;
inline thread_local dim3 gridDim;
inline constexpr int warpSize = 32;

enum cudaError : int {
  cudaSuccess = 0,
  cudaErrorInvalidValue = 1,
  cudaErrorMemoryAllocation = 2,
  cudaErrorInvalidConfiguration = 9,
  cudaErrorInsufficientDriver = 35,
  cudaErrorNoDevice = 100,
  cudaErrorInvalidDevice = 101,
};
using cudaError_t = cudaError;

enum cudaMemcpyKind : int {
  cudaMemcpyHostToHost = 0,
  cudaMemcpyHostToDevice = 1,
  cudaMemcpyDeviceToHost = 2,
  cudaMemcpyDeviceToDevice = 3,
  cudaMemcpyDefault = 4,
};

struct CUstream_st {
  unsigned flags;
};
using cudaStream_t = CUstream_st*;
inline constexpr unsigned cudaStreamDefault = 0x00;
inline constexpr unsigned cudaStreamNonBlocking = 0x01;

struct cudaDeviceProp {
  char name[256];
  int major;
  int minor;
  int multiProcessorCount;
  std::size_t totalGlobalMem;
  std::size_t sharedMemPerBlock;
  int maxThreadsPerBlock;
  int warpSize;
};

// ---- The machinery ----------------------------------------------------------------------------

namespace mt::cuda::emu {

inline constexpr unsigned kWarpSize = 32;
inline constexpr unsigned kMaxThreadsPerBlock = 1024;
inline constexpr std::size_t kSharedMemPerBlock = 48 * 1024;
inline constexpr std::size_t kGlobalMemory = std::size_t{16} << 30;
inline constexpr std::size_t kAllocationAlignment = 256;

inline thread_local cudaError_t last_error = cudaSuccess;

// Records a failure of a runtime call for cudaGetLastError and returns it.
inline cudaError_t fail(cudaError_t error) {
  last_error = error;
  return error;
}

// A barrier that a thread may leave, for the rest of the block, when it returns from the kernel.
// One atomic word holds (expected << 32 | arrived), so arriving and leaving are single updates;
// the update that completes the count releases the waiters by advancing `phase_`.
class Barrier {
 public:
  // Only while no thread uses the barrier.
  void reset(unsigned count) { state_.store(std::uint64_t{count} << 32); }

  void arrive_and_wait() {
    const std::uint32_t phase = phase_.load(std::memory_order_acquire);
    if (!complete(state_.fetch_add(1, std::memory_order_acq_rel) + 1))
      phase_.wait(phase, std::memory_order_acquire);  // returns once phase_ has moved on
  }

  void leave() {
    constexpr std::uint64_t one = std::uint64_t{1} << 32;
    complete(state_.fetch_sub(one, std::memory_order_acq_rel) - one);
  }

 private:
  // Releases the waiters if `state` (just written) counts every remaining thread as arrived.
  bool complete(std::uint64_t state) {
    const auto arrived = static_cast<std::uint32_t>(state),
               expected = static_cast<std::uint32_t>(state >> 32);
    if (arrived == 0 || arrived != expected) return false;
    // Every remaining thread waits, so nothing else writes state_ until phase_ moves.
    state_.store(state - arrived, std::memory_order_relaxed);
    phase_.fetch_add(1, std::memory_order_release);
    phase_.notify_all();
    return true;
  }

  std::atomic<std::uint64_t> state_{0};
  std::atomic<std::uint32_t> phase_{0};
};

struct Warp {
  Barrier barrier;
  // Shuffle k of a block goes through slots[k % 2], so one barrier per shuffle suffices: a lane
  // reaches shuffle k + 2 only after every lane has passed shuffle k + 1, so has read shuffle k.
  std::uint64_t slots[2][kWarpSize];
};

static_assert(alignof(std::max_align_t) >= 16, "dynamic shared memory is 16-byte aligned");

struct Block;
struct NextBlock {
  Block* block;
  void operator()() const noexcept;
};

// What the threads of a launch share.
struct Block {
  Block(unsigned thread_count, std::size_t shared_bytes)
      : threads(thread_count),
        warps(thread_count / kWarpSize),
        dynamic_shared((shared_bytes + sizeof(std::max_align_t) - 1) / sizeof(std::max_align_t)),
        end(thread_count, NextBlock{this}) {
    NextBlock{this}();
  }

  unsigned threads;
  Barrier sync;  // __syncthreads
  std::vector<Warp> warps;
  std::vector<std::max_align_t> dynamic_shared;
  std::barrier<NextBlock> end;  // every thread has finished the block
};

inline void NextBlock::operator()() const noexcept {
  block->sync.reset(block->threads);
  for (Warp& warp : block->warps)
    warp.barrier.reset(kWarpSize);
}

struct ThreadState {
  Block* block;
  Warp* warp;
  unsigned lane;
  unsigned shuffles;  // in this block, to pick the slots
};
inline thread_local ThreadState current{};

inline void* dynamic_shared_memory() { return current.block->dynamic_shared.data(); }

inline void run_thread(Block& block, unsigned id, dim3 grid, dim3 block_dim,
                       const std::function<void()>& kernel) {
  threadIdx = {id % block_dim.x, id / block_dim.x % block_dim.y, id / (block_dim.x * block_dim.y)};
  blockDim = block_dim;
  gridDim = grid;
  current = {&block, &block.warps[id / kWarpSize], id % kWarpSize, 0};
  const std::uint64_t blocks = std::uint64_t{grid.x} * grid.y * grid.z;
  for (std::uint64_t b = 0; b < blocks; ++b) {
    blockIdx = {static_cast<unsigned>(b % grid.x), static_cast<unsigned>(b / grid.x % grid.y),
                static_cast<unsigned>(b / grid.x / grid.y)};
    current.shuffles = 0;
    kernel();
    block.sync.leave();
    current.warp->barrier.leave();
    if (b + 1 < blocks) block.end.arrive_and_wait();  // after the last, the launch waits
  }
}

// CUDA's limits, plus whole warps only.
inline cudaError_t check_configuration(dim3 grid, dim3 block, std::size_t shared_bytes) {
  const std::uint64_t threads = std::uint64_t{block.x} * block.y * block.z;
  if (threads == 0 || threads > kMaxThreadsPerBlock || threads % kWarpSize != 0 || block.z > 64 ||
      grid.x == 0 || grid.x > 0x7fffffffu || grid.y == 0 || grid.y > 65535 || grid.z == 0 ||
      grid.z > 65535)
    return cudaErrorInvalidConfiguration;
  if (shared_bytes > kSharedMemPerBlock) return cudaErrorInvalidValue;
  return cudaSuccess;
}

// The threads that run the blocks, started on demand up to the largest block launched and kept
// for the life of the process. Worker `id` sleeps (std::atomic wait) until jobs_[id] moves past
// the jobs it has done, runs the job as thread `id` of the block, and counts itself out of
// running_. The pool outlives every launch, so the last worker may notify running_ after its
// launch has returned, and per-launch state (barriers, warps) stays in the launch's Block.
class Pool {
 public:
  // Stops and joins the workers at exit, so that no thread of the emulation outlives it (leak
  // checkers that run at exit cannot walk threads whose code lives in a dlopen'ed plugin).
  ~Pool() {
    stopping_.store(true, std::memory_order_relaxed);
    for (unsigned id = 0; id < workers_.size(); ++id) {
      jobs_[id].fetch_add(1, std::memory_order_release);
      jobs_[id].notify_one();
    }
    for (std::thread& worker : workers_)
      worker.join();
  }

  // Runs job(id) on workers 0 to threads - 1; returns once all have returned. The caller holds
  // launch_mutex: one job at a time.
  void run(unsigned threads, const std::function<void(unsigned)>& job) {
    while (workers_.size() < threads)
      workers_.emplace_back([this, id = static_cast<unsigned>(workers_.size())] { work(id); });
    job_ = &job;
    running_.store(threads, std::memory_order_relaxed);
    for (unsigned id = 0; id < threads; ++id) {
      jobs_[id].fetch_add(1, std::memory_order_release);
      jobs_[id].notify_one();
    }
    for (unsigned left; (left = running_.load(std::memory_order_acquire)) != 0;)
      running_.wait(left, std::memory_order_acquire);
  }

 private:
  void work(unsigned id) {
    for (std::uint32_t done = 0;; ++done) {
      jobs_[id].wait(done, std::memory_order_acquire);  // returns once handed job done + 1
      if (stopping_.load(std::memory_order_relaxed)) return;
      (*job_)(id);
      if (running_.fetch_sub(1, std::memory_order_acq_rel) == 1) running_.notify_one();
    }
  }

  std::vector<std::thread> workers_;
  const std::function<void(unsigned)>* job_ = nullptr;
  std::atomic<bool> stopping_{false};
  std::atomic<unsigned> running_{0};
  std::atomic<std::uint32_t> jobs_[kMaxThreadsPerBlock]{};  // handed to each worker so far
};

inline Pool& pool() {
  static Pool instance;
  return instance;
}

inline std::mutex launch_mutex;

// Runs `kernel` as a grid; a bad configuration is recorded for cudaGetLastError instead.
inline void run(dim3 grid, dim3 block, std::size_t shared_bytes,
                const std::function<void()>& kernel) {
  if (const cudaError_t error = check_configuration(grid, block, shared_bytes);
      error != cudaSuccess) {
    fail(error);
    return;
  }
  const std::lock_guard lock(launch_mutex);
  const unsigned threads = block.x * block.y * block.z;
  Block state(threads, shared_bytes);
  pool().run(threads, [&](unsigned id) { run_thread(state, id, grid, block, kernel); });
}

template <class... P, class... A>
void launch(void (*kernel)(P...), dim3 grid, dim3 block, std::size_t shared_bytes, cudaStream_t,
            A&&... args) {
  // Converted once to the parameter types; each thread calls the kernel with its own copies.
  const std::tuple<P...> params{std::forward<A>(args)...};
  run(grid, block, shared_bytes, [&] { std::apply(kernel, params); });
}

template <class T>
concept Shuffled = std::is_arithmetic_v<T> && sizeof(T) <= sizeof(std::uint64_t);

// Every lane of the warp publishes `value`; returns the value published by lane `source`.
template <Shuffled T> T exchange(T value, unsigned source) {
  std::uint64_t(&slots)[kWarpSize] = current.warp->slots[current.shuffles++ % 2];
  std::memcpy(&slots[current.lane], &value, sizeof(T));
  current.warp->barrier.arrive_and_wait();
  T result;
  std::memcpy(&result, &slots[source], sizeof(T));
  return result;
}

// The first lane of the caller's segment of `width` lanes (a power of two).
inline unsigned segment_start(int width) {
  return current.lane & ~(static_cast<unsigned>(width) - 1);
}

template <class T> T fetch_add(T* address, T value) {
  return std::atomic_ref<T>(*address).fetch_add(value, std::memory_order_relaxed);
}

template <class T> T compare_and_swap(T* address, T compare, T value) {
  std::atomic_ref<T>(*address).compare_exchange_strong(compare, value, std::memory_order_relaxed);
  return compare;  // the old value, whether or not it was replaced
}

// Replaces *address with value while better(value, *address); returns the old value.
template <class T, class Better> T store_if(T* address, T value, Better better) {
  std::atomic_ref<T> ref(*address);
  T old = ref.load(std::memory_order_relaxed);
  while (better(value, old) && !ref.compare_exchange_weak(old, value, std::memory_order_relaxed)) {
  }
  return old;
}

struct ErrorText {
  const char* name;
  const char* text;
};

inline ErrorText describe(cudaError_t error) {
  switch (error) {
    case cudaSuccess: return {"cudaSuccess", "no error"};
    case cudaErrorInvalidValue: return {"cudaErrorInvalidValue", "invalid argument"};
    case cudaErrorMemoryAllocation: return {"cudaErrorMemoryAllocation", "out of memory"};
    case cudaErrorInvalidConfiguration:
      return {"cudaErrorInvalidConfiguration", "invalid configuration argument"};
    case cudaErrorInsufficientDriver:
      return {"cudaErrorInsufficientDriver",
              "CUDA driver version is insufficient for CUDA runtime version"};
    case cudaErrorNoDevice: return {"cudaErrorNoDevice", "no CUDA-capable device is detected"};
    case cudaErrorInvalidDevice: return {"cudaErrorInvalidDevice", "invalid device ordinal"};
  }
  return {"unrecognized error code", "unrecognized error code"};
}

// The blocks handed out by cudaMalloc, so that cudaFree can refuse anything else.
struct Allocations {
  std::mutex mutex;
  std::unordered_set<void*> live;
};
inline Allocations allocations;

}  // namespace mt::cuda::emu

// ---- Device functions -------------------------------------------------------------------------

inline void __syncthreads() { mt::cuda::emu::current.block->sync.arrive_and_wait(); }
inline void __syncwarp(unsigned /*mask*/ = 0xffffffffu) {
  mt::cuda::emu::current.warp->barrier.arrive_and_wait();
}

// Widths are powers of two up to 32; a lane reads within its segment of `width` lanes.
template <mt::cuda::emu::Shuffled T>
T __shfl_sync(unsigned /*mask*/, T var, int src_lane, int width = warpSize) {
  using namespace mt::cuda::emu;
  return exchange(var, segment_start(width) +
                           (static_cast<unsigned>(src_lane) & (static_cast<unsigned>(width) - 1)));
}

template <mt::cuda::emu::Shuffled T>
T __shfl_up_sync(unsigned /*mask*/, T var, unsigned delta, int width = warpSize) {
  using namespace mt::cuda::emu;
  const unsigned lane = current.lane;
  return exchange(var, lane - segment_start(width) >= delta ? lane - delta : lane);
}

template <mt::cuda::emu::Shuffled T>
T __shfl_down_sync(unsigned /*mask*/, T var, unsigned delta, int width = warpSize) {
  using namespace mt::cuda::emu;
  const unsigned lane = current.lane;
  const unsigned end = segment_start(width) + static_cast<unsigned>(width);
  return exchange(var, lane + delta < end ? lane + delta : lane);
}

// As CUDA: a lane may read from an earlier segment, but reading from a later one yields its own.
template <mt::cuda::emu::Shuffled T>
T __shfl_xor_sync(unsigned /*mask*/, T var, int lane_mask, int width = warpSize) {
  using namespace mt::cuda::emu;
  const unsigned lane = current.lane;
  const unsigned source = lane ^ static_cast<unsigned>(lane_mask);
  const unsigned end = segment_start(width) + static_cast<unsigned>(width);
  return exchange(var, source < end ? source : lane);
}

inline float atomicAdd(float* address, float value) {
  return mt::cuda::emu::fetch_add(address, value);
}
inline double atomicAdd(double* address, double value) {
  return mt::cuda::emu::fetch_add(address, value);
}
inline int atomicAdd(int* address, int value) { return mt::cuda::emu::fetch_add(address, value); }
inline unsigned atomicAdd(unsigned* address, unsigned value) {
  return mt::cuda::emu::fetch_add(address, value);
}
inline unsigned long long atomicAdd(unsigned long long* address, unsigned long long value) {
  return mt::cuda::emu::fetch_add(address, value);
}
inline int atomicMax(int* address, int value) {
  return mt::cuda::emu::store_if(address, value, [](int v, int old) { return v > old; });
}
inline int atomicMin(int* address, int value) {
  return mt::cuda::emu::store_if(address, value, [](int v, int old) { return v < old; });
}
inline int atomicCAS(int* address, int compare, int value) {
  return mt::cuda::emu::compare_and_swap(address, compare, value);
}
inline unsigned long long atomicCAS(unsigned long long* address, unsigned long long compare,
                                    unsigned long long value) {
  return mt::cuda::emu::compare_and_swap(address, compare, value);
}

// ---- Runtime API ------------------------------------------------------------------------------

inline const char* cudaGetErrorName(cudaError_t error) {
  return mt::cuda::emu::describe(error).name;
}
inline const char* cudaGetErrorString(cudaError_t error) {
  return mt::cuda::emu::describe(error).text;
}
// The last failure of a runtime call or launch on this thread; Get also resets it.
inline cudaError_t cudaGetLastError() {
  return std::exchange(mt::cuda::emu::last_error, cudaSuccess);
}
inline cudaError_t cudaPeekAtLastError() { return mt::cuda::emu::last_error; }

inline cudaError_t cudaGetDeviceCount(int* count) {
  if (count == nullptr) return mt::cuda::emu::fail(cudaErrorInvalidValue);
  *count = 1;
  return cudaSuccess;
}
inline cudaError_t cudaSetDevice(int device) {
  return device == 0 ? cudaSuccess : mt::cuda::emu::fail(cudaErrorInvalidDevice);
}
inline cudaError_t cudaGetDevice(int* device) {
  if (device == nullptr) return mt::cuda::emu::fail(cudaErrorInvalidValue);
  *device = 0;
  return cudaSuccess;
}
inline cudaError_t cudaDeviceSynchronize() { return cudaSuccess; }

inline cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int device) {
  using namespace mt::cuda::emu;
  if (prop == nullptr) return fail(cudaErrorInvalidValue);
  if (device != 0) return fail(cudaErrorInvalidDevice);
  *prop = {};
  std::snprintf(prop->name, sizeof prop->name, "%s", "minitensor CUDA emulation on host threads");
  prop->major = 8;
  prop->minor = 0;
  prop->multiProcessorCount = 4;
  prop->totalGlobalMem = kGlobalMemory;
  prop->sharedMemPerBlock = kSharedMemPerBlock;
  prop->maxThreadsPerBlock = static_cast<int>(kMaxThreadsPerBlock);
  prop->warpSize = static_cast<int>(kWarpSize);
  return cudaSuccess;
}

// CUDA 13.0, as the toolkit this project builds with.
inline cudaError_t cudaDriverGetVersion(int* version) {
  if (version == nullptr) return mt::cuda::emu::fail(cudaErrorInvalidValue);
  *version = 13000;
  return cudaSuccess;
}
inline cudaError_t cudaRuntimeGetVersion(int* version) { return cudaDriverGetVersion(version); }

inline cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned flags) {
  using namespace mt::cuda::emu;
  if (stream == nullptr || flags > cudaStreamNonBlocking) return fail(cudaErrorInvalidValue);
  cudaStream_t created = new (std::nothrow) CUstream_st{flags};
  if (created == nullptr) return fail(cudaErrorMemoryAllocation);
  *stream = created;
  return cudaSuccess;
}
inline cudaError_t cudaStreamCreate(cudaStream_t* stream) {
  return cudaStreamCreateWithFlags(stream, cudaStreamDefault);
}
inline cudaError_t cudaStreamDestroy(cudaStream_t stream) {
  delete stream;
  return cudaSuccess;
}
inline cudaError_t cudaStreamSynchronize(cudaStream_t) { return cudaSuccess; }

// Device memory is host memory, aligned as cudaMalloc's.
inline cudaError_t cudaMalloc(void** pointer, std::size_t size) {
  using namespace mt::cuda::emu;
  if (pointer == nullptr) return fail(cudaErrorInvalidValue);
  if (size == 0) {
    *pointer = nullptr;
    return cudaSuccess;
  }
  if (size > kGlobalMemory) return fail(cudaErrorMemoryAllocation);
  void* block = ::operator new (size, std::align_val_t{kAllocationAlignment}, std::nothrow);
  if (block == nullptr) return fail(cudaErrorMemoryAllocation);
  const std::lock_guard lock(allocations.mutex);
  allocations.live.insert(block);
  *pointer = block;
  return cudaSuccess;
}
template <class T> cudaError_t cudaMalloc(T** pointer, std::size_t size) {
  return cudaMalloc(reinterpret_cast<void**>(pointer), size);
}

inline cudaError_t cudaFree(void* pointer) {
  using namespace mt::cuda::emu;
  if (pointer == nullptr) return cudaSuccess;
  const std::lock_guard lock(allocations.mutex);
  const auto found = allocations.live.find(pointer);
  if (found == allocations.live.end()) return fail(cudaErrorInvalidValue);
  ::operator delete (*found, std::align_val_t{kAllocationAlignment});
  allocations.live.erase(found);
  return cudaSuccess;
}

inline cudaError_t cudaMemcpy(void* dst, const void* src, std::size_t count, cudaMemcpyKind kind) {
  if (kind < cudaMemcpyHostToHost || kind > cudaMemcpyDefault ||
      (count != 0 && (dst == nullptr || src == nullptr)))
    return mt::cuda::emu::fail(cudaErrorInvalidValue);
  if (count != 0) std::memcpy(dst, src, count);
  return cudaSuccess;
}
inline cudaError_t cudaMemcpyAsync(void* dst, const void* src, std::size_t count,
                                   cudaMemcpyKind kind, cudaStream_t = nullptr) {
  return cudaMemcpy(dst, src, count, kind);
}
// Emulated device memory is the blocks from cudaMalloc; all other host memory counts as
// pageable (the emulation has no page-locked memory).
enum cudaMemoryType {
  cudaMemoryTypeUnregistered = 0,
  cudaMemoryTypeHost = 1,
  cudaMemoryTypeDevice = 2,
  cudaMemoryTypeManaged = 3
};
struct cudaPointerAttributes {
  cudaMemoryType type;
  int device;
  void* devicePointer;
  void* hostPointer;
};
inline cudaError_t cudaPointerGetAttributes(cudaPointerAttributes* attributes, const void* ptr) {
  using namespace mt::cuda::emu;
  if (attributes == nullptr) return fail(cudaErrorInvalidValue);
  const std::lock_guard lock(allocations.mutex);
  const bool device = allocations.live.count(const_cast<void*>(ptr)) != 0;
  *attributes = {device ? cudaMemoryTypeDevice : cudaMemoryTypeUnregistered, 0,
                 device ? const_cast<void*>(ptr) : nullptr,
                 device ? nullptr : const_cast<void*>(ptr)};
  return cudaSuccess;
}
inline cudaError_t cudaMemsetAsync(void* pointer, int value, std::size_t count,
                                   cudaStream_t = nullptr) {
  if (count == 0) return cudaSuccess;
  if (pointer == nullptr) return mt::cuda::emu::fail(cudaErrorInvalidValue);
  std::memset(pointer, value, count);
  return cudaSuccess;
}
