// The one iterator (base/strided_layout.hpp) against a brute-force walk: on random shapes,
// strides and broadcasts, in both orders, the layout visits every element of operand 0's shape
// exactly once with every operand's right offset; in logical order, ordinal i is the i-th
// element in row-major order; for_each_run walks the same elements as offsets().
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "base/strided_layout.hpp"
#include "test_support.hpp"

namespace mt::test {
namespace {

constexpr int kOperands = 3;

struct TestView {
  int32_t rank = 0;
  int64_t shape[kMaxRank] = {};
  int64_t strides[kMaxRank] = {};
};

using Offsets = std::array<int64_t, kOperands>;

// Operand 0 has `shape` and random strides (any sign, gaps, zeros); the others have random
// trailing parts of it with dims set to 1 (broadcast), and random strides of their own.
std::array<TestView, kOperands> random_views(Rng& rng, const Dims& shape) {
  std::array<TestView, kOperands> views;
  for (int k = 0; k < kOperands; ++k) {
    TestView& v = views[k];
    v.rank = k == 0 ? shape.size() : static_cast<int32_t>(uniform_int(rng, 0, shape.size()));
    const int lead = shape.size() - v.rank;
    // Row-major strides over a random permutation of the dims, sometimes padded or negated.
    std::vector<int> order(v.rank);
    for (int d = 0; d < v.rank; ++d)
      order[d] = d;
    if (chance(rng, 0.5)) std::shuffle(order.begin(), order.end(), rng);
    int64_t step = chance(rng, 0.2) ? 2 : 1;
    for (int i = v.rank - 1; i >= 0; --i) {
      const int d = order[i];
      v.shape[d] = k > 0 && chance(rng, 0.3) ? 1 : shape[lead + d];
      v.strides[d] = chance(rng, 0.1) ? 0 : (chance(rng, 0.1) ? -step : step);
      step *= std::max<int64_t>(1, v.shape[d]) + (chance(rng, 0.2) ? 1 : 0);
    }
  }
  return views;
}

// Each operand's offset of every element of `shape`, in row-major order.
std::vector<Offsets> brute_force(const Dims& shape, const std::array<TestView, kOperands>& views) {
  std::vector<Offsets> all;
  int64_t numel = 1;
  for (int d = 0; d < shape.size(); ++d)
    numel *= shape[d];
  for (int64_t i = 0; i < numel; ++i) {
    Offsets at{};
    int64_t rest = i;
    for (int d = shape.size() - 1; d >= 0; --d) {
      const int64_t index = rest % shape[d];
      rest /= shape[d];
      for (int k = 0; k < kOperands; ++k) {
        const int e = d - (shape.size() - views[k].rank);
        if (e >= 0 && views[k].shape[e] != 1) at[k] += index * views[k].strides[e];
      }
    }
    all.push_back(at);
  }
  return all;
}

TEST(StridedLayout, VisitsEveryElementOnceWithEachOperandsOffset) {
  Rng rng = test_rng();
  for (int trial = 0; trial < 400; ++trial) {
    const Dims shape = random_shape(rng, 6, 4);
    const auto views = random_views(rng, shape);
    const TestView* const operands[kOperands] = {&views[0], &views[1], &views[2]};
    const std::vector<Offsets> expected = brute_force(shape, views);
    for (const LayoutOrder order : {LayoutOrder::Logical, LayoutOrder::Strides}) {
      const StridedLayout<kOperands> l = make_layout(operands, order);
      ASSERT_EQ(l.numel, static_cast<int64_t>(expected.size()));
      std::vector<Offsets> seen;
      for (int64_t i = 0; i < l.numel; ++i) {
        int64_t at[kOperands];
        l.offsets(i, at);
        seen.push_back({at[0], at[1], at[2]});
      }
      if (order == LayoutOrder::Logical) {
        EXPECT_EQ(seen, expected) << "shape " << shape;
      } else {
        std::vector<Offsets> sorted_seen = seen, sorted_expected = expected;
        std::sort(sorted_seen.begin(), sorted_seen.end());
        std::sort(sorted_expected.begin(), sorted_expected.end());
        EXPECT_EQ(sorted_seen, sorted_expected) << "shape " << shape;
      }
      // for_each_run over a random sub-range gives the same elements in the same order.
      const int64_t begin = uniform_int(rng, 0, l.numel), end = uniform_int(rng, begin, l.numel);
      std::vector<Offsets> runs;
      for_each_run(l, begin, end, [&](const int64_t* at, int64_t n) {
        EXPECT_LE(n, l.inner());
        for (int64_t j = 0; j < n; ++j)
          runs.push_back({at[0] + j * l.inner_stride(0), at[1] + j * l.inner_stride(1),
                          at[2] + j * l.inner_stride(2)});
      });
      EXPECT_EQ(runs, std::vector<Offsets>(seen.begin() + begin, seen.begin() + end));
    }
  }
}

TEST(StridedLayout, SimplifiesContiguousBroadcastAndTransposedOperands) {
  TestView out{2, {4, 5}, {5, 1}}, row{1, {5}, {1}}, transposed{2, {4, 5}, {1, 4}};
  // Row-major operands of one shape: one flat dim of stride 1.
  const TestView* const same[2] = {&out, &out};
  const auto flat = make_layout(same, LayoutOrder::Strides);
  EXPECT_EQ(flat.rank, 1);
  EXPECT_EQ(flat.shape[0], 20);
  EXPECT_TRUE(flat.contiguous());
  // A broadcast row: two dims, stride 0 on the outer one.
  const TestView* const broadcast[2] = {&out, &row};
  const auto b = make_layout(broadcast, LayoutOrder::Logical);
  ASSERT_EQ(b.rank, 2);
  EXPECT_EQ(b.strides[1][0], 0);
  EXPECT_EQ(b.strides[1][1], 1);
  EXPECT_FALSE(b.contiguous());
  // Stride order puts operand 0's fastest dim innermost; logical order keeps the shape's.
  const TestView* const t_first[2] = {&transposed, &out};
  EXPECT_EQ(make_layout(t_first, LayoutOrder::Strides).strides[0][1], 1);
  EXPECT_EQ(make_layout(t_first, LayoutOrder::Logical).strides[0][1], 4);
  // Size-1 dims go; a single element is one flat run.
  TestView ones{3, {1, 1, 1}, {7, 3, 2}};
  const TestView* const one[1] = {&ones};
  const auto single = make_layout(one, LayoutOrder::Logical);
  EXPECT_EQ(single.numel, 1);
  EXPECT_TRUE(single.contiguous());
}

}  // namespace
}  // namespace mt::test
