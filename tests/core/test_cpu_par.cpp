// The parallel backend against the reference backend: element-wise results must be bitwise
// equal (both run the same op tables), reductions and matmul equal within rounding; results
// bitwise identical for any thread count; plus the out= ops, diagnostics, the allocator and the
// thread-count API.
#include <sched.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <numeric>
#include <thread>
#include <vector>

#include "backend/diagnostics.hpp"
#include "base/allocator.hpp"
#include "mt.hpp"
#include "tensor/strided_view.hpp"
#include "test_support.hpp"

namespace mt::test {
namespace {

Backend& par() { return backend("cpu_par"); }
Backend& seq() { return backend("cpu_seq"); }

// Shapes that cross the backend's chunk, block and tile boundaries (32 Ki-element chunks,
// 4096-element fold blocks, 64-row and 256-column reduction blocks, 16 x 256 tiles).
const std::vector<Dims>& large_shapes() {
  static const std::vector<Dims> shapes = {{4097},       {32769},      {65537},      {100003},
                                           {257, 513},   {1000, 70},   {3, 70001},   {70001, 3},
                                           {17, 33, 65}, {2, 3, 4099}, {129, 1, 257}};
  return shapes;
}

// A tensor of `shape` with values in [low, high) laid out in a random dim order, often with
// gaps; large ones are filled by rand() (fast), small ones by random_strided.
Tensor input(Rng& rng, const Dims& shape, DType dtype, double low = -2, double high = 2) {
  if (checked_numel(shape) < 4096) return random_strided(rng, shape, dtype, low, high);
  Dims order = shape;
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  Dims stored;
  for (int64_t d : order)
    stored.push_back(shape[static_cast<int>(d)]);
  Dims inverse = order;
  for (int i = 0; i < order.size(); ++i)
    inverse[static_cast<int>(order[i])] = i;
  Generator generator(rng());
  return rand(stored, dtype, low, high, generator).permute(inverse);
}

// An output of `shape`: contiguous, or a view of a permuted storage.
Tensor output(Rng& rng, const Dims& shape, DType dtype) {
  if (shape.size() < 2 || chance(rng, 0.5)) return Tensor::empty(shape, dtype);
  return Tensor::empty(shape, dtype).transpose(0, -1).contiguous().transpose(0, -1);
}

double rel_tolerance(DType dtype) { return dtype == DType::Float32 ? 2e-6 : 1e-14; }

std::vector<std::pair<Dims, Dims>> operand_shapes(Rng& rng) {
  std::vector<std::pair<Dims, Dims>> pairs;
  for (int t = 0; t < 40; ++t)
    pairs.push_back(random_broadcast_pair(rng));
  for (const Dims& s : large_shapes()) {
    pairs.push_back({s, s});
    Dims row = s;
    row[0] = 1;
    pairs.push_back({s, row});     // broadcast along dim 0
    pairs.push_back({Dims{}, s});  // a scalar
  }
  pairs.push_back({{4096, 1}, {1, 4096}});
  return pairs;
}

class CpuPar : public ::testing::TestWithParam<DType> {};
INSTANTIATE_TEST_SUITE_P(Dtypes, CpuPar, ::testing::Values(DType::Float32, DType::Float64),
                         [](const auto& param) { return std::string(dtype_name(param.param)); });

// Every op on the random small shapes; on the large ones (whose loops differ only in their
// chunking, not in the op) a few ops with different cost and shape of math.
bool run_op_on(const Dims& shape, int op, std::initializer_list<int> large_ops) {
  if (checked_numel(shape) < 4096) return true;
  return std::find(large_ops.begin(), large_ops.end(), op) != large_ops.end();
}

TEST_P(CpuPar, MapAndZipMatchTheReferenceBitwise) {
  Rng rng = test_rng();
  const DType dtype = GetParam();
  for (const auto& [sa, sb] : operand_shapes(rng)) {
    const Dims shape = broadcast_shape(sa, sb);
    // Positive inputs keep log and sqrt finite; negatives show up through sub and neg.
    const Tensor a = input(rng, sa, dtype, 0.1, 3), b = input(rng, sb, dtype, -3, 3);
    SCOPED_TRACE(describe(a) + " and " + describe(b));
    for (int op = 0; op < kUnaryOpCount; ++op) {
      if (!run_op_on(shape, op, {int(UnaryOp::Neg), int(UnaryOp::Exp), int(UnaryOp::Sigmoid)}))
        continue;
      const Tensor x = output(rng, shape, dtype), y = output(rng, shape, dtype);
      par().map(static_cast<UnaryOp>(op), strided_view(a.expand(shape)), strided_view(x));
      seq().map(static_cast<UnaryOp>(op), strided_view(a.expand(shape)), strided_view(y));
      ASSERT_TRUE(bitwise_equal(x, y)) << op_name(static_cast<UnaryOp>(op));
    }
    for (int op = 0; op < kBinaryOpCount; ++op) {
      if (!run_op_on(shape, op, {int(BinaryOp::Add), int(BinaryOp::Max), int(BinaryOp::Pow)}))
        continue;
      const Tensor x = output(rng, shape, dtype), y = output(rng, shape, dtype);
      par().zip(static_cast<BinaryOp>(op), strided_view(a), strided_view(b), strided_view(x));
      seq().zip(static_cast<BinaryOp>(op), strided_view(a), strided_view(b), strided_view(y));
      ASSERT_TRUE(bitwise_equal(x, y)) << op_name(static_cast<BinaryOp>(op));
    }
  }
}

TEST_P(CpuPar, TransposedOperandsUseTilesAndMatch) {
  Rng rng = test_rng();
  const DType dtype = GetParam();
  for (const Dims& s : {Dims{300, 517}, Dims{4, 33, 70}, Dims{1000, 17}}) {
    const Tensor a = input(rng, s, dtype).contiguous().transpose(-1, -2);
    const Tensor b = input(rng, a.shape(), dtype).contiguous();
    const Tensor x = Tensor::empty(a.shape(), dtype), y = Tensor::empty(a.shape(), dtype);
    set_diagnostics(DiagnosticsMode::Collect);
    take_op_reports();
    par().zip(BinaryOp::Add, strided_view(a), strided_view(b), strided_view(x));
    const auto reports = take_op_reports();
    set_diagnostics(DiagnosticsMode::Off);
    seq().zip(BinaryOp::Add, strided_view(a), strided_view(b), strided_view(y));
    EXPECT_TRUE(bitwise_equal(x, y));
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_EQ(reports[0].path, "tiled");
  }
}

TEST_P(CpuPar, CopyFillAndRandomMatchTheReferenceBitwise) {
  Rng rng = test_rng();
  const DType dtype = GetParam();
  const DType other = dtype == DType::Float32 ? DType::Float64 : DType::Float32;
  for (const auto& [sa, sb] : operand_shapes(rng)) {
    const Dims shape = broadcast_shape(sa, sb);
    for (const DType src_dtype : {dtype, other}) {
      const Tensor src = input(rng, sa, src_dtype);
      const Tensor x = output(rng, shape, dtype), y = output(rng, shape, dtype);
      par().copy(strided_view(src), strided_view(x));
      seq().copy(strided_view(src), strided_view(y));
      ASSERT_TRUE(bitwise_equal(x, y)) << "copy from " << describe(src);
    }
    const Tensor x = output(rng, shape, dtype), y = output(rng, shape, dtype);
    par().fill(strided_view(x), -1.25);
    seq().fill(strided_view(y), -1.25);
    ASSERT_TRUE(bitwise_equal(x, y));
    for (const Distribution dist : {Distribution::Uniform, Distribution::Normal}) {
      const RandomSpec spec{dist, -1, 3, rng(), rng() >> 8};
      par().random(strided_view(x), spec);
      seq().random(strided_view(y), spec);
      ASSERT_TRUE(bitwise_equal(x, y)) << "random " << static_cast<int>(dist);
    }
  }
}

// Every subset of dims of `shape` (as the reduced output shape), for small ranks; for larger
// ranks each single dim, all dims and a random subset.
std::vector<Dims> reduced_shapes(Rng& rng, const Dims& shape) {
  std::vector<Dims> outs;
  const int r = shape.size();
  const int subsets = r <= 3 ? 1 << r : 0;
  for (int mask = 0; mask < subsets; ++mask) {
    Dims out = shape;
    for (int d = 0; d < r; ++d)
      if (mask >> d & 1) out[d] = 1;
    outs.push_back(out);
  }
  if (r > 3) {
    for (int d = 0; d < r; ++d) {
      Dims out = shape;
      out[d] = 1;
      outs.push_back(out);
    }
    Dims out = shape;
    for (int d = 0; d < r; ++d)
      if (chance(rng, 0.5)) out[d] = 1;
    outs.push_back(out);
    outs.push_back(Dims::filled(r, 1));
  }
  return outs;
}

TEST_P(CpuPar, ReductionsMatchTheReference) {
  Rng rng = test_rng();
  const DType dtype = GetParam();
  std::vector<Dims> shapes = large_shapes();
  for (int t = 0; t < 30; ++t)
    shapes.push_back(random_shape(rng));
  for (const Dims& shape : shapes) {
    const Tensor in = input(rng, shape, dtype, 0.5, 1.5);  // positive: prod stays finite-ish
    for (const Dims& out_shape : reduced_shapes(rng, shape)) {
      const Tensor magnitude = Tensor::empty(out_shape, dtype);
      seq().reduce(ReduceOp::Sum, strided_view(map(UnaryOp::Abs, in)), strided_view(magnitude));
      for (int op = 0; op < kReduceOpCount; ++op) {
        const auto reduce_op = static_cast<ReduceOp>(op);
        if (checked_numel(shape) == 0 && (reduce_op == ReduceOp::Max || reduce_op == ReduceOp::Min))
          continue;
        const Tensor x = output(rng, out_shape, dtype), y = output(rng, out_shape, dtype);
        par().reduce(reduce_op, strided_view(in), strided_view(x));
        seq().reduce(reduce_op, strided_view(in), strided_view(y));
        SCOPED_TRACE(cat(op_name(reduce_op), " of ", describe(in), " to ", out_shape));
        if (reduce_op == ReduceOp::Max || reduce_op == ReduceOp::Min) {
          ASSERT_TRUE(bitwise_equal(x, y));
        } else if (reduce_op == ReduceOp::Sum) {
          ASSERT_TRUE(close(x, y, magnitude, 4 * rel_tolerance(dtype)));
        } else {
          // A product's relative error grows with the number of factors.
          const double factors =
              static_cast<double>(checked_numel(shape)) /
              static_cast<double>(std::max<int64_t>(1, checked_numel(out_shape)));
          ASSERT_TRUE(close(x, y, zeros(out_shape, dtype), factors * rel_tolerance(dtype)));
        }
      }
    }
  }
}

TEST_P(CpuPar, MatmulMatchesTheReference) {
  Rng rng = test_rng();
  const DType dtype = GetParam();
  struct Case {
    Dims a, b;
  };
  std::vector<Case> cases = {{{2, 2}, {2, 2}},           {{33, 33}, {33, 33}},
                             {{1, 7}, {7, 1}},           {{0, 5}, {5, 3}},
                             {{4, 0}, {0, 3}},           {{65, 300}, {300, 129}},
                             {{2, 45, 33}, {2, 33, 40}}, {{3, 1, 20, 17}, {5, 17, 9}},
                             {{1, 257, 31}, {4, 31, 66}}};
  for (int t = 0; t < 20; ++t) {
    const int64_t m = uniform_int(rng, 1, 70), k = uniform_int(rng, 1, 70),
                  n = uniform_int(rng, 1, 70);
    cases.push_back({{uniform_int(rng, 1, 3), m, k}, {1, k, n}});
  }
  for (const Case& c : cases) {
    Tensor a = input(rng, c.a, dtype), b = input(rng, c.b, dtype);
    while (a.dim() < b.dim())
      a = a.unsqueeze(0);
    while (b.dim() < a.dim())
      b = b.unsqueeze(0);
    Dims shape = broadcast_shape(Dims(std::span(a.shape().data(), a.dim() - 2)),
                                 Dims(std::span(b.shape().data(), b.dim() - 2)));
    shape.push_back(a.size(-2));
    shape.push_back(b.size(-1));
    const Tensor x = output(rng, shape, dtype), y = output(rng, shape, dtype),
                 magnitude = Tensor::empty(shape, dtype);
    par().matmul(strided_view(a), strided_view(b), strided_view(x));
    seq().matmul(strided_view(a), strided_view(b), strided_view(y));
    seq().matmul(strided_view(map(UnaryOp::Abs, a)), strided_view(map(UnaryOp::Abs, b)),
                 strided_view(magnitude));
    ASSERT_TRUE(close(x, y, magnitude, 4 * rel_tolerance(dtype)))
        << describe(a) << " @ " << describe(b);
  }
}

// Runs make() with 1, 2 and 3 threads (as many as the CPUs this process may use) and checks
// that the results are bitwise identical.
template <class Make> void expect_thread_count_invariant(Make&& make) {
  set_num_threads(1);
  const Tensor one = make();
  for (int threads : {2, 3}) {
    set_num_threads(threads);
    EXPECT_TRUE(bitwise_equal(make(), one)) << threads << " threads";
  }
  set_num_threads(0);
}

TEST_P(CpuPar, ResultsAreBitwiseIdenticalForAnyThreadCount) {
  const DType dtype = GetParam();
  Generator generator(5);
  const Tensor v = rand({1000003}, dtype, -1, 1, generator);
  const Tensor m = rand({1001, 1003}, dtype, -1, 1, generator);
  const Tensor a = rand({3, 200, 310}, dtype, -1, 1, generator);
  const Tensor b = rand({310, 250}, dtype, -1, 1, generator);
  expect_thread_count_invariant([&] { return sum(v); });
  expect_thread_count_invariant([&] { return sum(m, {0}); });
  expect_thread_count_invariant([&] { return sum(m, {1}); });
  expect_thread_count_invariant([&] { return sum(m.transpose(0, 1).slice(0, 0, 1003, 2), {0}); });
  expect_thread_count_invariant([&] { return prod(m * 0.01 + 1.0, {0, 1}); });
  expect_thread_count_invariant([&] { return matmul(a, b); });
  expect_thread_count_invariant([&] { return exp(v) + sum(sum(m.transpose(0, 1), {0})); });
  expect_thread_count_invariant([&] {
    Generator fresh(7);
    return randn({4099, 3}, dtype, 0, 1, fresh);
  });
}

TEST_P(CpuPar, DiagnosticsNameThePath) {
  const DType dtype = GetParam();
  const Tensor m = ones({512, 300}, dtype);
  set_diagnostics(DiagnosticsMode::Collect);
  take_op_reports();
  (void)(m + m);
  (void)sum(m, {1});
  (void)sum(m, {0});
  (void)sum(m.transpose(0, 1).slice(0, 0, 512, 2), {1});
  const auto reports = take_op_reports();
  set_diagnostics(DiagnosticsMode::Off);
  ASSERT_EQ(reports.size(), 4u);
  EXPECT_EQ(reports[0].op, "zip add");
  EXPECT_EQ(reports[0].path, "flat");
  EXPECT_EQ(reports[0].elements, 512 * 300);
  EXPECT_GE(reports[0].threads, 1);
  EXPECT_EQ(reports[1].path, "inner");
  EXPECT_EQ(reports[2].path, "outer");
  EXPECT_EQ(reports[3].path, "strided");
  EXPECT_NE(to_string(reports[1]).find("cpu_par reduce sum: path=inner"), std::string::npos);
}

TEST(CpuParDefault, IsTheDefaultBackend) { EXPECT_EQ(default_backend().name(), "cpu_par"); }

TEST(OutVariants, WriteIntoTheGivenTensor) {
  Generator g(1);
  const Tensor a = rand({4, 5}, DType::Float64, -1, 1, g), b = rand({5}, DType::Float64, -1, 1, g);
  const Tensor out = Tensor::empty({4, 5}, DType::Float64);
  zip_out(BinaryOp::Mul, a, b, out);
  EXPECT_TRUE(bitwise_equal(out, a * b));
  map_out(UnaryOp::Exp, a, out);
  EXPECT_TRUE(bitwise_equal(out, exp(a)));
  // out given as a transposed view of fresh storage.
  const Tensor t = Tensor::empty({5, 4}, DType::Float64).transpose(0, 1);
  zip_out(BinaryOp::Add, a, b, t);
  EXPECT_TRUE(bitwise_equal(t, a + b));

  const Tensor r = Tensor::empty({5}, DType::Float64);
  reduce_out(ReduceOp::Sum, a, {0}, false, r);
  EXPECT_TRUE(bitwise_equal(r, sum(a, {0})));
  const Tensor rk = Tensor::empty({4, 1}, DType::Float64);
  reduce_out(ReduceOp::Max, a, {1}, true, rk);
  EXPECT_TRUE(bitwise_equal(rk, max(a, {1}, true)));

  const Tensor c = rand({5, 3}, DType::Float64, -1, 1, g);
  const Tensor mo = Tensor::empty({4, 3}, DType::Float64);
  matmul_out(a, c, mo);
  EXPECT_TRUE(bitwise_equal(mo, matmul(a, c)));
  const Tensor vo = Tensor::empty({4}, DType::Float64);
  matmul_out(a, b, vo);
  EXPECT_TRUE(bitwise_equal(vo, matmul(a, b)));
  const Tensor so = Tensor::empty({}, DType::Float64);
  matmul_out(b, b, so);
  EXPECT_TRUE(bitwise_equal(so, matmul(b, b)));
}

TEST(OutVariants, InPlaceAndOverlappingOutputs) {
  Generator g(2);
  const Tensor a = rand({6, 6}, DType::Float32, -1, 1, g);
  const Tensor expected = a + a.transpose(0, 1);
  const Tensor in_place = a.clone();
  zip_out(BinaryOp::Add, in_place, a.transpose(0, 1), in_place);  // out is exactly the input
  EXPECT_TRUE(bitwise_equal(in_place, expected));
  // out overlaps an input in another layout: computed through a temporary.
  const Tensor overlap = a.clone();
  zip_out(BinaryOp::Add, overlap, overlap.transpose(0, 1), overlap);
  EXPECT_TRUE(bitwise_equal(overlap, expected));
  const Tensor m = a.clone();
  matmul_out(m, m, m);
  EXPECT_TRUE(close(m, matmul(a, a), matmul(abs(a), abs(a)), 1e-6));
}

TEST(OutVariants, OutputOverlappingThroughAnotherStorage) {
  // Two storages over one buffer (as after a DLPack round trip), out one element ahead of the
  // input: written directly, out[i] would overwrite in[i + 1] before it is read.
  std::vector<float> buffer(1001);
  for (size_t i = 0; i < buffer.size(); ++i)
    buffer[i] = static_cast<float>(i);
  const Tensor in(Storage::wrap(buffer.data(), 4000, {}), 0, {1000}, {1}, DType::Float32);
  const Tensor out(Storage::wrap(buffer.data() + 1, 4000, {}), 0, {1000}, {1}, DType::Float32);
  const Tensor expected = in + in;
  ASSERT_TRUE(in.shares_memory(out) && !in.shares_storage(out));
  zip_out(BinaryOp::Add, in, in, out);
  EXPECT_TRUE(bitwise_equal(out, expected));
}

TEST(OutVariants, RejectBadOutputs) {
  const Tensor a = ones({2, 3});
  EXPECT_TRUE(throws_error(
      [&] {
        zip_out(BinaryOp::Add, a, a, ones({3, 2}));
      },
      {ErrorCode::ShapeMismatch}, {"(3, 2)", "(2, 3)"}));
  EXPECT_TRUE(throws_error(
      [&] {
        map_out(UnaryOp::Exp, a, ones({2, 3}, DType::Float64));
      },
      {ErrorCode::DTypeMismatch}, {"float64", "float32"}));
  EXPECT_TRUE(throws_error(
      [&] {
        map_out(UnaryOp::Exp, a, ones({3}).expand({2, 3}));
      },
      {ErrorCode::InvalidArgument}, {"broadcast view"}));
  EXPECT_TRUE(throws_error(
      [&] {
        reduce_out(ReduceOp::Sum, a, {1}, false, ones({2, 1}));
      },
      {ErrorCode::ShapeMismatch}, {"(2, 1)", "(2,)"}));
  EXPECT_TRUE(throws_error(
      [&] {
        matmul_out(a, ones({3, 4}), ones({2, 3}));
      },
      {ErrorCode::ShapeMismatch}, {"(2, 3)", "(2, 4)"}));
}

TEST(Allocator, ReusesFreedBlocks) {
  const AllocatorStats before = allocator_stats();
  void* block = host_allocate(100000);
  host_free(block, 100000);
  void* again = host_allocate(99000);  // the same size class
  EXPECT_EQ(again, block);
  host_free(again, 99000);
  const AllocatorStats after = allocator_stats();
  EXPECT_GE(after.hits, before.hits + 1);
  EXPECT_GE(after.cached_bytes, 99000);
  empty_cache();
  EXPECT_EQ(allocator_stats().cached_bytes, 0);
  // Large blocks are mapped on huge-page boundaries.
  void* large = host_allocate(int64_t{8} << 20);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(large) % (uintptr_t{2} << 20), 0u);
  host_free(large, int64_t{8} << 20);
  set_cache_limit(0);
  EXPECT_EQ(allocator_stats().cached_bytes, 0);
  host_free(host_allocate(4096), 4096);
  EXPECT_EQ(allocator_stats().cached_bytes, 0);
  set_cache_limit(int64_t{2} << 30);
  EXPECT_TRUE(throws_error([] { set_cache_limit(-1); }, {ErrorCode::InvalidArgument}, {"-1"}));
  EXPECT_TRUE(throws_error([] { host_allocate(-5); }, {ErrorCode::InvalidArgument}, {"-5"}));
}

// The CPUs this process may run on (what TBB will give it).
int usable_cpus() {
  cpu_set_t mask;
  CPU_ZERO(&mask);
  if (sched_getaffinity(0, sizeof mask, &mask) != 0)
    return static_cast<int>(std::thread::hardware_concurrency());
  return CPU_COUNT(&mask);
}

TEST(Threads, CountIsSettable) {
  set_num_threads(1);
  EXPECT_EQ(num_threads(), 1);
  set_num_threads(0);
  EXPECT_GE(num_threads(), 1);
  EXPECT_LE(num_threads(), usable_cpus());
  EXPECT_TRUE(throws_error([] { set_num_threads(-1); }, {ErrorCode::InvalidArgument}, {"-1"}));
}

// More threads than the CPUs this process may run on are clamped quietly: TBB would ignore the
// surplus and print a warning on stderr (ctest's ThreadsOnOneCpu runs this under `taskset -c 0`
// and fails on that warning).
TEST(Threads, CountIsClampedToTheUsableCpus) {
  const int cpus = usable_cpus();
  for (int asked : {cpus + 1, cpus + 7, 4096}) {
    set_num_threads(asked);
    EXPECT_EQ(num_threads(), cpus) << asked;
    Generator g(1);
    const Tensor x = rand({1 << 16}, DType::Float32, -1, 1, g);
    EXPECT_TRUE(bitwise_equal(sum(exp(x)), sum(exp(x))));
  }
  set_num_threads(0);
  EXPECT_LE(num_threads(), cpus);
}

TEST(Threads, OpsFromSeveralThreadsAtOnce) {
  // Each thread works on its own tensors and reads shared ones, while another changes the
  // thread count; every result must equal the one computed alone.
  Generator g(3);
  const Tensor shared = rand({300, 301}, DType::Float32, -1, 1, g);
  const Tensor expected = sum(matmul(shared, shared.transpose(0, 1)) + sum(exp(shared), {1}, true));
  std::vector<Tensor> results(3);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < results.size(); ++t)
    threads.emplace_back([&, t] {
      for (int rep = 0; rep < 3; ++rep) {
        const Tensor own = shared.clone();
        results[t] = sum(matmul(own, shared.transpose(0, 1)) + sum(exp(own), {1}, true));
      }
    });
  threads.emplace_back([] {
    for (int n : {1, 2, 3, 0})
      set_num_threads(n);
  });
  for (auto& thread : threads)
    thread.join();
  for (const Tensor& r : results)
    EXPECT_TRUE(bitwise_equal(r, expected));
}

}  // namespace
}  // namespace mt::test
