// find_self_overlap against brute force on random layouts, and the writes that must refuse an
// output whose elements overlap (Tensor::check_writable: out= ops, set).
#include <map>

#include "tensor/overlap.hpp"
#include "test_support.hpp"

namespace mt::test {
namespace {

int64_t position(const Dims& index, const Dims& strides) {
  int64_t p = 0;
  for (int d = 0; d < index.size(); ++d)
    p += index[d] * strides[d];
  return p;
}

// Two indices of one element found by visiting them all, if any.
bool brute_force_overlaps(const Dims& shape, const Dims& strides) {
  std::map<int64_t, Dims> seen;
  bool overlaps = false;
  for_each_index(shape, [&](const Dims& index) {
    overlaps |= !seen.emplace(position(index, strides), index).second;
  });
  return overlaps;
}

::testing::AssertionResult valid_witness(const SelfOverlap& found, const Dims& shape,
                                         const Dims& strides) {
  if (found.first == found.second)
    return ::testing::AssertionFailure() << "the same index twice: " << found.first;
  for (const Dims* index : {&found.first, &found.second})
    for (int d = 0; d < shape.size(); ++d)
      if ((*index)[d] < 0 || (*index)[d] >= shape[d])
        return ::testing::AssertionFailure() << "index " << *index << " outside " << shape;
  if (position(found.first, strides) != position(found.second, strides))
    return ::testing::AssertionFailure()
           << found.first << " and " << found.second << " are different elements";
  return ::testing::AssertionSuccess();
}

TEST(SelfOverlap, MatchesBruteForceOnRandomLayouts) {
  Rng rng = test_rng();
  int found = 0, interleaved = 0;
  for (int trial = 0; trial < 4000; ++trial) {
    const Dims shape = random_shape(rng, 5, 5);
    Dims strides = shape;
    // Small strides make overlaps and interleavings (strides that are not nested) common.
    const int64_t top = chance(rng, 0.5) ? 4 : 12;
    for (int d = 0; d < shape.size(); ++d)
      strides[d] = uniform_int(rng, chance(rng, 0.1) ? 0 : 1, top);
    const bool expected = brute_force_overlaps(shape, strides);
    const SelfOverlap result = find_self_overlap(shape, strides);
    SCOPED_TRACE(testing::Message() << "shape " << shape << " strides " << strides);
    ASSERT_NE(result.kind, SelfOverlap::Kind::Undecided);
    ASSERT_EQ(result.kind == SelfOverlap::Kind::Found, expected);
    if (expected) {
      ++found;
      EXPECT_TRUE(valid_witness(result, shape, strides));
    } else {
      Dims order = strides;
      std::sort(order.begin(), order.end());
      interleaved += order != strides;
    }
  }
  // Both answers and non-trivial layouts were seen.
  EXPECT_GT(found, 500);
  EXPECT_GT(4000 - found, 500);
  EXPECT_GT(interleaved, 100);
}

TEST(SelfOverlap, KnownLayouts) {
  using Kind = SelfOverlap::Kind;
  EXPECT_EQ(find_self_overlap({3, 4}, {1, 1}).kind, Kind::Found);  // the review's probe
  EXPECT_EQ(find_self_overlap({3, 4}, {4, 1}).kind, Kind::None);   // row-major
  EXPECT_EQ(find_self_overlap({4, 3}, {1, 4}).kind, Kind::None);   // transposed
  EXPECT_EQ(find_self_overlap({3, 2}, {2, 3}).kind, Kind::None);   // 0 2 4 / 3 5 7: interleaved
  EXPECT_EQ(find_self_overlap({4, 2}, {2, 3}).kind, Kind::None);   // 0 2 4 6 / 3 5 7 9
  EXPECT_EQ(find_self_overlap({4, 3}, {2, 3}).kind, Kind::Found);  // (3, 0) and (0, 2): 6
  EXPECT_EQ(find_self_overlap({2, 3, 4}, {0, 4, 1}).kind, Kind::Found);  // broadcast
  EXPECT_EQ(find_self_overlap({1, 3}, {0, 1}).kind, Kind::None);         // size-1 broadcast
  EXPECT_EQ(find_self_overlap({0, 3}, {0, 0}).kind, Kind::None);         // no elements
  EXPECT_EQ(find_self_overlap({}, {}).kind, Kind::None);                 // a scalar
  const SelfOverlap broadcast = find_self_overlap({2, 3, 4}, {0, 4, 1});
  EXPECT_EQ(broadcast.first, (Dims{0, 0, 0}));
  EXPECT_EQ(broadcast.second, (Dims{1, 0, 0}));
}

TEST(SelfOverlap, LargeLayoutsAreDecidedQuickly) {
  // Strides with gaps and interleavings at sizes far beyond brute force.
  const int64_t big = int64_t{1} << 20;
  EXPECT_EQ(find_self_overlap({big, big}, {big + 1, 1}).kind, SelfOverlap::Kind::None);
  EXPECT_EQ(find_self_overlap({big, big}, {big - 1, 1}).kind, SelfOverlap::Kind::Found);
  EXPECT_EQ(find_self_overlap({big, 2}, {2, 3}).kind, SelfOverlap::Kind::None);  // parity
  // 7001 - 143 * 7 - 6 * 1000 = 0
  EXPECT_EQ(find_self_overlap({1000, 1000, 7}, {7001, 7, 1000}).kind, SelfOverlap::Kind::Found);
  EXPECT_EQ(find_self_overlap({1000, 1000, 7}, {7001, 7, 1001}).kind, SelfOverlap::Kind::Found);
  const SelfOverlap found = find_self_overlap({big, big}, {big - 1, 1});
  EXPECT_TRUE(valid_witness(found, {big, big}, {big - 1, 1}));
  // 16 dims of 2 with strides that are not nested: a subset-sum search.
  Dims shape, strides;
  for (int d = 0; d < 16; ++d) {
    shape.push_back(2);
    strides.push_back(1000003 + 7919 * d * d);
  }
  const SelfOverlap subset = find_self_overlap(shape, strides);
  EXPECT_NE(subset.kind, SelfOverlap::Kind::None);
  if (subset.kind == SelfOverlap::Kind::Found) {
    EXPECT_TRUE(valid_witness(subset, shape, strides));
  }
}

TEST(SelfOverlap, UndecidedLayoutsAreRefusedAsOutputs) {
  // 16 dims with large random strides that are not nested: the search for cancelling index
  // differences is a subset-sum problem, and many such layouts exhaust its budget.
  Rng rng = test_rng();
  for (int trial = 0; trial < 50; ++trial) {
    Dims shape, strides;
    int64_t extent = 1;
    for (int d = 0; d < 16; ++d) {
      shape.push_back(uniform_int(rng, 2, 4));
      strides.push_back(uniform_int(rng, 1000000, 2000000));
      extent += (shape[d] - 1) * strides[d];
    }
    if (find_self_overlap(shape, strides).kind != SelfOverlap::Kind::Undecided) continue;
    // The check reads only the layout, so the storage need not hold the bytes it claims.
    double element = 0;
    const Tensor view(Storage::wrap(&element, extent * 8, nullptr), 0, shape, strides,
                      DType::Float64);
    EXPECT_TRUE(throws_error([&] { view.set(Dims::filled(16, 0), 1); },
                             {ErrorCode::InvalidArgument}, {"set", "may have overlapping"}));
    EXPECT_EQ(element, 0);
    return;
  }
  FAIL() << "no layout exhausted the search";
}

// A tensor over `strides` in a storage just large enough (values 0, 1, 2, ... by position).
Tensor strided_view(const Dims& shape, const Dims& strides) {
  int64_t extent = 1;
  for (int d = 0; d < shape.size(); ++d)
    extent += (shape[d] - 1) * strides[d];
  const Tensor base = arange(0, static_cast<double>(extent), 1, DType::Float64);
  return Tensor(base.storage(), 0, shape, strides, DType::Float64);
}

TEST(SelfOverlap, WritesRefuseOverlappingOutputs) {
  const Tensor overlapping = strided_view({3, 4}, {1, 1});
  const std::vector<double> before = to_vector<double>(overlapping);
  const Tensor ones_ = ones({3, 4}, DType::Float64);
  for (const auto& write : std::initializer_list<std::function<void()>>{
           [&] { zip_out(BinaryOp::Add, ones_, ones_, overlapping); },
           [&] { map_out(UnaryOp::Neg, ones_, overlapping); },
           [&] {
             overlapping.set({1, 2}, 5);
           },
           [&] {
             matmul_out(ones({3, 2}, DType::Float64), ones({2, 4}, DType::Float64), overlapping);
           },
           [&] {
             reduce_out(ReduceOp::Sum, ones({3, 4, 2}, DType::Float64), {2}, false, overlapping);
           }})
    EXPECT_TRUE(throws_error(write, {ErrorCode::InvalidArgument},
                             {"(3, 4)", "strides (1, 1)", "elements that overlap", "same memory"}));
  // Nothing was written.
  EXPECT_EQ(to_vector<double>(overlapping), before);

  // Interleaved but distinct elements are a valid output.
  const Tensor interleaved = strided_view({3, 2}, {2, 3});
  zip_out(BinaryOp::Add, ones({3, 2}, DType::Float64), ones({3, 2}, DType::Float64), interleaved);
  EXPECT_TRUE(all_close(interleaved, {3, 2}, DType::Float64, [](const Dims&) { return 2.0; }));
}

}  // namespace
}  // namespace mt::test
