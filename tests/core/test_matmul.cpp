// mt::matmul against a triple loop written in the test and against the lecture's formulation
// from views, zip and reduce: (A.view(I, J, 1) * B.view(1, J, K)).sum(1).view(I, K).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <iterator>
#include <string_view>

#include "mt.hpp"
#include "test_support.hpp"

namespace mt::test {
namespace {

constexpr int kTrials = 20;
// Sizes that hit the empty, degenerate, odd and larger-than-a-block cases.
constexpr int64_t kSizes[] = {0, 1, 2, 3, 4, 7, 13, 33};

int64_t random_size(Rng& rng) { return kSizes[uniform_int(rng, 0, std::size(kSizes) - 1)]; }

// numpy's matmul as plain loops: the result shape and, per output index, the value and
// sum |a * b| (the scale of the rounding error).
struct NaiveMatmul {
  Dims shape;
  ScaledExpectedFn at;
};

Dims leading(const Dims& dims, int count) {
  Dims out;
  for (int d = 0; d < count; ++d)
    out.push_back(dims[d]);
  return out;
}

NaiveMatmul naive_matmul(const Tensor& a, const Tensor& b) {
  const bool a_vector = a.dim() == 1;
  const bool b_vector = b.dim() == 1;
  const Dims a_batch = leading(a.shape(), a_vector ? 0 : a.dim() - 2);
  const Dims b_batch = leading(b.shape(), b_vector ? 0 : b.dim() - 2);
  const Dims batch = broadcast_shape(a_batch, b_batch);
  const int64_t n = a_vector ? 1 : a.size(-2);
  const int64_t k = a.size(-1);
  const int64_t m = b_vector ? 1 : b.size(-1);

  Dims shape = batch;
  if (!a_vector) shape.push_back(n);
  if (!b_vector) shape.push_back(m);
  const int nb = batch.size();
  return {shape, [=](const Dims& out_index) {
            const Dims batch_index = leading(out_index, nb);
            const int64_t i = a_vector ? 0 : out_index[nb];
            const int64_t j = b_vector ? 0 : out_index[out_index.size() - 1];
            Expected result{0, 0};
            for (int64_t kk = 0; kk < k; ++kk) {
              const Dims a_index =
                  concat(broadcast_source(batch_index, a_batch), a_vector ? Dims{kk} : Dims{i, kk});
              const Dims b_index =
                  concat(broadcast_source(batch_index, b_batch), b_vector ? Dims{kk} : Dims{kk, j});
              const double product = at(a, a_index) * at(b, b_index);
              result.value += product;
              result.scale += std::abs(product);
            }
            return result;
          }};
}

// The lecture's zip-then-reduce matmul for (I, J) @ (J, K) and (Bt, I, J) @ (Bt, J, K).
Tensor zip_reduce_matmul(const Tensor& a, const Tensor& b) {
  if (a.dim() == 2) {
    const int64_t i = a.size(0), j = a.size(1), k = b.size(1);
    return sum(a.contiguous().view({i, j, 1}) * b.contiguous().view({1, j, k}), {1}, true)
        .view({i, k});
  }
  const int64_t bt = a.size(0), i = a.size(1), j = a.size(2), k = b.size(2);
  return sum(a.contiguous().view({bt, i, j, 1}) * b.contiguous().view({bt, 1, j, k}), {2}, true)
      .view({bt, i, k});
}

// Checks matmul(a, b) against the loops, and against zip_reduce_matmul where it applies.
void check_matmul(const Tensor& a, const Tensor& b, bool with_zip_reduce) {
  SCOPED_TRACE(cat(describe(a), " @ ", describe(b)));
  const NaiveMatmul naive = naive_matmul(a, b);
  const DType dtype =
      a.dtype() == DType::Float64 || b.dtype() == DType::Float64 ? DType::Float64 : DType::Float32;
  const Tolerance tol = default_tolerance(dtype);
  EXPECT_TRUE(all_close(matmul(a, b), naive.shape, dtype, naive.at, tol)) << "vs loops";
  if (!with_zip_reduce) return;
  const Tensor reference = zip_reduce_matmul(a, b);
  const ScaledExpectedFn from_reference = [&](const Dims& index) {
    return Expected{at(reference, index), naive.at(index).scale};
  };
  EXPECT_TRUE(all_close(matmul(a, b), naive.shape, dtype, from_reference, tol)) << "vs zip-reduce";
}

template <class T> class MatmulTest : public ::testing::Test {
 protected:
  static constexpr DType kDType = dtype_of<T>;
  Tensor random(const Dims& shape) { return random_strided(rng_, shape, kDType, -1, 1); }
  Rng rng_ = test_rng();
};
using DTypes = ::testing::Types<float, double>;
TYPED_TEST_SUITE(MatmulTest, DTypes);

TYPED_TEST(MatmulTest, MatrixTimesMatrix) {
  for (int trial = 0; trial < kTrials; ++trial) {
    const int64_t i = random_size(this->rng_), j = random_size(this->rng_),
                  k = random_size(this->rng_);
    check_matmul(this->random({i, j}), this->random({j, k}), true);
  }
}

TYPED_TEST(MatmulTest, TransposedOperands) {
  for (int trial = 0; trial < kTrials; ++trial) {
    const int64_t i = random_size(this->rng_), j = random_size(this->rng_),
                  k = random_size(this->rng_);
    check_matmul(this->random({j, i}).transpose(0, 1), this->random({k, j}).transpose(1, 0), true);
  }
}

TYPED_TEST(MatmulTest, Batched) {
  for (int trial = 0; trial < kTrials; ++trial) {
    const int64_t bt = uniform_int(this->rng_, 1, 3);
    const int64_t i = random_size(this->rng_), j = random_size(this->rng_),
                  k = uniform_int(this->rng_, 0, 7);
    check_matmul(this->random({bt, i, j}), this->random({bt, j, k}), true);
  }
}

TYPED_TEST(MatmulTest, BroadcastBatchDims) {
  const Tensor a = this->random({2, 1, 3, 4});
  const Tensor b = this->random({5, 4, 6});
  EXPECT_EQ(matmul(a, b).shape(), Dims({2, 5, 3, 6}));
  check_matmul(a, b, false);
  for (int trial = 0; trial < kTrials; ++trial) {
    const auto [a_batch, b_batch] = random_broadcast_pair(this->rng_, 3, 3);
    const int64_t i = uniform_int(this->rng_, 0, 5), j = uniform_int(this->rng_, 0, 5),
                  k = uniform_int(this->rng_, 0, 5);
    check_matmul(this->random(concat(a_batch, {i, j})), this->random(concat(b_batch, {j, k})),
                 false);
  }
}

TYPED_TEST(MatmulTest, OneDimensionalOperandsArePromotedAndSqueezed) {
  struct Case {
    Dims a, b, out;
  };
  const Case cases[] = {{{4}, {4, 3}, {3}},       {{5, 4}, {4}, {5}},       {{7}, {7}, {}},
                        {{4}, {2, 4, 3}, {2, 3}}, {{2, 5, 4}, {4}, {2, 5}}, {{0}, {0}, {}},
                        {{0}, {0, 3}, {3}},       {{1}, {1, 13}, {13}}};
  for (const Case& c : cases) {
    const Tensor a = this->random(c.a);
    const Tensor b = this->random(c.b);
    EXPECT_EQ(matmul(a, b).shape(), c.out) << c.a << " @ " << c.b;
    check_matmul(a, b, false);
  }
  for (int trial = 0; trial < kTrials; ++trial) {
    const int64_t n = random_size(this->rng_), k = random_size(this->rng_);
    check_matmul(this->random({k}), this->random({k, n}), false);
    check_matmul(this->random({n, k}), this->random({k}), false);
    check_matmul(this->random({k}), this->random({k}), false);
  }
}

TEST(MatmulPromotion, MixedDTypesGiveFloat64) {
  Rng rng = test_rng();
  for (int trial = 0; trial < kTrials; ++trial) {
    const int64_t i = random_size(rng), j = random_size(rng), k = random_size(rng);
    check_matmul(random_strided(rng, {i, j}, DType::Float32, -1, 1),
                 random_strided(rng, {j, k}, DType::Float64, -1, 1), true);
    check_matmul(random_strided(rng, {i, j}, DType::Float64, -1, 1),
                 random_strided(rng, {j, k}, DType::Float32, -1, 1), true);
  }
}

TEST(MatmulErrors, IncompatibleShapesNameBothShapes) {
  struct Case {
    Dims a, b;
    std::string_view a_text, b_text;
  };
  const Case shape_mismatches[] = {{{2, 3}, {4, 5}, "(2, 3)", "(4, 5)"},
                                   {{3}, {4}, "(3,)", "(4,)"},
                                   {{2, 3}, {4}, "(2, 3)", "(4,)"},
                                   {{3}, {4, 2}, "(3,)", "(4, 2)"},
                                   {{2, 3, 4}, {5, 4, 6}, "(2, 3, 4)", "(5, 4, 6)"}};
  for (const Case& c : shape_mismatches) {
    EXPECT_TRUE(throws_error([&] { matmul(zeros(c.a), zeros(c.b)); }, {ErrorCode::ShapeMismatch},
                             {c.a_text, c.b_text}));
  }
  const Case rank_zero[] = {{{}, {3}, "()", "(3,)"}, {{3, 3}, {}, "(3, 3)", "()"}};
  for (const Case& c : rank_zero) {
    EXPECT_TRUE(throws_error([&] { matmul(zeros(c.a), zeros(c.b)); },
                             {ErrorCode::InvalidArgument, ErrorCode::ShapeMismatch},
                             {c.a_text, c.b_text}));
  }
}

}  // namespace
}  // namespace mt::test
