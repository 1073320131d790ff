// Views: shared storage, strides, and the values each view shows.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

#include "mt.hpp"
#include "test_support.hpp"

namespace {

using mt::test::throws_error;

using mt::Dims;
using mt::Tensor;

// 0, 1, 2, ... in `shape`, as float64 so that every value is exact.
Tensor iota(const Dims& shape) {
  return mt::arange(0, static_cast<double>(mt::checked_numel(shape)), 1, mt::DType::Float64)
      .view(shape);
}

std::vector<double> values(const Tensor& t) { return mt::to_vector<double>(t); }

TEST(Views, PermuteSharesStorageAndWritesShowInTheBase) {
  const Tensor base = iota({2, 3, 4});
  const Tensor p = base.permute({2, 0, 1});
  EXPECT_TRUE(p.shares_storage(base));
  EXPECT_EQ(p.shape(), (Dims{4, 2, 3}));
  EXPECT_EQ(p.strides(), (Dims{1, 12, 4}));
  EXPECT_FALSE(p.is_contiguous());
  EXPECT_EQ(p.get({3, 1, 2}), base.get({1, 2, 3}));
  p.set({3, 1, 2}, -7);
  EXPECT_EQ(base.get({1, 2, 3}), -7);
}

TEST(Views, PermuteRejectsNonPermutations) {
  const Tensor t = iota({2, 3});
  EXPECT_TRUE(throws_error(
      [&] {
        t.permute({0, 0});
      },
      {mt::ErrorCode::InvalidArgument}, {"(0, 0)"}));
  EXPECT_TRUE(throws_error([&] { t.permute({0}); }, {mt::ErrorCode::InvalidArgument}, {"rank 2"}));
  EXPECT_TRUE(throws_error(
      [&] {
        t.permute({0, 2});
      },
      {mt::ErrorCode::IndexOutOfRange}, {"dim 2"}));
}

TEST(Views, TransposeSwapsTwoDims) {
  const Tensor t = iota({2, 3});
  const Tensor tt = t.transpose(0, -1);
  EXPECT_EQ(values(tt), (std::vector<double>{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(tt.strides(), (Dims{1, 3}));
}

TEST(Views, ViewOfContiguousSharesStorageAndInfersMinusOne) {
  const Tensor t = iota({2, 3, 4});
  const Tensor v = t.view({4, -1});
  EXPECT_EQ(v.shape(), (Dims{4, 6}));
  EXPECT_TRUE(v.shares_storage(t));
  EXPECT_EQ(values(v), values(t));
  v.set({3, 5}, 100);
  EXPECT_EQ(t.get({1, 2, 3}), 100);
  EXPECT_EQ(iota({1, 1}).view({}).dim(), 0);
  EXPECT_EQ(iota({}).view({1, 1, -1}).shape(), (Dims{1, 1, 1}));
}

TEST(Views, ViewErrors) {
  const Tensor t = iota({2, 3, 4});
  EXPECT_TRUE(throws_error(
      [&] {
        t.view({5, 5});
      },
      {mt::ErrorCode::ShapeMismatch}, {"(2, 3, 4)", "(5, 5)"}));
  EXPECT_TRUE(throws_error(
      [&] {
        t.view({-1, -1});
      },
      {mt::ErrorCode::InvalidArgument}, {"more than one -1"}));
  EXPECT_TRUE(throws_error([&] { t.view({-2, 12}); }, {mt::ErrorCode::InvalidArgument}, {"-2"}));
  EXPECT_TRUE(throws_error([&] { t.view({5, -1}); }, {mt::ErrorCode::ShapeMismatch}, {"(5, -1)"}));
  // The transpose's elements are not evenly spaced in row-major order: no view exists.
  EXPECT_TRUE(throws_error([&] { t.transpose(1, 2).view({24}); }, {mt::ErrorCode::ShapeMismatch},
                           {"reshape"}));
}

TEST(Views, ViewOfNonContiguousWhereStridesAllow) {
  // (4, 6) transposed is (6, 4) with strides (1, 6); splitting dim 0 keeps it a view.
  const Tensor t = iota({4, 6}).transpose(0, 1);
  const Tensor v = t.view({2, 3, 4});
  EXPECT_TRUE(v.shares_storage(t));
  EXPECT_EQ(v.strides(), (Dims{3, 1, 6}));
  EXPECT_EQ(values(v), values(t));
  // Merging the unit dims in and out of a sliced tensor also stays a view.
  const Tensor s = iota({4, 5}).narrow(1, 1, 3).unsqueeze(1);  // (4, 1, 3), row stride 5
  const Tensor m = s.view({4, 3, 1});
  EXPECT_TRUE(m.shares_storage(s));
  EXPECT_EQ(values(m), values(s));
}

TEST(Views, ReshapeCopiesOnlyWhenItMust) {
  const Tensor t = iota({2, 3, 4});
  EXPECT_TRUE(t.reshape({6, 4}).shares_storage(t));
  const Tensor r = t.transpose(1, 2).reshape({24});
  EXPECT_FALSE(r.shares_storage(t));
  EXPECT_EQ(values(r), values(t.transpose(1, 2)));
}

TEST(Views, RandomPermuteThenReshapeMatchesTheRowMajorOrder) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 50; ++trial) {
    const int rank = 1 + static_cast<int>(rng() % 4);
    Dims shape;
    for (int d = 0; d < rank; ++d)
      shape.push_back(1 + static_cast<int64_t>(rng() % 4));
    Dims order = shape;
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    const Tensor p = iota(shape).permute(order);
    // Independent row-major walk of the permuted tensor.
    std::vector<double> expected;
    Dims index = Dims::filled(rank, 0);
    for (int64_t i = 0; i < p.numel(); ++i) {
      expected.push_back(p.get(index));
      for (int d = rank - 1; d >= 0 && ++index[d] == p.shape()[d]; --d)
        index[d] = 0;
    }
    EXPECT_EQ(values(p.reshape({-1})), expected) << "shape " << shape << " order " << order;
    EXPECT_EQ(values(p.contiguous()), expected);
    EXPECT_TRUE(p.contiguous().is_contiguous());
  }
}

TEST(Views, ExpandBroadcastsWithZeroStrides) {
  const Tensor col = iota({3, 1});
  const Tensor e = col.expand({2, 3, 4});
  EXPECT_EQ(e.strides(), (Dims{0, 1, 0}));
  EXPECT_TRUE(e.shares_storage(col));
  EXPECT_EQ(e.get({1, 2, 3}), 2);
  col.set({2, 0}, 9);
  EXPECT_EQ(e.get({0, 2, 1}), 9);
  // A write through the broadcast view would change all 8 elements that share it.
  EXPECT_TRUE(throws_error(
      [&] {
        e.set({0, 2, 1}, 5);
      },
      {mt::ErrorCode::InvalidArgument}, {"set", "broadcast view"}));
  EXPECT_EQ(col.get({2, 0}), 9);
  col.expand({3, 1}).set({1, 0}, 4);  // size-1 dims with stride 0 overlap nothing
  EXPECT_EQ(col.get({1, 0}), 4);
  EXPECT_EQ(col.expand({-1, 5}).shape(), (Dims{3, 5}));
  EXPECT_TRUE(throws_error(
      [&] {
        col.expand({4, 4});
      },
      {mt::ErrorCode::ShapeMismatch}, {"(3, 1)", "(4, 4)"}));
  EXPECT_TRUE(throws_error([&] { col.expand({3}); }, {mt::ErrorCode::ShapeMismatch}, {"(3,)"}));
  EXPECT_TRUE(throws_error(
      [&] {
        col.expand({-1, 3, 4});
      },
      {mt::ErrorCode::InvalidArgument}, {"-1"}));
}

TEST(Views, NarrowSliceSelect) {
  const Tensor t = iota({4, 5});
  const Tensor n = t.narrow(1, 1, 3);
  EXPECT_EQ(n.shape(), (Dims{4, 3}));
  EXPECT_EQ(n.offset(), 1);
  EXPECT_EQ(n.get({2, 0}), 11);
  EXPECT_EQ(t.narrow(0, -2, 2).get({0, 0}), 10);
  EXPECT_EQ(t.narrow(1, 5, 0).numel(), 0);

  // Python's t[:, 1::2], t[:, -2:], t[:, 10:20], t[::3]
  EXPECT_EQ(values(t.slice(1, 1, 5, 2).select(0, 0)), (std::vector<double>{1, 3}));
  EXPECT_EQ(values(t.slice(1, -2, 5).select(0, 1)), (std::vector<double>{8, 9}));
  EXPECT_EQ(t.slice(1, 10, 20).numel(), 0);
  EXPECT_EQ(values(t.slice(0, 0, 4, 3).select(1, 0)), (std::vector<double>{0, 15}));
  EXPECT_EQ(t.slice(0, 0, 4, 3).strides(), (Dims{15, 1}));

  const Tensor row = t.select(0, -1);
  EXPECT_EQ(values(row), (std::vector<double>{15, 16, 17, 18, 19}));
  row.set({0}, -1);
  EXPECT_EQ(t.get({3, 0}), -1);
  EXPECT_EQ(t.select(0, 1).select(0, 2).dim(), 0);

  EXPECT_TRUE(
      throws_error([&] { t.narrow(1, 3, 3); }, {mt::ErrorCode::IndexOutOfRange}, {"size 5"}));
  EXPECT_TRUE(
      throws_error([&] { t.narrow(1, 6, 0); }, {mt::ErrorCode::IndexOutOfRange}, {"start 6"}));
  EXPECT_TRUE(throws_error([&] { t.select(0, 4); }, {mt::ErrorCode::IndexOutOfRange},
                           {"index 4", "size 4"}));
  EXPECT_TRUE(throws_error([&] { t.select(2, 0); }, {mt::ErrorCode::IndexOutOfRange}, {"dim 2"}));
  EXPECT_TRUE(
      throws_error([&] { t.slice(0, 0, 4, 0); }, {mt::ErrorCode::InvalidArgument}, {"step"}));
}

TEST(Views, UnsqueezeSqueeze) {
  const Tensor t = iota({2, 3});
  EXPECT_EQ(t.unsqueeze(0).shape(), (Dims{1, 2, 3}));
  EXPECT_EQ(t.unsqueeze(-1).shape(), (Dims{2, 3, 1}));
  EXPECT_EQ(t.unsqueeze(1).shape(), (Dims{2, 1, 3}));
  EXPECT_TRUE(t.unsqueeze(1).is_contiguous());
  EXPECT_EQ(t.unsqueeze(1).squeeze(1).shape(), t.shape());
  EXPECT_TRUE(throws_error([&] { t.squeeze(0); }, {mt::ErrorCode::ShapeMismatch}, {"size 2"}));
  EXPECT_TRUE(throws_error([&] { t.unsqueeze(4); }, {mt::ErrorCode::IndexOutOfRange}, {"dim 4"}));
}

TEST(Views, ContiguousAndCopies) {
  const Tensor t = iota({3, 4});
  EXPECT_TRUE(t.contiguous().shares_storage(t));
  const Tensor c = t.transpose(0, 1).contiguous();
  EXPECT_FALSE(c.shares_storage(t));
  EXPECT_TRUE(c.is_contiguous());
  EXPECT_EQ(values(c), values(t.transpose(0, 1)));
  const Tensor f = t.to(mt::DType::Float32);
  EXPECT_EQ(f.dtype(), mt::DType::Float32);
  EXPECT_EQ(mt::to_vector<float>(f)[7], 7.0f);
  const Tensor k = t.clone();
  k.set({0, 0}, 42);
  EXPECT_EQ(t.get({0, 0}), 0) << "clone must not share storage";
}

TEST(Views, ViewsKeepTheStorageAlive) {
  int deleted = 0;
  std::vector<float> buffer{1, 2, 3, 4, 5, 6};
  Tensor view;
  {
    auto storage = mt::Storage::wrap(buffer.data(), 24, [&](void*) { ++deleted; });
    const Tensor base(std::move(storage), 0, {2, 3}, {3, 1}, mt::DType::Float32);
    view = base.transpose(0, 1).narrow(0, 1, 2);
  }
  EXPECT_EQ(deleted, 0);
  EXPECT_EQ(view.get({1, 1}), 6);
  view = Tensor();
  EXPECT_EQ(deleted, 1);
}

TEST(Views, SharesMemoryAcrossStoragesOverTheSameBytes) {
  std::vector<float> buffer(9, 1);
  const auto over = [&](int64_t first, int64_t count) {
    return Tensor(mt::Storage::wrap(buffer.data() + first, 4 * count, {}), 0, {count}, {1},
                  mt::DType::Float32);
  };
  const Tensor a = over(0, 4), b = over(3, 5), c = over(4, 4), none = over(2, 0);
  EXPECT_FALSE(a.shares_storage(b));
  EXPECT_TRUE(a.shares_memory(b));   // element 3
  EXPECT_TRUE(b.shares_memory(c));   // elements 4 to 7
  EXPECT_FALSE(a.shares_memory(c));  // adjacent, not overlapping
  EXPECT_FALSE(none.shares_memory(a));
  EXPECT_TRUE(a.shares_memory(a.narrow(0, 3, 1)));
}

TEST(Views, TensorConstructorChecksTheStorageBounds) {
  auto storage = mt::Storage::allocate(6 * 4);
  EXPECT_NO_THROW(Tensor(storage, 0, {2, 3}, {3, 1}, mt::DType::Float32));
  EXPECT_NO_THROW(Tensor(storage, 5, {0, 7}, {7, 1}, mt::DType::Float32));
  EXPECT_TRUE(throws_error(
      [&] {
        Tensor(storage, 1, {2, 3}, {3, 1}, mt::DType::Float32);
      },
      {mt::ErrorCode::InvalidArgument}, {"needs 28 bytes", "24"}));
  EXPECT_TRUE(throws_error(
      [&] {
        Tensor(storage, 0, {2, 3}, {3, 1}, mt::DType::Float64);
      },
      {mt::ErrorCode::InvalidArgument}, {"48 bytes"}));
  EXPECT_TRUE(throws_error(
      [&] {
        Tensor(storage, 0, {2, 3}, {-3, 1}, mt::DType::Float32);
      },
      {mt::ErrorCode::InvalidArgument}, {"negative stride"}));
  EXPECT_TRUE(throws_error([&] { Tensor(storage, -1, {2}, {1}, mt::DType::Float32); },
                           {mt::ErrorCode::InvalidArgument}, {"offset -1"}));
  EXPECT_TRUE(throws_error(
      [&] {
        Tensor(storage, 0, {2}, {1, 1}, mt::DType::Float32);
      },
      {mt::ErrorCode::InvalidArgument}, {"ranks"}));
  EXPECT_TRUE(throws_error([&] { Tensor(storage, 0, {2}, {INT64_MAX}, mt::DType::Float32); },
                           {mt::ErrorCode::Overflow}));
  EXPECT_TRUE(throws_error([&] { Tensor(storage, 0, {2}, {1}, static_cast<mt::DType>(7)); },
                           {mt::ErrorCode::DTypeMismatch}, {"7"}));
}

TEST(Views, ElementAccessChecksIndices) {
  const Tensor t = iota({2, 3});
  EXPECT_TRUE(throws_error(
      [&] {
        t.get({2, 0});
      },
      {mt::ErrorCode::IndexOutOfRange}, {"(2, 0)", "(2, 3)"}));
  EXPECT_TRUE(throws_error([&] { t.get({0}); }, {mt::ErrorCode::IndexOutOfRange}, {"rank 1"}));
  EXPECT_TRUE(throws_error([&] { t.item(); }, {mt::ErrorCode::ShapeMismatch}, {"(2, 3)"}));
  EXPECT_EQ(t.select(0, 1).select(0, 2).item(), 5);
  EXPECT_TRUE(throws_error([&] { t.data<float>(); }, {mt::ErrorCode::DTypeMismatch},
                           {"float64", "float32"}));
}

}  // namespace
