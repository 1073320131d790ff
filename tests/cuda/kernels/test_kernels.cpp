// The CUDA kernels, compiled with the host compiler against the emulation and called on host
// buffers, against the reference backend (cpu_seq): random shapes (rank 0..4, sizes 0 and 1
// included), random strides (permuted and sliced), broadcasting, float32 and float64, every
// op; plus MiniTorch's CUDA cases and sizes that cross the kernels' block and tile edges.
// Element-wise results must be bitwise equal (the same op tables, compiled by the same
// compiler with the same flags); reductions and matmul equal within rounding, since they
// combine in another order.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "backend/cuda/kernels/elementwise.cuh"
#include "backend/cuda/kernels/matmul.cuh"
#include "backend/cuda/kernels/reduce.cuh"
#include "mt.hpp"
#include "op_cases.hpp"
#include "tensor/strided_view.hpp"
#include "test_support.hpp"

namespace mt::test {
namespace {

Backend& ref() { return backend("cpu_seq"); }

const DType kDTypes[] = {DType::Float32, DType::Float64};

mt_cuda_view view(const Tensor& t) {
  mt_cuda_view v{};
  v.data = t.raw_data();
  v.dtype = static_cast<int32_t>(t.dtype());
  v.rank = t.dim();
  for (int d = 0; d < t.dim(); ++d) {
    v.shape[d] = t.shape()[d];
    v.strides[d] = t.strides()[d];
  }
  return v;
}

// An output of `shape` with a random layout (dims permuted in storage, gaps); its values are
// overwritten.
Tensor output(Rng& rng, const Dims& shape, DType dtype) {
  return random_strided(rng, shape, dtype, -7, -7);
}

double rounding_tolerance(DType dtype) { return dtype == DType::Float32 ? 1e-5 : 1e-13; }

// The inputs of an op come from its row of the op test table (tests/support/op_cases.hpp).
ValueGen unary_values(UnaryOp op) { return op_case(op).domain; }

std::pair<ValueGen, ValueGen> binary_values(BinaryOp op) { return {op_case(op).a, op_case(op).b}; }

constexpr int kCasesPerOp = 4;

TEST(CudaKernels, LayoutCoalescesBroadcastsAndDropsUnitDims) {
  Tensor t = Tensor::empty({2, 3, 4}, DType::Float32);
  const mt_cuda_view contiguous = view(t);
  const StridedLayout<1> flat = make_layout<1>({&contiguous}, LayoutOrder::Logical);
  EXPECT_EQ(flat.rank, 1);
  EXPECT_EQ(flat.numel, 24);
  EXPECT_TRUE(flat.contiguous());

  const mt_cuda_view transposed = view(t.transpose(0, 2));  // (4, 3, 2), strides (1, 4, 12)
  const StridedLayout<1> swapped = make_layout<1>({&transposed}, LayoutOrder::Logical);
  EXPECT_EQ(swapped.rank, 3);
  EXPECT_FALSE(swapped.contiguous());

  // A (3, 1) input broadcast against a (2, 3, 4) output: stride 0 along dims 0 and 2.
  Tensor column = Tensor::empty({3, 1}, DType::Float32);
  const mt_cuda_view col = view(column);
  const StridedLayout<2> both = make_layout<2>({&contiguous, &col}, LayoutOrder::Logical);
  ASSERT_EQ(both.rank, 3);
  EXPECT_EQ(both.strides[1][0], 0);
  EXPECT_EQ(both.strides[1][1], 1);
  EXPECT_EQ(both.strides[1][2], 0);
  int64_t offset[2];
  both.offsets(23, offset);  // (1, 2, 3)
  EXPECT_EQ(offset[0], 23);
  EXPECT_EQ(offset[1], 2);

  const mt_cuda_view units = view(Tensor::empty({1, 5, 1}, DType::Float64));
  const StridedLayout<1> dropped = make_layout<1>({&units}, LayoutOrder::Logical);
  EXPECT_EQ(dropped.rank, 1);
  EXPECT_EQ(dropped.shape[0], 5);

  const mt_cuda_view empty = view(Tensor::empty({3, 0, 2}, DType::Float64));
  EXPECT_EQ(make_layout<1>({&empty}, LayoutOrder::Logical).numel, 0);
}

TEST(CudaKernels, MapEveryOpMatchesReference) {
  Rng rng = test_rng();
  for (int o = 0; o < kUnaryOpCount; ++o)
    for (DType dtype : kDTypes)
      for (int c = 0; c < kCasesPerOp; ++c) {
        const auto op = static_cast<UnaryOp>(o);
        const auto [in_shape, out_shape] = random_broadcast_pair(rng, 4, 5);
        const Dims shape = broadcast_shape(in_shape, out_shape);
        const Tensor in = random_strided(rng, in_shape, dtype, unary_values(op));
        const Tensor out = output(rng, shape, dtype), expected = Tensor::empty(shape, dtype);
        ASSERT_EQ(cuda::map(op, view(in), view(out), nullptr), cudaSuccess);
        ref().map(op, strided_view(in), strided_view(expected));
        ASSERT_TRUE(bitwise_equal(out, expected)) << op_name(op) << " " << describe(in);
      }
}

TEST(CudaKernels, MapBackwardEveryOpMatchesReference) {
  Rng rng = test_rng();
  for (int o = 0; o < kUnaryOpCount; ++o)
    for (DType dtype : kDTypes)
      for (int c = 0; c < kCasesPerOp; ++c) {
        const auto op = static_cast<UnaryOp>(o);
        const auto [in_shape, grad_shape] = random_broadcast_pair(rng, 4, 5);
        const Dims shape = broadcast_shape(in_shape, grad_shape);
        const Tensor in = random_strided(rng, in_shape, dtype, unary_values(op));
        const Tensor grad = random_strided(rng, grad_shape, dtype, -2, 2);
        const Tensor out = output(rng, shape, dtype), expected = Tensor::empty(shape, dtype);
        ASSERT_EQ(cuda::map_backward(op, view(in), view(grad), view(out), nullptr), cudaSuccess);
        ref().map_backward(op, strided_view(in), strided_view(grad), strided_view(expected));
        ASSERT_TRUE(bitwise_equal(out, expected)) << op_name(op) << " " << describe(in);
      }
}

TEST(CudaKernels, ZipEveryOpMatchesReference) {
  Rng rng = test_rng();
  for (int o = 0; o < kBinaryOpCount; ++o)
    for (DType dtype : kDTypes)
      for (int c = 0; c < kCasesPerOp; ++c) {
        const auto op = static_cast<BinaryOp>(o);
        const auto [a_shape, b_shape] = random_broadcast_pair(rng, 4, 5);
        const Dims shape = broadcast_shape(a_shape, b_shape);
        const auto [a_values, b_values] = binary_values(op);
        const Tensor a = random_strided(rng, a_shape, dtype, a_values);
        const Tensor b = random_strided(rng, b_shape, dtype, b_values);
        const Tensor out = output(rng, shape, dtype), expected = Tensor::empty(shape, dtype);
        ASSERT_EQ(cuda::zip(op, view(a), view(b), view(out), nullptr), cudaSuccess);
        ref().zip(op, strided_view(a), strided_view(b), strided_view(expected));
        ASSERT_TRUE(bitwise_equal(out, expected))
            << op_name(op) << " " << describe(a) << " " << describe(b);
      }
}

TEST(CudaKernels, ZipBackwardEveryOpBothOperandsMatchesReference) {
  Rng rng = test_rng();
  for (int o = 0; o < kBinaryOpCount; ++o)
    for (DType dtype : kDTypes)
      for (int operand = 0; operand < 2; ++operand)
        for (int c = 0; c < kCasesPerOp / 2; ++c) {
          const auto op = static_cast<BinaryOp>(o);
          const auto [a_shape, b_shape] = random_broadcast_pair(rng, 4, 5);
          const Dims shape = broadcast_shape(a_shape, b_shape);
          const auto [a_values, b_values] = binary_values(op);
          const Tensor a = random_strided(rng, a_shape, dtype, a_values);
          const Tensor b = random_strided(rng, b_shape, dtype, b_values);
          const Tensor grad = random_strided(rng, chance(rng, 0.5) ? shape : a_shape, dtype, -2, 2);
          const Tensor out = output(rng, shape, dtype), expected = Tensor::empty(shape, dtype);
          ASSERT_EQ(
              cuda::zip_backward(op, operand, view(a), view(b), view(grad), view(out), nullptr),
              cudaSuccess);
          ref().zip_backward(op, operand, strided_view(a), strided_view(b), strided_view(grad),
                             strided_view(expected));
          ASSERT_TRUE(bitwise_equal(out, expected)) << op_name(op) << " operand " << operand;
        }
}

TEST(CudaKernels, CopyConvertsAndBroadcasts) {
  Rng rng = test_rng();
  for (DType from : kDTypes)
    for (DType to : kDTypes)
      for (int c = 0; c < 2 * kCasesPerOp; ++c) {
        const auto [src_shape, out_shape] = random_broadcast_pair(rng, 4, 5);
        const Dims shape = broadcast_shape(src_shape, out_shape);
        // float64 values with more bits than float32 holds, so the conversion rounds.
        const Tensor src = random_strided(rng, src_shape, from, -1e3, 1e3);
        const Tensor out = output(rng, shape, to), expected = Tensor::empty(shape, to);
        ASSERT_EQ(cuda::copy(view(src), view(out), nullptr), cudaSuccess);
        ref().copy(strided_view(src), strided_view(expected));
        ASSERT_TRUE(bitwise_equal(out, expected)) << describe(src) << " -> " << describe(out);
      }
}

TEST(CudaKernels, FillWritesEveryElementOfStridedOutputs) {
  Rng rng = test_rng();
  for (DType dtype : kDTypes)
    for (int c = 0; c < kCasesPerOp; ++c) {
      const Dims shape = random_shape(rng, 4, 5);
      const Tensor out = output(rng, shape, dtype), expected = Tensor::empty(shape, dtype);
      ASSERT_EQ(cuda::fill(view(out), 0.1, nullptr), cudaSuccess);
      ref().fill(strided_view(expected), 0.1);
      ASSERT_TRUE(bitwise_equal(out, expected)) << describe(out);
    }
}

TEST(CudaKernels, RandomMatchesReferenceStream) {
  Rng rng = test_rng();
  for (DType dtype : kDTypes)
    for (int distribution = 0; distribution < 2; ++distribution)
      for (int c = 0; c < kCasesPerOp; ++c) {
        const Dims shape = random_shape(rng, 4, 6);
        // Every other uniform case spans the dtype's whole finite range (high - low overflows).
        const double top = dtype == DType::Float32 ? std::numeric_limits<float>::max()
                                                   : std::numeric_limits<double>::max();
        const bool whole_range = distribution == 0 && c % 2 == 1;
        const RandomSpec spec{static_cast<Distribution>(distribution), whole_range ? -top : -1.5,
                              whole_range ? top : 3, rng(),
                              static_cast<uint64_t>(uniform_int(rng, 0, 1 << 20))};
        const Tensor out = output(rng, shape, dtype), expected = Tensor::empty(shape, dtype);
        ASSERT_EQ(
            cuda::random(view(out), distribution, spec.a, spec.b, spec.seed, spec.offset, nullptr),
            cudaSuccess);
        ref().random(strided_view(expected), spec);
        ASSERT_TRUE(bitwise_equal(out, expected)) << describe(out);
      }
}

// More elements than the capped grid has threads (8 blocks per SM of 256 threads; the
// emulation reports 4 SMs), so each thread takes several: the grid-stride loop.
TEST(CudaKernels, ElementwiseGridStrideCoversLargeOutputs) {
  Rng rng = test_rng();
  for (DType dtype : kDTypes) {
    Generator generator(rng());
    const Tensor a = rand({70, 301}, dtype, -2, 2, generator).transpose(0, 1);
    const Tensor b = rand({301, 1}, dtype, -2, 2, generator);
    const Tensor out = Tensor::empty({301, 70}, dtype), expected = Tensor::empty({301, 70}, dtype);
    ASSERT_EQ(cuda::zip(BinaryOp::Mul, view(a), view(b), view(out), nullptr), cudaSuccess);
    ref().zip(BinaryOp::Mul, strided_view(a), strided_view(b), strided_view(expected));
    EXPECT_TRUE(bitwise_equal(out, expected));
    const Tensor flat = Tensor::empty({21070}, dtype),
                 flat_expected = Tensor::empty({21070}, dtype);
    ASSERT_EQ(cuda::random(view(flat), 0, 0, 1, 7, 3, nullptr), cudaSuccess);
    ref().random(strided_view(flat_expected), {Distribution::Uniform, 0, 1, 7, 3});
    EXPECT_TRUE(bitwise_equal(flat, flat_expected));
  }
}

// The reference result of reduce(op, in) into `out_shape` and the scale of its rounding error.
struct ReduceCheck {
  Tensor expected, scale;
};

ReduceCheck reduce_reference(ReduceOp op, const Tensor& in, const Dims& out_shape) {
  ReduceCheck check{Tensor::empty(out_shape, in.dtype()), Tensor::empty(out_shape, in.dtype())};
  ref().reduce(op, strided_view(in), strided_view(check.expected));
  // Sum: error grows with sum |x|; prod: with |result| (relative); max/min are exact.
  if (op == ReduceOp::Sum) {
    const Tensor magnitude = Tensor::empty(in.shape(), in.dtype());
    ref().map(UnaryOp::Abs, strided_view(in), strided_view(magnitude));
    ref().reduce(ReduceOp::Sum, strided_view(magnitude), strided_view(check.scale));
  } else {
    ref().fill(strided_view(check.scale), 0);
  }
  return check;
}

::testing::AssertionResult reduce_matches(ReduceOp op, const Tensor& in, const Dims& out_shape,
                                          const Tensor& out) {
  const cudaError_t status = cuda::reduce(op, view(in), view(out), nullptr);
  if (status != cudaSuccess) return ::testing::AssertionFailure() << cudaGetErrorName(status);
  const ReduceCheck check = reduce_reference(op, in, out_shape);
  // Prod's values stay near 1 (see reduce_input), so its relative error is a scale of 1.
  return close(out, check.expected, check.scale, op == ReduceOp::Prod ? 1e-4 : 1e-5);
}

Tensor reduce_input(Rng& rng, ReduceOp op, const Dims& shape, DType dtype) {
  return random_strided(rng, shape, dtype, op_case(op).domain);
}

TEST(CudaKernels, ReduceEveryOpRandomDimsMatchesReference) {
  Rng rng = test_rng();
  for (int o = 0; o < kReduceOpCount; ++o)
    for (DType dtype : kDTypes)
      for (int c = 0; c < 2 * kCasesPerOp; ++c) {
        const auto op = static_cast<ReduceOp>(o);
        const Dims shape = random_shape(rng, 4, 6);
        Dims out_shape = shape;
        for (int64_t& size : out_shape)
          if (chance(rng, 0.5)) size = 1;
        const Tensor in = reduce_input(rng, op, shape, dtype);
        const Tensor out = output(rng, out_shape, dtype);
        ASSERT_TRUE(reduce_matches(op, in, out_shape, out))
            << op_name(op) << " " << describe(in) << " -> " << out_shape;
      }
}

// MiniTorch's CUDA reduction cases, and lengths above one block (no 1024 limit).
TEST(CudaKernels, ReduceMiniTorchSumsAndLongSlices) {
  Rng rng = test_rng();
  for (DType dtype : kDTypes) {
    for (int64_t n : {16, 32, 48, 64, 500, 1024, 1025, 5000}) {
      const Tensor in = random_strided(rng, {n}, dtype, -2, 2);
      EXPECT_TRUE(reduce_matches(ReduceOp::Sum, in, {1}, output(rng, {1}, dtype))) << n;
      EXPECT_TRUE(reduce_matches(ReduceOp::Max, in, {1}, output(rng, {1}, dtype))) << n;
    }
    const Tensor matrix = random_strided(rng, {16, 32}, dtype, -2, 2);
    EXPECT_TRUE(reduce_matches(ReduceOp::Sum, matrix, {16, 1}, output(rng, {16, 1}, dtype)));
    EXPECT_TRUE(reduce_matches(ReduceOp::Sum, matrix, {1, 1}, output(rng, {1, 1}, dtype)));
  }
}

// One case for each way of sharing slices among threads (reduce.cuh, choose_group), with the
// emulation's 4 SMs: short slices, long slices across memory order (a thread per slice), many
// long slices (a warp per slice), few long slices (a block per slice); plus empty slices.
TEST(CudaKernels, ReduceEveryThreadMappingMatchesReference) {
  Rng rng = test_rng();
  struct Case {
    Dims shape, out_shape;
  };
  const Case cases[] = {{{2000, 3}, {2000, 1}},   // thread: 3 per slice
                        {{40, 1100}, {1, 1100}},  // thread: columns of a row-major matrix
                        {{300, 1500}, {300, 1}},  // warp: 300 slices >= 64 warps x 4 SMs
                        {{20, 700}, {20, 1}},     // warp: up to 1024 per slice
                        {{3, 5000}, {3, 1}},      // block
                        {{40, 1100}, {40, 1}},    // block, more slices than the 32 blocks
                        {{2, 3, 2100}, {1, 3, 1}},
                        {{4, 0, 3}, {4, 1, 3}}};  // empty slices: the identity
  for (int o = 0; o < kReduceOpCount; ++o)
    for (DType dtype : kDTypes)
      for (const Case& c : cases) {
        const auto op = static_cast<ReduceOp>(o);
        Generator generator(rng());
        // The positive part of the op's domain, drawn in bulk.
        const Domain& domain = op_case(op).domain;
        const Tensor in = rand(c.shape, dtype, domain.low, domain.high, generator);
        EXPECT_TRUE(reduce_matches(op, in, c.out_shape, Tensor::empty(c.out_shape, dtype)))
            << op_name(op) << " " << describe(in);
      }
}

// Checks matmul(a, b) into `out` against the reference, within rounding relative to
// sum_k |a_ik b_kj|.
::testing::AssertionResult matmul_matches(const Tensor& a, const Tensor& b, const Tensor& out) {
  const cudaError_t status = cuda::matmul(view(a), view(b), view(out), nullptr);
  if (status != cudaSuccess) return ::testing::AssertionFailure() << cudaGetErrorName(status);
  const Tensor expected = Tensor::empty(out.shape(), out.dtype()),
               scale = Tensor::empty(out.shape(), out.dtype());
  ref().matmul(strided_view(a), strided_view(b), strided_view(expected));
  const Tensor abs_a = Tensor::empty(a.shape(), a.dtype()),
               abs_b = Tensor::empty(b.shape(), b.dtype());
  ref().map(UnaryOp::Abs, strided_view(a), strided_view(abs_a));
  ref().map(UnaryOp::Abs, strided_view(b), strided_view(abs_b));
  ref().matmul(strided_view(abs_a), strided_view(abs_b), strided_view(scale));
  return close(out, expected, scale, rounding_tolerance(out.dtype()));
}

// `batch` with leading 1s up to `rank` dims.
Dims left_pad(const Dims& batch, int rank) {
  Dims padded = batch;
  while (padded.size() < rank)
    padded.insert(0, 1);
  return padded;
}

// a (batch_a..., m, k) @ b (batch_b..., k, n) into a fresh output of the broadcast batch shape,
// each with a random layout. The batches are padded to one rank, as the frontend does.
void expect_matmul(Rng& rng, DType dtype, const Dims& batch_a, const Dims& batch_b, int64_t m,
                   int64_t k, int64_t n) {
  const int rank = std::max(batch_a.size(), batch_b.size());
  const Tensor a = random_strided(rng, concat(left_pad(batch_a, rank), {m, k}), dtype, -2, 2);
  const Tensor b = random_strided(rng, concat(left_pad(batch_b, rank), {k, n}), dtype, -2, 2);
  const Tensor out = output(rng, concat(broadcast_shape(batch_a, batch_b), {m, n}), dtype);
  EXPECT_TRUE(matmul_matches(a, b, out)) << describe(a) << " @ " << describe(b);
}

TEST(CudaKernels, MatmulMiniTorchCases) {
  Rng rng = test_rng();
  for (DType dtype : kDTypes) {
    expect_matmul(rng, dtype, {}, {}, 2, 2, 2);
    expect_matmul(rng, dtype, {}, {}, 32, 32, 32);
    expect_matmul(rng, dtype, {}, {}, 33, 33, 33);
    expect_matmul(rng, dtype, {2}, {2}, 33, 33, 33);
    expect_matmul(rng, dtype, {2}, {2}, 45, 33, 40);
  }
}

// Sizes that are not multiples of the 64 x 64 x 16 tiles, empty dims, and broadcast batches.
TEST(CudaKernels, MatmulTileEdgesAndBroadcastBatches) {
  Rng rng = test_rng();
  for (DType dtype : kDTypes) {
    expect_matmul(rng, dtype, {}, {}, 1, 1, 1);
    expect_matmul(rng, dtype, {}, {}, 7, 5, 130);
    expect_matmul(rng, dtype, {}, {}, 7, 130, 3);
    expect_matmul(rng, dtype, {}, {}, 65, 17, 65);
    expect_matmul(rng, dtype, {2, 1}, {1, 3}, 65, 17, 3);
    expect_matmul(rng, dtype, {3}, {1}, 17, 1, 66);
    expect_matmul(rng, dtype, {}, {}, 4, 0, 5);  // k = 0: zeros
    expect_matmul(rng, dtype, {}, {}, 0, 3, 5);  // nothing to write
  }
}

TEST(CudaKernels, MatmulRandomShapesAndLayouts) {
  Rng rng = test_rng();
  for (DType dtype : kDTypes)
    for (int c = 0; c < 3 * kCasesPerOp; ++c) {
      const auto [batch_a, batch_b] = random_broadcast_pair(rng, 2, 3);
      expect_matmul(rng, dtype, batch_a, batch_b, uniform_int(rng, 0, 70), uniform_int(rng, 0, 40),
                    uniform_int(rng, 0, 70));
    }
}

TEST(CudaKernels, EmptyOutputsLaunchNothing) {
  const Tensor empty = Tensor::empty({3, 0}, DType::Float32);
  const Tensor in = Tensor::empty({3, 1}, DType::Float32);
  const mt_cuda_view out = view(empty), src = view(in);
  EXPECT_EQ(cuda::map(UnaryOp::Exp, src, out, nullptr), cudaSuccess);
  EXPECT_EQ(cuda::zip(BinaryOp::Add, src, src, out, nullptr), cudaSuccess);
  EXPECT_EQ(cuda::copy(src, out, nullptr), cudaSuccess);
  EXPECT_EQ(cuda::fill(out, 1, nullptr), cudaSuccess);
  EXPECT_EQ(cuda::random(out, 1, 0, 1, 1, 0, nullptr), cudaSuccess);
  EXPECT_EQ(cuda::reduce(ReduceOp::Sum, view(Tensor::empty({0, 4}, DType::Float32)),
                         view(Tensor::empty({0, 1}, DType::Float32)), nullptr),
            cudaSuccess);
  EXPECT_EQ(cudaGetLastError(), cudaSuccess);
}

TEST(CudaKernels, RejectsUnknownOpsDTypesAndShapes) {
  const mt_cuda_view x = view(Tensor::empty({2, 2}, DType::Float32));
  const mt_cuda_view y = view(Tensor::empty({2, 2}, DType::Float64));
  mt_cuda_view bad_dtype = x;
  bad_dtype.dtype = 7;
  EXPECT_EQ(cuda::map(static_cast<UnaryOp>(kUnaryOpCount), x, x, nullptr), cudaErrorInvalidValue);
  EXPECT_EQ(cuda::map(UnaryOp::Neg, y, x, nullptr), cudaErrorInvalidValue);
  EXPECT_EQ(cuda::zip(static_cast<BinaryOp>(-1), x, x, x, nullptr), cudaErrorInvalidValue);
  EXPECT_EQ(cuda::zip_backward(BinaryOp::Add, 2, x, x, x, x, nullptr), cudaErrorInvalidValue);
  EXPECT_EQ(cuda::reduce(static_cast<ReduceOp>(kReduceOpCount), x, x, nullptr),
            cudaErrorInvalidValue);
  EXPECT_EQ(cuda::fill(bad_dtype, 0, nullptr), cudaErrorInvalidValue);
  EXPECT_EQ(cuda::random(x, 2, 0, 1, 0, 0, nullptr), cudaErrorInvalidValue);
  const mt_cuda_view row = view(Tensor::empty({1, 3}, DType::Float32));
  EXPECT_EQ(cuda::matmul(x, row, x, nullptr), cudaErrorInvalidValue);
  EXPECT_EQ(cuda::reduce(ReduceOp::Sum, row, x, nullptr), cudaErrorInvalidValue);
}

}  // namespace
}  // namespace mt::test
