// The CUDA plugin's own logic without a GPU: the caching allocator (over a fake device and over
// the emulation), the mapping of strided matmuls onto cuBLAS's strided batched GEMM (checked
// against a host GEMM with cuBLAS's semantics), and the entry table of the emulated plugin.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "backend/cuda/plugin/caching_allocator.hpp"
#include "backend/cuda/plugin/gemm_layout.hpp"
#include "backend/cuda/plugin_abi.h"

namespace mt::cuda {
namespace {

// ---------------------------------------------------------------------------------------------
// Caching allocator

TEST(CudaPluginSizeClass, SmallRoundsTo512BytesLargeTo2MiB) {
  constexpr int64_t kMiB = int64_t{1} << 20;
  EXPECT_EQ(size_class(0), 512);
  EXPECT_EQ(size_class(1), 512);
  EXPECT_EQ(size_class(512), 512);
  EXPECT_EQ(size_class(513), 1024);
  EXPECT_EQ(size_class(kMiB), kMiB);
  EXPECT_EQ(size_class(kMiB + 1), 2 * kMiB);
  EXPECT_EQ(size_class(3 * kMiB), 4 * kMiB);
  EXPECT_EQ(size_class(4 * kMiB), 4 * kMiB);
}

TEST(CudaPluginSizeClass, RejectsNegativeAndHugeSizes) {
  try {
    size_class(-1);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
  }
  try {
    size_class(INT64_MAX - 10);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::OutOfMemory);
  }
}

// A device with `capacity` bytes that counts its calls; host memory stands for device memory.
struct FakeDevice {
  static inline int64_t capacity = 0;
  static inline int64_t used = 0;
  static inline int mallocs = 0;
  static inline int frees = 0;
  static inline std::vector<std::pair<void*, int64_t>> blocks;

  static void reset(int64_t bytes) {
    capacity = bytes;
    used = 0;
    mallocs = frees = 0;
    blocks.clear();
  }
  static cudaError_t allocate(void** data, std::size_t nbytes) {
    ++mallocs;
    if (used + static_cast<int64_t>(nbytes) > capacity) return cudaErrorMemoryAllocation;
    *data = ::operator new(nbytes);
    used += static_cast<int64_t>(nbytes);
    blocks.emplace_back(*data, static_cast<int64_t>(nbytes));
    return cudaSuccess;
  }
  static cudaError_t free(void* data) {
    ++frees;
    const auto found = std::find_if(blocks.begin(), blocks.end(),
                                    [&](const auto& block) { return block.first == data; });
    if (found == blocks.end()) return cudaErrorInvalidValue;
    used -= found->second;
    blocks.erase(found);
    ::operator delete(data);
    return cudaSuccess;
  }
};

constexpr RawDeviceMemory kFake = {FakeDevice::allocate, FakeDevice::free};

void expect_stats(const CachingAllocator& allocator, int64_t in_use, int64_t cached) {
  const MemoryStats stats = allocator.stats();
  EXPECT_EQ(stats.in_use, in_use);
  EXPECT_EQ(stats.cached, cached);
}

TEST(CudaPluginAllocator, ReusesAReleasedBlockOfTheSameClass) {
  FakeDevice::reset(1 << 20);
  CachingAllocator allocator(kFake);
  void* first = allocator.allocate(1000);
  expect_stats(allocator, 1024, 0);
  allocator.release(first);
  expect_stats(allocator, 0, 1024);
  EXPECT_EQ(allocator.allocate(600), first);  // 600 and 1000 bytes are both in class 1024
  EXPECT_EQ(FakeDevice::mallocs, 1);
  void* other = allocator.allocate(2000);  // class 2048: a new block
  EXPECT_NE(other, first);
  EXPECT_EQ(FakeDevice::mallocs, 2);
  expect_stats(allocator, 1024 + 2048, 0);
  allocator.release(first);
  allocator.release(other);
  allocator.empty_cache();
  EXPECT_EQ(FakeDevice::frees, 2);
  EXPECT_EQ(FakeDevice::used, 0);
  expect_stats(allocator, 0, 0);
}

TEST(CudaPluginAllocator, IgnoresForeignAndRepeatedReleases) {
  FakeDevice::reset(1 << 20);
  CachingAllocator allocator(kFake);
  void* data = allocator.allocate(100);
  allocator.release(data);
  allocator.release(data);
  int foreign = 0;
  allocator.release(&foreign);
  allocator.release(nullptr);
  expect_stats(allocator, 0, 512);
  // A block released twice is cached once: two allocations get two blocks.
  void* first = allocator.allocate(100);
  void* second = allocator.allocate(100);
  EXPECT_NE(first, second);
  allocator.release(first);
  allocator.release(second);
  allocator.empty_cache();
  EXPECT_EQ(FakeDevice::used, 0);
}

TEST(CudaPluginAllocator, EmptiesTheCacheAndRetriesWhenTheDeviceIsFull) {
  FakeDevice::reset(4096);
  CachingAllocator allocator(kFake);
  void* small = allocator.allocate(2048);
  allocator.release(small);
  void* big = allocator.allocate(3000);  // 2048 cached + 3072 > 4096: the cache must go
  EXPECT_NE(big, nullptr);
  EXPECT_EQ(FakeDevice::mallocs, 3);
  EXPECT_EQ(FakeDevice::frees, 1);
  expect_stats(allocator, 3072, 0);
  allocator.release(big);
  allocator.empty_cache();
}

TEST(CudaPluginAllocator, OutOfMemoryNamesTheSizeAndTheBytesHeld) {
  FakeDevice::reset(4096);
  CachingAllocator allocator(kFake);
  void* held = allocator.allocate(1024);
  allocator.release(allocator.allocate(512));
  try {
    allocator.allocate(4000);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::OutOfMemory);
    const std::string text = e.what();
    EXPECT_NE(text.find("cudaMalloc of 4096 bytes (for 4000)"), std::string::npos) << text;
    EXPECT_NE(text.find("1024 bytes in use and 512 bytes cached"), std::string::npos) << text;
    EXPECT_NE(text.find("cudaErrorMemoryAllocation"), std::string::npos) << text;
  }
  EXPECT_EQ(FakeDevice::frees, 1);  // the cached block went before the second try
  expect_stats(allocator, 1024, 0);
  allocator.release(held);
  allocator.empty_cache();
}

TEST(CudaPluginAllocator, IsSafeFromManyThreadsOnTheEmulatedDevice) {
  CachingAllocator allocator;  // cudaMalloc and cudaFree of the emulation
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&allocator, t] {
      for (int i = 0; i < 500; ++i) {
        auto* data = static_cast<unsigned char*>(allocator.allocate(64 * (1 + (i + t) % 5)));
        data[0] = static_cast<unsigned char>(t);  // emulated device memory is host memory
        allocator.release(data);
      }
    });
  for (auto& thread : threads)
    thread.join();
  const MemoryStats stats = allocator.stats();
  EXPECT_EQ(stats.in_use, 0);
  EXPECT_LE(stats.cached, 4 * 512);  // every request is in class 512; at most one per thread
  allocator.empty_cache();
  expect_stats(allocator, 0, 0);
}

// ---------------------------------------------------------------------------------------------
// matmul on cuBLAS: the layout mapping

// A view over `storage` (doubles holding small integers, so that sums are exact) with `shape`
// and storage order `order` (dims from the outermost to the innermost in memory); `pad` extra
// elements after each run of the innermost dim. Size-1 dims in `broadcast` get stride 0.
mt_cuda_view make_view(std::vector<double>& storage, std::vector<int64_t> shape,
                       std::vector<int> order, int64_t pad = 0, std::vector<int> broadcast = {}) {
  mt_cuda_view view{};
  view.dtype = 1;
  view.rank = static_cast<int32_t>(shape.size());
  std::copy(shape.begin(), shape.end(), view.shape);
  int64_t stride = 1;
  for (size_t i = order.size(); i-- > 0;) {
    view.strides[order[i]] = stride;
    stride *= shape[order[i]] + (i + 1 == order.size() ? pad : 0);
  }
  for (int d : broadcast)
    view.strides[d] = 0;
  storage.assign(static_cast<size_t>(stride), 0.0);
  for (size_t i = 0; i < storage.size(); ++i)
    storage[i] = static_cast<double>(static_cast<int>(i * 7 % 11) - 5);
  view.data = storage.data();
  return view;
}

int64_t offset(const mt_cuda_view& view, const std::vector<int64_t>& index) {
  int64_t at = 0;
  for (int d = 0; d < view.rank; ++d)
    at += (view.shape[d] == 1 ? 0 : index[d]) * view.strides[d];
  return at;
}

// out = a b by the definition, over the views' strides.
std::vector<double> reference_matmul(const mt_cuda_view& a, const mt_cuda_view& b,
                                     const mt_cuda_view& out) {
  const int r = out.rank;
  const int64_t numel = std::accumulate(out.shape, out.shape + r, int64_t{1},
                                        [](int64_t x, int64_t y) { return x * y; });
  std::vector<double> result(static_cast<size_t>(numel));
  std::vector<int64_t> index(r, 0);
  for (int64_t i = 0; i < numel; ++i) {
    int64_t rest = i;
    for (int d = r - 1; d >= 0; --d) {
      index[d] = rest % out.shape[d];
      rest /= out.shape[d];
    }
    double sum = 0;
    std::vector<int64_t> ia = index, ib = index;
    for (int64_t k = 0; k < a.shape[r - 1]; ++k) {
      ia[r - 1] = k;
      ib[r - 2] = k;
      sum += static_cast<const double*>(a.data)[offset(a, ia)] *
             static_cast<const double*>(b.data)[offset(b, ib)];
    }
    result[static_cast<size_t>(i)] = sum;
  }
  return result;
}

// cuBLAS's strided batched GEMM by its definition: column-major, op(X) = X or X^T.
void host_gemm(const StridedGemm& g) {
  const auto element = [](const GemmOperand& x, int64_t p, int64_t i, int64_t j) {
    const auto* data = static_cast<const double*>(x.data) + p * x.batch_stride;
    return x.transpose ? data[j + i * x.ld] : data[i + j * x.ld];
  };
  for (int64_t p = 0; p < g.batch; ++p)
    for (int64_t i = 0; i < g.m; ++i)
      for (int64_t j = 0; j < g.n; ++j) {
        double sum = 0;
        for (int64_t l = 0; l < g.k; ++l)
          sum += element(g.a, p, i, l) * element(g.b, p, l, j);
        static_cast<double*>(g.c)[p * g.c_batch_stride + i + j * g.ldc] = sum;
      }
}

// Reads out's elements in row-major order.
std::vector<double> elements(const mt_cuda_view& out) {
  std::vector<double> values;
  const int r = out.rank;
  std::vector<int64_t> index(r, 0);
  const int64_t numel = std::accumulate(out.shape, out.shape + r, int64_t{1},
                                        [](int64_t x, int64_t y) { return x * y; });
  for (int64_t i = 0; i < numel; ++i) {
    int64_t rest = i;
    for (int d = r - 1; d >= 0; --d) {
      index[d] = rest % out.shape[d];
      rest /= out.shape[d];
    }
    values.push_back(static_cast<const double*>(out.data)[offset(out, index)]);
  }
  return values;
}

struct Layout {
  std::vector<int64_t> shape;
  std::vector<int> order;
  int64_t pad = 0;
  std::vector<int> broadcast = {};
};

// Maps a b -> out onto a GEMM; when it does, runs it with cuBLAS's semantics and compares.
std::optional<StridedGemm> check_gemm(const Layout& la, const Layout& lb, const Layout& lo) {
  std::vector<double> sa, sb, so;
  const mt_cuda_view a = make_view(sa, la.shape, la.order, la.pad, la.broadcast);
  const mt_cuda_view b = make_view(sb, lb.shape, lb.order, lb.pad, lb.broadcast);
  const mt_cuda_view out = make_view(so, lo.shape, lo.order, lo.pad);
  const std::optional<StridedGemm> gemm = strided_gemm(a, b, out);
  if (gemm) {
    host_gemm(*gemm);
    EXPECT_EQ(elements(out), reference_matmul(a, b, out));
  }
  return gemm;
}

const std::vector<int> kRowMajor3 = {0, 1, 2}, kColMajor3 = {0, 2, 1};

TEST(CudaPluginGemmLayout, EveryMixOfRowAndColumnMajorMaps) {
  for (const auto& oa : {kRowMajor3, kColMajor3})
    for (const auto& ob : {kRowMajor3, kColMajor3})
      for (const auto& oo : {kRowMajor3, kColMajor3})
        for (int64_t pad : {0, 3}) {
          SCOPED_TRACE(testing::Message() << "a " << oa[1] << oa[2] << " b " << ob[1] << ob[2]
                                          << " out " << oo[1] << oo[2] << " pad " << pad);
          EXPECT_TRUE(check_gemm({{2, 3, 5}, oa, pad}, {{2, 5, 4}, ob, pad}, {{2, 3, 4}, oo, pad}));
        }
}

TEST(CudaPluginGemmLayout, BatchBroadcastAndMatricesInTheBatchMap) {
  // a's batch dim broadcasts (size 1, and stride 0 at size 2)
  const auto g =
      check_gemm({{1, 3, 5}, kRowMajor3}, {{2, 5, 4}, kRowMajor3}, {{2, 3, 4}, kRowMajor3});
  ASSERT_TRUE(g);
  EXPECT_EQ(g->batch, 2);
  EXPECT_TRUE(check_gemm({{2, 3, 5}, kRowMajor3, 0, {0}}, {{2, 5, 4}, kColMajor3},
                         {{2, 3, 4}, kRowMajor3}));
  // two batch dims that flatten into one stride
  EXPECT_TRUE(check_gemm({{2, 3, 4, 5}, {0, 1, 2, 3}}, {{2, 3, 5, 2}, {0, 1, 3, 2}},
                         {{2, 3, 4, 2}, {0, 1, 2, 3}}));
  // batch stored inside the matrix (out[b, i, j] at i * 2N + b * N + j)
  EXPECT_TRUE(check_gemm({{2, 3, 5}, kRowMajor3}, {{2, 5, 4}, kRowMajor3}, {{2, 3, 4}, {1, 0, 2}}));
}

TEST(CudaPluginGemmLayout, VectorsMapWhateverTheirOtherStride) {
  EXPECT_TRUE(
      check_gemm({{2, 1, 5}, kColMajor3}, {{2, 5, 4}, kRowMajor3}, {{2, 1, 4}, kColMajor3}));
  EXPECT_TRUE(
      check_gemm({{2, 3, 5}, kRowMajor3}, {{2, 5, 1}, kRowMajor3, 2}, {{2, 3, 1}, kColMajor3, 1}));
  EXPECT_TRUE(
      check_gemm({{1, 1, 1}, kRowMajor3}, {{1, 1, 1}, kRowMajor3}, {{1, 1, 1}, kRowMajor3}));
}

TEST(CudaPluginGemmLayout, OtherLayoutsAreLeftToTheKernel) {
  // batch dims in the "wrong" order: offsets are not a multiple of one stride
  EXPECT_FALSE(check_gemm({{2, 3, 4, 5}, {1, 0, 2, 3}}, {{2, 3, 5, 2}, {0, 1, 2, 3}},
                          {{2, 3, 4, 2}, {0, 1, 2, 3}}));
  // a broadcast matrix dim (stride 0 inside the matrix)
  EXPECT_FALSE(check_gemm({{2, 3, 5}, kRowMajor3, 0, {1}}, {{2, 5, 4}, kRowMajor3},
                          {{2, 3, 4}, kRowMajor3}));
  // one batch dim broadcast, the other not: strides 0 and M*K
  EXPECT_FALSE(check_gemm({{2, 3, 4, 5}, {0, 1, 2, 3}, 0, {0}}, {{2, 3, 5, 2}, {0, 1, 2, 3}},
                          {{2, 3, 4, 2}, {0, 1, 2, 3}}));
  // empty products
  EXPECT_FALSE(
      check_gemm({{2, 3, 0}, kRowMajor3}, {{2, 0, 4}, kRowMajor3}, {{2, 3, 4}, kRowMajor3}));
  EXPECT_FALSE(
      check_gemm({{0, 3, 5}, kRowMajor3}, {{0, 5, 4}, kRowMajor3}, {{0, 3, 4}, kRowMajor3}));
}

TEST(CudaPluginGemmLayout, ElementStridesOtherThanOneAreLeftToTheKernel) {
  std::vector<double> sa, sb, so;
  mt_cuda_view a = make_view(sa, {3, 10}, {0, 1});
  a.shape[1] = 5;
  a.strides[1] = 2;  // every other column
  const mt_cuda_view b = make_view(sb, {5, 4}, {0, 1});
  const mt_cuda_view out = make_view(so, {3, 4}, {0, 1});
  EXPECT_FALSE(strided_gemm(a, b, out));
}

// ---------------------------------------------------------------------------------------------
// The emulated plugin's entry table

class CudaPluginEntry : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    handle_ = dlopen(MT_CUDA_EMU_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(handle_, nullptr) << dlerror();
    const auto entry =
        reinterpret_cast<mt_cuda_plugin_entry_fn>(dlsym(handle_, MT_CUDA_PLUGIN_ENTRY));
    ASSERT_NE(entry, nullptr);
    plugin_ = entry();
  }
  static inline void* handle_ = nullptr;
  static inline const mt_cuda_plugin* plugin_ = nullptr;

  const mt_cuda_plugin& p() const { return *plugin_; }
  std::string error() const { return p().last_error(); }
};

mt_cuda_view float_view(void* data, std::initializer_list<int64_t> shape) {
  mt_cuda_view view{};
  view.data = data;
  view.dtype = 0;
  view.rank = static_cast<int32_t>(shape.size());
  std::copy(shape.begin(), shape.end(), view.shape);
  int64_t stride = 1;
  for (int d = view.rank - 1; d >= 0; --d) {
    view.strides[d] = stride;
    stride *= view.shape[d];
  }
  return view;
}

TEST_F(CudaPluginEntry, FindsTheEmulatedDevice) {
  int32_t count = 0;
  EXPECT_EQ(p().abi_version, MT_CUDA_PLUGIN_ABI_VERSION);
  ASSERT_EQ(p().init(&count), 0) << error();
  EXPECT_EQ(count, 1);
  EXPECT_NE(std::string(p().device_name(0)).find("emulation"), std::string::npos);
  EXPECT_STREQ(p().device_name(1), "");
}

TEST_F(CudaPluginEntry, AllocatesCopiesAndRunsAKernel) {
  void* data = nullptr;
  ASSERT_EQ(p().allocate(0, 6 * sizeof(float), &data), 0) << error();
  void* out = nullptr;
  ASSERT_EQ(p().allocate(0, 6 * sizeof(float), &out), 0) << error();
  int64_t in_use = 0, cached = -1;
  ASSERT_EQ(p().memory_stats(0, &in_use, &cached), 0);
  EXPECT_GE(in_use, 1024);

  const float host[6] = {1, -2, 3, -4, 5, -6};
  ASSERT_EQ(p().copy_to_device(0, data, host, sizeof host), 0) << error();
  const mt_cuda_view in = float_view(data, {2, 3}), o = float_view(out, {2, 3});
  ASSERT_EQ(p().map(0, /*Neg*/ 0, &in, &o), 0) << error();
  float back[6] = {};
  ASSERT_EQ(p().copy_to_host(0, back, out, sizeof back), 0) << error();
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(back[i], -host[i]);

  const mt_cuda_view row = float_view(data, {3}), col = float_view(data, {2, 1});
  ASSERT_EQ(p().zip(0, /*Add*/ 0, &row, &col, &o), 0) << error();  // broadcasts
  ASSERT_EQ(p().synchronize(0), 0) << error();
  const float sums[6] = {2, -1, 4, -1, -4, 1};  // row[j] + col[i]
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(static_cast<const float*>(out)[i], sums[i]);  // emulated device memory is host's

  p().release(0, data, 6 * sizeof(float));
  p().release(0, out, 6 * sizeof(float));
  ASSERT_EQ(p().memory_stats(0, &in_use, &cached), 0);
  EXPECT_EQ(in_use, 0);
  EXPECT_GE(cached, 1024);
  ASSERT_EQ(p().empty_cache(0), 0) << error();
  ASSERT_EQ(p().memory_stats(0, &in_use, &cached), 0);
  EXPECT_EQ(cached, 0);
}

TEST_F(CudaPluginEntry, RefusesBadArgumentsWithAMessage) {
  const auto invalid = static_cast<int32_t>(ErrorCode::InvalidArgument);
  void* data = nullptr;
  EXPECT_EQ(p().allocate(3, 16, &data), invalid);
  EXPECT_EQ(error(), "allocate on cuda:3: no CUDA device 3 (1 device)");
  EXPECT_EQ(data, nullptr);

  float x[6] = {};
  const mt_cuda_view a = float_view(x, {2, 3}), b = float_view(x, {4}), o = float_view(x, {2, 3});
  EXPECT_EQ(p().zip(0, 0, &a, &b, &o), invalid);
  EXPECT_EQ(error(), "zip on cuda:0: b [4] float32 does not broadcast to out [2, 3] float32");
  EXPECT_EQ(p().map(0, 99, &a, &o), invalid);
  EXPECT_EQ(error(), "map on cuda:0: unknown unary op 99");
  EXPECT_EQ(p().map(0, 0, nullptr, &o), invalid);
  EXPECT_EQ(error(), "map on cuda:0: in is null");
  mt_cuda_view deep = a;
  deep.rank = 17;
  EXPECT_EQ(p().map(0, 0, &deep, &o), invalid);
  EXPECT_EQ(error(), "map on cuda:0: in has rank 17, not 0..16");
  mt_cuda_view f64 = a;
  f64.dtype = 1;
  EXPECT_EQ(p().map(0, 0, &f64, &o), invalid);
  EXPECT_EQ(error(), "map on cuda:0: in is float64, out float32");
  double y[6] = {1, 2, 3, 4, 5, 6};
  f64.data = y;  // its own float64 memory: copy reads 48 bytes, and never its own output
  EXPECT_EQ(p().copy(0, &f64, &o), 0) << error();  // copy converts
  EXPECT_EQ(x[5], 6.0f);
  f64.dtype = 7;
  EXPECT_EQ(p().copy(0, &f64, &o), invalid);
  EXPECT_EQ(error(), "copy on cuda:0: src has an unknown dtype 7");
  const mt_cuda_view m = float_view(x, {2, 3});
  EXPECT_EQ(p().matmul(0, &m, &m, &o), invalid);
  EXPECT_EQ(error(),
            "matmul on cuda:0: a [2, 3] float32 times b [2, 3] float32 does not give out "
            "[2, 3] float32");

  EXPECT_EQ(p().map(0, 0, &a, &o), 0);
  EXPECT_EQ(error(), "");  // a call that succeeds clears the text
}

TEST_F(CudaPluginEntry, HasNoCublas) {
  EXPECT_EQ(p().set_matmul(MT_CUDA_MATMUL_CUBLAS), static_cast<int32_t>(ErrorCode::Unsupported));
  EXPECT_EQ(error(), "set_matmul: cuBLAS is not available in the CUDA emulation");
  EXPECT_EQ(p().get_matmul(), MT_CUDA_MATMUL_KERNEL);
  EXPECT_EQ(p().set_matmul(5), static_cast<int32_t>(ErrorCode::InvalidArgument));
  EXPECT_EQ(p().set_matmul(MT_CUDA_MATMUL_KERNEL), 0);
}

}  // namespace
}  // namespace mt::cuda
