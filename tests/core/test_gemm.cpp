// cpu_par::gemm_batched against a triple loop in double, on sizes around every block boundary
// of the kernels (mr 6, nr 4..32, mc 48/72, kc 256/512, nc 2048/4096), on row-major, transposed,
// gapped and broadcast (0-stride) layouts and broadcast batch offsets; and bitwise equality of
// the results for 1, 2 and 3 threads.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "backend/cpu_par/gemm.hpp"
#include "backend/cpu_par/parallel.hpp"
#include "test_support.hpp"

namespace mt::test {
namespace {

using cpu_par::gemm_batched;

constexpr int64_t kSizes[] = {0,   1,   2,   3,   4,   5,   6,   7,   8,   9,   12,  13,  15,  16,
                              17,  23,  31,  32,  33,  47,  48,  49,  64,  71,  72,  73,  97,  143,
                              144, 145, 150, 191, 200, 255, 256, 257, 263, 289, 300, 383, 384, 385};

enum class Layout { kRowMajor, kColMajor, kGapped, kBroadcastRows, kBroadcastCols };
constexpr Layout kLayouts[] = {Layout::kRowMajor, Layout::kColMajor, Layout::kGapped,
                               Layout::kBroadcastRows, Layout::kBroadcastCols};

const char* layout_name(Layout layout) {
  switch (layout) {
    case Layout::kRowMajor: return "row-major";
    case Layout::kColMajor: return "col-major";
    case Layout::kGapped: return "gapped";
    case Layout::kBroadcastRows: return "broadcast-rows";
    case Layout::kBroadcastCols: return "broadcast-cols";
  }
  return "?";
}

// One operand of the batch: a rows x cols matrix per item inside a shared storage vector.
template <class T> struct Operand {
  int64_t rows = 0, cols = 0, rs = 0, cs = 0;
  std::vector<int64_t> offsets;
  std::vector<T> storage;

  T at(int64_t item, int64_t i, int64_t j) const {
    return storage[offsets[item] + i * rs + j * cs];
  }
};

// Strides for `layout`; gapped ones have padding between rows and between elements.
template <class T> void set_strides(Operand<T>& x, Layout layout, Rng& rng) {
  switch (layout) {
    case Layout::kRowMajor: x.rs = x.cols, x.cs = 1; break;
    case Layout::kColMajor: x.rs = 1, x.cs = x.rows; break;
    case Layout::kGapped:
      if (chance(rng, 0.5)) {
        x.cs = uniform_int(rng, 2, 3);
        x.rs = x.cols * x.cs + uniform_int(rng, 1, 5);
      } else {
        x.rs = uniform_int(rng, 2, 3);
        x.cs = x.rows * x.rs + uniform_int(rng, 1, 5);
      }
      break;
    case Layout::kBroadcastRows: x.rs = 0, x.cs = 1; break;
    case Layout::kBroadcastCols: x.rs = 1, x.cs = 0; break;
  }
}

int64_t span(int64_t rows, int64_t cols, int64_t rs, int64_t cs) {
  if (rows == 0 || cols == 0) return 0;
  return (rows - 1) * rs + (cols - 1) * cs + 1;
}

// Items get distinct storage, or (broadcast batch dims) some items repeat an earlier offset.
template <class T>
Operand<T> make_input(Rng& rng, int64_t batch, int64_t rows, int64_t cols, Layout layout,
                      bool repeat_offsets) {
  Operand<T> x;
  x.rows = rows, x.cols = cols;
  set_strides(x, layout, rng);
  const int64_t item_span = span(rows, cols, x.rs, x.cs) + uniform_int(rng, 0, 3);
  int64_t distinct = 0;
  for (int64_t item = 0; item < batch; ++item) {
    if (item > 0 && repeat_offsets && chance(rng, 0.6))
      x.offsets.push_back(x.offsets[uniform_int(rng, 0, item - 1)]);
    else
      x.offsets.push_back(distinct++ * item_span + uniform_int(rng, 0, 2));
  }
  x.storage.resize(distinct * item_span + 3);
  for (T& value : x.storage)
    value = static_cast<T>(uniform_real(rng, -1, 1));
  return x;
}

constexpr double kSentinel = 12345.0;

template <class T> Operand<T> make_output(Rng& rng, int64_t batch, int64_t rows, int64_t cols) {
  Operand<T> x;
  x.rows = rows, x.cols = cols;
  set_strides(x, kLayouts[uniform_int(rng, 0, 2)], rng);  // no 0 strides: C items are distinct
  const int64_t item_span = span(rows, cols, x.rs, x.cs) + uniform_int(rng, 0, 3);
  for (int64_t item = 0; item < batch; ++item)
    x.offsets.push_back(item * item_span);
  x.storage.assign(batch * item_span + 2, static_cast<T>(kSentinel));
  return x;
}

template <class T> void run(const Operand<T>& a, const Operand<T>& b, Operand<T>& c) {
  gemm_batched<T>(static_cast<int64_t>(c.offsets.size()), a.rows, b.cols, a.cols, a.storage.data(),
                  a.offsets.data(), a.rs, a.cs, b.storage.data(), b.offsets.data(), b.rs, b.cs,
                  c.storage.data(), c.offsets.data(), c.rs, c.cs);
}

// Every C element against a sum in double, with a bound of k rounding errors relative to
// sum |a * b|; every storage element outside C keeps its sentinel.
template <class T>
::testing::AssertionResult matches_naive(const Operand<T>& a, const Operand<T>& b,
                                         const Operand<T>& c) {
  const int64_t batch = c.offsets.size(), m = a.rows, n = b.cols, k = a.cols;
  std::vector<bool> inside(c.storage.size(), false);
  const double eps = std::numeric_limits<T>::epsilon();
  int failures = 0;
  ::testing::AssertionResult result = ::testing::AssertionSuccess();
  for (int64_t item = 0; item < batch; ++item) {
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        double sum = 0, scale = 0;
        for (int64_t p = 0; p < k; ++p) {
          const double product = static_cast<double>(a.at(item, i, p)) * b.at(item, p, j);
          sum += product;
          scale += std::abs(product);
        }
        const int64_t position = c.offsets[item] + i * c.rs + j * c.cs;
        inside[position] = true;
        const double actual = c.storage[position];
        if (std::abs(actual - sum) <= (k + 1) * eps * scale) continue;
        if (failures++ == 0) result = ::testing::AssertionFailure();
        if (failures <= 5)
          result << "item " << item << " C(" << i << ", " << j << ") = " << actual << ", expected "
                 << sum << " (scale " << scale << ")\n";
      }
    }
  }
  for (size_t position = 0; position < c.storage.size(); ++position) {
    if (inside[position] || c.storage[position] == static_cast<T>(kSentinel)) continue;
    if (failures++ == 0) result = ::testing::AssertionFailure();
    if (failures <= 5) result << "storage[" << position << "] outside C was written\n";
  }
  if (failures > 5) result << "(" << failures << " failures in all)\n";
  return result;
}

template <class T>
std::string describe_case(int64_t batch, int64_t m, int64_t n, int64_t k, Layout la, Layout lb,
                          const Operand<T>& c) {
  return "batch " + std::to_string(batch) + ", m " + std::to_string(m) + ", n " +
         std::to_string(n) + ", k " + std::to_string(k) + ", A " + layout_name(la) + ", B " +
         layout_name(lb) + ", C strides (" + std::to_string(c.rs) + ", " + std::to_string(c.cs) +
         "), kernel " + cpu_par::gemm_kernel_name(sizeof(T) == 8);
}

template <class T>
void check_case(Rng& rng, int64_t batch, int64_t m, int64_t n, int64_t k, Layout la, Layout lb,
                bool repeat_offsets) {
  const Operand<T> a = make_input<T>(rng, batch, m, k, la, repeat_offsets);
  const Operand<T> b = make_input<T>(rng, batch, k, n, lb, repeat_offsets);
  Operand<T> c = make_output<T>(rng, batch, m, n);
  run(a, b, c);
  EXPECT_TRUE(matches_naive(a, b, c)) << describe_case(batch, m, n, k, la, lb, c);
}

int64_t random_size(Rng& rng) { return kSizes[uniform_int(rng, 0, std::size(kSizes) - 1)]; }
Layout random_layout(Rng& rng) { return kLayouts[uniform_int(rng, 0, std::size(kLayouts) - 1)]; }

template <class T> void random_cases(int trials) {
  Rng rng = test_rng();
  for (int trial = 0; trial < trials; ++trial) {
    int64_t m = random_size(rng), n = random_size(rng), k = random_size(rng);
    // Keep the naive loop quick: shrink one dim of the larger cases.
    while (m * n * k > (int64_t{3} << 20))
      (m >= n ? m : n) /= 2;
    const int64_t batch = chance(rng, 0.3) ? uniform_int(rng, 2, 5) : 1;
    check_case<T>(rng, batch, m, n, k, random_layout(rng), random_layout(rng), chance(rng, 0.5));
  }
}

TEST(GemmTest, RandomSizesAndLayoutsFloat) { random_cases<float>(250); }
TEST(GemmTest, RandomSizesAndLayoutsDouble) { random_cases<double>(250); }

// Sizes that cross mc, several kc blocks and nc (n > 4096 for float, > 2048 for double), and
// batches large enough to run items in parallel.
template <class T> void block_boundary_cases() {
  Rng rng = test_rng();
  struct Case {
    int64_t batch, m, n, k;
  };
  const Case cases[] = {{1, 289, 301, 520}, {1, 145, 97, 769}, {1, 7, 4099, 35},
                        {1, 13, 2053, 260}, {1, 600, 17, 70},  {1, 1, 1000, 513},
                        {1, 1000, 1, 300},  {1, 50, 40, 1100}, {3, 150, 160, 257},
                        {12, 40, 50, 60},   {9, 100, 31, 200}, {40, 6, 16, 256},
                        {2, 300, 2, 2}};
  for (const Case& c : cases) {
    for (int round = 0; round < 2; ++round) {
      const Layout la = round == 0 ? Layout::kRowMajor : random_layout(rng);
      const Layout lb = round == 0 ? Layout::kRowMajor : random_layout(rng);
      check_case<T>(rng, c.batch, c.m, c.n, c.k, la, lb, round == 1);
    }
  }
}

TEST(GemmTest, BlockBoundariesFloat) { block_boundary_cases<float>(); }
TEST(GemmTest, BlockBoundariesDouble) { block_boundary_cases<double>(); }

template <class T> void zero_k_and_empty_cases() {
  Rng rng = test_rng();
  // k == 0: C is overwritten with zeros (it held NaN).
  for (const auto [batch, m, n] : {std::array<int64_t, 3>{1, 5, 7}, {3, 20, 33}, {2, 1, 1}}) {
    const Operand<T> a = make_input<T>(rng, batch, m, 0, Layout::kRowMajor, false);
    const Operand<T> b = make_input<T>(rng, batch, 0, n, Layout::kRowMajor, false);
    Operand<T> c = make_output<T>(rng, batch, m, n);
    for (int64_t item = 0; item < batch; ++item)
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j)
          c.storage[c.offsets[item] + i * c.rs + j * c.cs] = std::numeric_limits<T>::quiet_NaN();
    run(a, b, c);
    EXPECT_TRUE(matches_naive(a, b, c)) << "k == 0, m " << m << ", n " << n;
  }
  // Empty batch, m or n: nothing is written (C's storage holds only sentinels).
  std::vector<T> a(8, T(1)), b(8, T(1)), c(8, static_cast<T>(kSentinel));
  const int64_t offsets[2] = {0, 0};
  gemm_batched<T>(0, 2, 2, 2, a.data(), offsets, 2, 1, b.data(), offsets, 2, 1, c.data(), offsets,
                  2, 1);
  gemm_batched<T>(1, 0, 2, 2, a.data(), offsets, 2, 1, b.data(), offsets, 2, 1, c.data(), offsets,
                  2, 1);
  gemm_batched<T>(1, 2, 0, 2, a.data(), offsets, 2, 1, b.data(), offsets, 2, 1, c.data(), offsets,
                  2, 1);
  for (const T value : c)
    EXPECT_EQ(value, static_cast<T>(kSentinel));
}

TEST(GemmTest, ZeroKAndEmptyFloat) { zero_k_and_empty_cases<float>(); }
TEST(GemmTest, ZeroKAndEmptyDouble) { zero_k_and_empty_cases<double>(); }

// A non-finite input spreads along its own row (A) or column (B) only, also in edge tiles,
// whose padding is zero.
template <class T> void non_finite_case() {
  const int64_t m = 7, n = 17, k = 5;
  std::vector<T> a(m * k, T(1)), b(k * n, T(1)), c(m * n, T(0));
  a[3 * k + 2] = std::numeric_limits<T>::infinity();
  b[1 * n + 16] = std::numeric_limits<T>::quiet_NaN();
  const int64_t offset = 0;
  gemm_batched<T>(1, m, n, k, a.data(), &offset, k, 1, b.data(), &offset, n, 1, c.data(), &offset,
                  n, 1);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      const T value = c[i * n + j];
      if (j == 16)
        EXPECT_TRUE(std::isnan(value)) << i << ", " << j;
      else if (i == 3)
        EXPECT_EQ(value, std::numeric_limits<T>::infinity()) << i << ", " << j;
      else
        EXPECT_EQ(value, T(k)) << i << ", " << j;
    }
  }
}

TEST(GemmTest, NonFiniteStaysInItsRowAndColumnFloat) { non_finite_case<float>(); }
TEST(GemmTest, NonFiniteStaysInItsRowAndColumnDouble) { non_finite_case<double>(); }

// The same bits for 1, 2 and 3 threads, for each parallel scheme: one large item (parallel
// over blocks of C), a few large items, and many items (parallel over items).
template <class T> void deterministic_cases() {
  Rng rng = test_rng();
  struct Case {
    int64_t batch, m, n, k;
  };
  const Case cases[] = {{1, 301, 263, 700}, {2, 150, 400, 300}, {24, 50, 70, 600}, {1, 5, 999, 9}};
  for (const Case& cs : cases) {
    const Layout la = random_layout(rng), lb = random_layout(rng);
    const Operand<T> a = make_input<T>(rng, cs.batch, cs.m, cs.k, la, true);
    const Operand<T> b = make_input<T>(rng, cs.batch, cs.k, cs.n, lb, true);
    const Operand<T> c0 = make_output<T>(rng, cs.batch, cs.m, cs.n);
    std::vector<std::vector<T>> results;
    for (const int threads : {1, 2, 3}) {
      set_num_threads(threads);
      Operand<T> c = c0;
      run(a, b, c);
      results.push_back(c.storage);
    }
    set_num_threads(0);
    for (size_t r = 1; r < results.size(); ++r) {
      EXPECT_EQ(0, std::memcmp(results[0].data(), results[r].data(), results[0].size() * sizeof(T)))
          << describe_case(cs.batch, cs.m, cs.n, cs.k, la, lb, c0) << ": " << r + 1
          << " threads differ from 1";
    }
  }
}

TEST(GemmTest, BitwiseIdenticalForAnyThreadCountFloat) { deterministic_cases<float>(); }
TEST(GemmTest, BitwiseIdenticalForAnyThreadCountDouble) { deterministic_cases<double>(); }

// Small items (k <= kc) run unpacked on the calling thread unless the batch is large; both
// ways must give the same bits (same products, summed over k in the same order).
template <class T> void direct_matches_packed_cases() {
  Rng rng = test_rng();
  for (int trial = 0; trial < 60; ++trial) {
    const int64_t m = uniform_int(rng, 1, 40), n = uniform_int(rng, 1, 40);
    const int64_t k = uniform_int(rng, 1, 40);
    const int64_t batch = (int64_t{1} << 18) / (m * n * k) + 2;  // enough to leave the tiny path
    const Layout la = random_layout(rng), lb = random_layout(rng);
    const Operand<T> a = make_input<T>(rng, batch, m, k, la, false);
    const Operand<T> b = make_input<T>(rng, batch, k, n, lb, false);
    Operand<T> all = make_output<T>(rng, batch, m, n);
    Operand<T> first = all;
    run(a, b, all);
    gemm_batched<T>(1, m, n, k, a.storage.data(), a.offsets.data(), a.rs, a.cs, b.storage.data(),
                    b.offsets.data(), b.rs, b.cs, first.storage.data(), first.offsets.data(),
                    first.rs, first.cs);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j)
        ASSERT_EQ(std::memcmp(&all.storage[i * all.rs + j * all.cs],
                              &first.storage[i * first.rs + j * first.cs], sizeof(T)),
                  0)
            << describe_case(1, m, n, k, la, lb, first) << " at (" << i << ", " << j << ")";
  }
}

TEST(GemmTest, SmallItemsMatchThePackedPathBitwiseFloat) { direct_matches_packed_cases<float>(); }
TEST(GemmTest, SmallItemsMatchThePackedPathBitwiseDouble) { direct_matches_packed_cases<double>(); }

TEST(GemmTest, KernelName) {
  const std::string f32 = cpu_par::gemm_kernel_name(false);
  const std::string f64 = cpu_par::gemm_kernel_name(true);
  EXPECT_NE(f32.find('x'), std::string::npos) << f32;
  EXPECT_NE(f64.find('x'), std::string::npos) << f64;
  EXPECT_NE(f32, f64);
}

}  // namespace
}  // namespace mt::test
