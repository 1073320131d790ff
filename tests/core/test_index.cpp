// Index math: to_index, index_to_position, broadcast_index, shape_broadcast and the checked
// size computations.
#include <gtest/gtest.h>

#include <string>

#include "mt.hpp"
#include "test_support.hpp"

namespace {

using mt::test::throws_error;

using mt::Dims;

TEST(Dims, FormatsLikePythonTuples) {
  EXPECT_EQ(mt::to_string(Dims{}), "()");
  EXPECT_EQ(mt::to_string(Dims{5}), "(5,)");
  EXPECT_EQ(mt::to_string(Dims{5, 7, 5, 1}), "(5, 7, 5, 1)");
}

TEST(Dims, HoldsUpToTheMaximumRank) {
  Dims dims = Dims::filled(mt::kMaxRank, 1);
  EXPECT_EQ(dims.size(), mt::kMaxRank);
  EXPECT_TRUE(
      throws_error([&] { dims.push_back(1); }, {mt::ErrorCode::InvalidArgument}, {"maximum rank"}));
  EXPECT_TRUE(throws_error([] { Dims::filled(mt::kMaxRank + 1, 0); },
                           {mt::ErrorCode::InvalidArgument}, {std::to_string(mt::kMaxRank + 1)}));
  Dims small{1, 2, 3};
  small.insert(0, 9);
  small.erase(2);
  EXPECT_EQ(small, (Dims{9, 1, 3}));
}

TEST(Index, ToIndexEnumeratesRowMajorOrder) {
  const Dims shape{2, 3, 4};
  int64_t ordinal = 0;
  Dims index;
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j)
      for (int64_t k = 0; k < 4; ++k, ++ordinal) {
        mt::to_index(ordinal, shape, index);
        EXPECT_EQ(index, (Dims{i, j, k})) << "ordinal " << ordinal;
      }
}

TEST(Index, PositionOfToIndexIsTheOrdinalForContiguousStrides) {
  for (const Dims& shape : {Dims{}, Dims{7}, Dims{3, 1, 4}, Dims{2, 3, 4, 5}, Dims{1, 1, 6, 1}}) {
    const Dims strides = mt::contiguous_strides(shape);
    const int64_t numel = mt::checked_numel(shape);
    Dims index;
    for (int64_t ordinal = 0; ordinal < numel; ++ordinal) {
      mt::to_index(ordinal, shape, index);
      ASSERT_EQ(mt::index_to_position(index, strides), ordinal) << "shape " << shape;
    }
  }
}

TEST(Index, ContiguousStrides) {
  EXPECT_EQ(mt::contiguous_strides(Dims{2, 3, 4}), (Dims{12, 4, 1}));
  EXPECT_EQ(mt::contiguous_strides(Dims{5}), (Dims{1}));
  EXPECT_EQ(mt::contiguous_strides(Dims{}), (Dims{}));
  EXPECT_EQ(mt::index_to_position(Dims{1, 2, 3}, Dims{12, 4, 1}), 23);
}

TEST(Index, BroadcastIndexReadsElementZeroOfSizeOneDims) {
  const Dims big_shape{5, 5, 5, 5};
  Dims out;
  mt::broadcast_index(Dims{1, 2, 3, 4}, big_shape, Dims{5, 1, 5, 1}, out);
  EXPECT_EQ(out, (Dims{1, 0, 3, 0}));
  // A shorter shape aligns on the right.
  mt::broadcast_index(Dims{1, 2, 3, 4}, big_shape, Dims{1, 4}, out);
  EXPECT_EQ(out, (Dims{0, 4}));
  mt::broadcast_index(Dims{1, 2, 3, 4}, big_shape, Dims{}, out);
  EXPECT_EQ(out, (Dims{}));
}

TEST(Index, ShapeBroadcastFollowsNumpy) {
  EXPECT_EQ(mt::shape_broadcast({1}, {5, 5}), (Dims{5, 5}));
  EXPECT_EQ(mt::shape_broadcast({5, 5}, {1}), (Dims{5, 5}));
  EXPECT_EQ(mt::shape_broadcast({1, 5, 5}, {5, 5}), (Dims{1, 5, 5}));
  EXPECT_EQ(mt::shape_broadcast({5, 1, 5, 1}, {1, 5, 1, 5}), (Dims{5, 5, 5, 5}));
  EXPECT_EQ(mt::shape_broadcast({2, 5}, {5}), (Dims{2, 5}));
  EXPECT_EQ(mt::shape_broadcast({}, {3, 0}), (Dims{3, 0}));
  EXPECT_EQ(mt::shape_broadcast({1, 0}, {4, 1}), (Dims{4, 0}));
}

TEST(Index, ShapeBroadcastErrorsNameBothShapes) {
  EXPECT_TRUE(throws_error(
      [] {
        mt::shape_broadcast({5, 7, 5, 1}, {1, 5, 1, 5});
      },
      {mt::ErrorCode::ShapeMismatch}, {"(5, 7, 5, 1)", "(1, 5, 1, 5)"}));
  EXPECT_TRUE(throws_error(
      [] {
        mt::shape_broadcast({5, 2}, {5});
      },
      {mt::ErrorCode::ShapeMismatch}, {"(5, 2)", "(5,)"}));
  EXPECT_TRUE(throws_error([] { mt::shape_broadcast({0}, {2}); }, {mt::ErrorCode::ShapeMismatch},
                           {"(0,)", "(2,)"}));
}

TEST(Index, CheckedSizes) {
  EXPECT_EQ(mt::checked_numel({}), 1);
  EXPECT_EQ(mt::checked_numel({2, 0, 3}), 0);
  const int64_t huge = int64_t{1} << 40;
  EXPECT_EQ(mt::checked_numel({0, huge, huge}), 0);
  EXPECT_TRUE(throws_error(
      [&] {
        mt::checked_numel({huge, huge});
      },
      {mt::ErrorCode::Overflow}, {"(1099511627776, 1099511627776)"}));
  EXPECT_TRUE(throws_error(
      [] {
        mt::checked_numel({3, -2});
      },
      {mt::ErrorCode::InvalidArgument}, {"negative", "(3, -2)"}));
  EXPECT_TRUE(throws_error([] { mt::checked_mul(INT64_MAX, 2, "test"); }, {mt::ErrorCode::Overflow},
                           {"test"}));
  EXPECT_TRUE(throws_error([] { mt::checked_add(INT64_MAX, 1, "test"); }, {mt::ErrorCode::Overflow},
                           {"test"}));
}

TEST(Index, NormalizeDim) {
  EXPECT_EQ(mt::normalize_dim(-1, 3), 2);
  EXPECT_EQ(mt::normalize_dim(-3, 3), 0);
  EXPECT_EQ(mt::normalize_dim(2, 3), 2);
  EXPECT_TRUE(throws_error([] { mt::normalize_dim(3, 3); }, {mt::ErrorCode::IndexOutOfRange},
                           {"dim 3", "rank 3"}));
  EXPECT_TRUE(
      throws_error([] { mt::normalize_dim(-4, 3); }, {mt::ErrorCode::IndexOutOfRange}, {"dim -4"}));
  EXPECT_TRUE(
      throws_error([] { mt::normalize_dim(0, 0); }, {mt::ErrorCode::IndexOutOfRange}, {"rank 0"}));
  EXPECT_TRUE(throws_error([] { mt::normalize_dim(-1, 0); }, {mt::ErrorCode::IndexOutOfRange},
                           {"dim -1 is out of range: a tensor of rank 0 has no dims"}));
}

}  // namespace
