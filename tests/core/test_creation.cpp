// Creation, host buffers and the counter-based random numbers.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "mt.hpp"
#include "random/philox.hpp"
#include "tensor/strided_view.hpp"
#include "test_support.hpp"

namespace {

using mt::test::throws_error;

using mt::Dims;
using mt::DType;
using mt::Tensor;

TEST(Creation, ZerosOnesFull) {
  for (DType dtype : {DType::Float32, DType::Float64}) {
    const Tensor z = mt::zeros({2, 3}, dtype);
    EXPECT_EQ(z.dtype(), dtype);
    EXPECT_EQ(z.shape(), (Dims{2, 3}));
    EXPECT_TRUE(z.is_contiguous());
    EXPECT_EQ(mt::to_vector<double>(z), std::vector<double>(6, 0.0));
    EXPECT_EQ(mt::to_vector<double>(mt::ones({4}, dtype)), std::vector<double>(4, 1.0));
    EXPECT_EQ(mt::full({}, 2.5, dtype).item(), 2.5);
    EXPECT_EQ(mt::full({3, 0}, 2.5, dtype).numel(), 0);
  }
}

TEST(Creation, ArangeFollowsNumpy) {
  EXPECT_EQ(mt::to_vector<float>(mt::arange(0, 5)), (std::vector<float>{0, 1, 2, 3, 4}));
  EXPECT_EQ(mt::to_vector<double>(mt::arange(1, 2, 0.25, DType::Float64)),
            (std::vector<double>{1, 1.25, 1.5, 1.75}));
  EXPECT_EQ(mt::to_vector<float>(mt::arange(3, 0, -1)), (std::vector<float>{3, 2, 1}));
  EXPECT_EQ(mt::arange(0, 1, 0.3).numel(), 4);  // 0, .3, .6, .9
  EXPECT_EQ(mt::arange(5, 1).numel(), 0);
  EXPECT_TRUE(
      throws_error([] { mt::arange(0, 1, 0); }, {mt::ErrorCode::InvalidArgument}, {"step 0"}));
  EXPECT_TRUE(throws_error([] { mt::arange(0, NAN); }, {mt::ErrorCode::InvalidArgument}, {"nan"}));
  // A NaN with its sign bit set (C#'s double.NaN) prints as "nan" too, not "-nan".
  EXPECT_TRUE(
      throws_error([] { mt::arange(0, -NAN); }, {mt::ErrorCode::InvalidArgument}, {"stop nan,"}));
  EXPECT_TRUE(throws_error([] { mt::arange(0, 1e300, 1e-300); }, {mt::ErrorCode::Overflow}));
}

TEST(Creation, BufferRoundTripInRowMajorOrder) {
  const std::vector<double> data{1, 2, 3, 4, 5, 6};
  const Tensor t = mt::from_buffer(data.data(), DType::Float64, {2, 3});
  EXPECT_EQ(t.dtype(), DType::Float64);
  EXPECT_EQ(t.get({1, 0}), 4);
  // The copy is independent of the caller's buffer.
  std::vector<double> source = data;
  const Tensor copy = mt::from_buffer(source.data(), DType::Float64, {6});
  source[0] = 100;
  EXPECT_EQ(copy.get({0}), 1);
  // A strided view comes out in its own row-major order, converted on the way.
  std::vector<float> out(6);
  mt::to_buffer(t.transpose(0, 1), out.data(), DType::Float32);
  EXPECT_EQ(out, (std::vector<float>{1, 4, 2, 5, 3, 6}));
  EXPECT_EQ(mt::to_vector<double>(mt::from_vector<float>({1.5f, -2}, {2, 1})),
            (std::vector<double>{1.5, -2}));
  EXPECT_TRUE(throws_error(
      [] {
        mt::from_vector<float>({1, 2, 3}, {2, 2});
      },
      {mt::ErrorCode::ShapeMismatch}, {"3 values", "(2, 2)"}));
  EXPECT_TRUE(throws_error([] { mt::from_buffer(nullptr, DType::Float32, {2}); },
                           {mt::ErrorCode::InvalidArgument}, {"null"}));
  EXPECT_EQ(mt::from_buffer(nullptr, DType::Float32, {0, 3}).numel(), 0);
  EXPECT_TRUE(throws_error([&] { mt::to_buffer(t, nullptr, DType::Float32); },
                           {mt::ErrorCode::InvalidArgument}, {"null"}));
}

// Known-answer vectors of Philox4x32-10 from the Random123 distribution (kat_vectors).
TEST(Random, PhiloxKnownAnswers) {
  EXPECT_EQ(mt::philox4x32_10({0, 0, 0, 0}, 0, 0),
            (mt::PhiloxBlock{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}));
  EXPECT_EQ(
      mt::philox4x32_10({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, 0xffffffff, 0xffffffff),
      (mt::PhiloxBlock{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}));
  EXPECT_EQ(
      mt::philox4x32_10({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, 0xa4093822, 0x299f31d0),
      (mt::PhiloxBlock{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}));
}

TEST(Random, SameSeedSameNumbers) {
  for (DType dtype : {DType::Float32, DType::Float64}) {
    mt::Generator g1(123), g2(123), g3(124);
    const auto a = mt::to_vector<double>(mt::rand({50}, dtype, 0, 1, g1));
    EXPECT_EQ(a, mt::to_vector<double>(mt::rand({50}, dtype, 0, 1, g2)));
    EXPECT_NE(a, mt::to_vector<double>(mt::rand({50}, dtype, 0, 1, g3)));
    // The next draw continues the counter: it differs from the first.
    EXPECT_NE(a, mt::to_vector<double>(mt::rand({50}, dtype, 0, 1, g1)));
    g1.manual_seed(123);
    EXPECT_EQ(a, mt::to_vector<double>(mt::rand({50}, dtype, 0, 1, g1)));
  }
}

TEST(Random, ElementsDependOnlyOnTheCounter) {
  // One draw of 10 equals a draw of 4 followed by a draw of 6, whatever the shapes.
  mt::Generator whole(9), parts(9);
  const auto all = mt::to_vector<double>(mt::randn({2, 5}, DType::Float64, 0, 1, whole));
  auto first = mt::to_vector<double>(mt::randn({4}, DType::Float64, 0, 1, parts));
  const auto rest = mt::to_vector<double>(mt::randn({3, 1, 2}, DType::Float64, 0, 1, parts));
  first.insert(first.end(), rest.begin(), rest.end());
  EXPECT_EQ(all, first);
  // The backend writes element i (row-major) of a strided output from counter offset + i.
  const Tensor out = mt::zeros({3, 4}, DType::Float64).transpose(0, 1);
  mt::default_backend().random(mt::strided_view(out), {mt::Distribution::Uniform, 0, 1, 5, 100});
  EXPECT_EQ(out.get({1, 2}), mt::philox_uniform<double>(5, 100 + 1 * 3 + 2, 0.0, 1.0));
}

// Sample mean and variance of n draws are within 6 standard errors of the truth.
void expect_moments(const std::vector<double>& x, double mean, double variance) {
  const double n = static_cast<double>(x.size());
  double m = 0, v = 0;
  for (double value : x)
    m += value;
  m /= n;
  for (double value : x)
    v += (value - m) * (value - m);
  v /= n - 1;
  EXPECT_NEAR(m, mean, 6 * std::sqrt(variance / n));
  EXPECT_NEAR(v, variance, 6 * variance * std::sqrt(2 / n));
}

TEST(Random, UniformAndNormalHaveTheRightMoments) {
  for (DType dtype : {DType::Float32, DType::Float64}) {
    mt::Generator g(2024);
    const auto u = mt::to_vector<double>(mt::rand({100000}, dtype, -2, 3, g));
    EXPECT_GE(*std::min_element(u.begin(), u.end()), -2);
    EXPECT_LT(*std::max_element(u.begin(), u.end()), 3);
    expect_moments(u, 0.5, 25.0 / 12);
    const auto z = mt::to_vector<double>(mt::randn({100000}, dtype, 1, 2, g));
    expect_moments(z, 1, 4);
    for (double value : z)
      ASSERT_TRUE(std::isfinite(value));
  }
}

// The largest finite value of a dtype.
double top(DType dtype) {
  return dtype == DType::Float32 ? std::numeric_limits<float>::max()
                                 : std::numeric_limits<double>::max();
}

TEST(Random, UniformCoversTheWholeFiniteRange) {
  // high - low overflows here: every sample was once ~high (the adversarial review's probe).
  for (DType dtype : {DType::Float32, DType::Float64})
    for (const char* backend : {"cpu_seq", "cpu_par"}) {
      SCOPED_TRACE(backend);
      mt::set_default_backend(backend);
      mt::Generator g(7);
      const double hi = top(dtype);
      const auto u = mt::to_vector<double>(mt::rand({100000}, dtype, -hi, hi, g));
      mt::set_default_backend("cpu_par");
      for (double value : u)
        ASSERT_TRUE(std::isfinite(value) && value >= -hi && value < hi) << value;
      // Uniform on [-hi, hi): scaled to [-1, 1) the moments are 0 and 1/3.
      std::vector<double> scaled;
      for (double value : u)
        scaled.push_back(value / hi);
      expect_moments(scaled, 0, 1.0 / 3);
      EXPECT_LT(*std::min_element(u.begin(), u.end()), -0.99 * hi);
      EXPECT_GT(*std::max_element(u.begin(), u.end()), 0.99 * hi);
      // Below the overflow the usual formula runs, bit for bit as before.
      mt::Generator g2(7);
      EXPECT_EQ(mt::rand({1}, dtype, -hi / 2, hi / 2, g2).item(),
                static_cast<double>(dtype == DType::Float32
                                        ? mt::philox_uniform<float>(7, 0, -hi / 2, hi / 2)
                                        : mt::philox_uniform<double>(7, 0, -hi / 2, hi / 2)));
    }
}

TEST(Creation, ValuesBeyondTheDtypeAreRefused) {
  // Finite parameters that the dtype cannot hold would silently become inf.
  EXPECT_TRUE(throws_error([] { mt::full({2}, 1e39, DType::Float32); }, {mt::ErrorCode::Overflow},
                           {"full", "value 1e+39", "float32"}));
  EXPECT_TRUE(std::isinf(mt::full({2}, INFINITY, DType::Float32).get({1})));  // asked for
  EXPECT_EQ(mt::full({1}, 1e39, DType::Float64).item(), 1e39);
  EXPECT_TRUE(throws_error([] { mt::rand({2}, DType::Float32, -1e39, 0); },
                           {mt::ErrorCode::Overflow}, {"rand", "low -1e+39", "float32"}));
  EXPECT_TRUE(throws_error([] { mt::rand({2}, DType::Float32, 0, 1e39); },
                           {mt::ErrorCode::Overflow}, {"rand", "high 1e+39"}));
  EXPECT_TRUE(throws_error([] { mt::arange(0, 1e39, 1e38, DType::Float32); },
                           {mt::ErrorCode::Overflow}, {"arange", "last value", "float32"}));
  // randn: samples reach mean +- 8.57 std.
  for (DType dtype : {DType::Float32, DType::Float64}) {
    EXPECT_TRUE(throws_error([&] { mt::randn({2}, dtype, 0, top(dtype) / 8); },
                             {mt::ErrorCode::Overflow}, {"randn", "std", "finite range"}));
    EXPECT_TRUE(throws_error([&] { mt::randn({2}, dtype, 0.999 * top(dtype), top(dtype) / 100); },
                             {mt::ErrorCode::Overflow}, {"randn", "mean"}));
    mt::Generator g(3);
    for (double value : mt::to_vector<double>(mt::randn({100000}, dtype, 0, top(dtype) / 9, g)))
      ASSERT_TRUE(std::isfinite(value));
  }
  // The bound holds: no standard sample exceeds it (Box-Muller's largest is at u1 = 2^-53).
  EXPECT_GE(mt::kPhiloxNormalBound, std::sqrt(-2 * std::log(0x1p-53)));
}

TEST(Creation, ArangeAcrossTheWholeFiniteRange) {
  // stop - start overflows; the values do not.
  const auto v = mt::to_vector<double>(mt::arange(-1e308, 1e308, 1e307, DType::Float64));
  ASSERT_EQ(v.size(), 20u);
  for (size_t i = 0; i < v.size(); ++i)
    EXPECT_NEAR(v[i], static_cast<double>(-1e308L + 1e307L * static_cast<long double>(i)), 1e293)
        << i;
  const auto down = mt::to_vector<double>(mt::arange(1.5e308, -1.5e308, -1e308, DType::Float64));
  EXPECT_EQ(down, (std::vector<double>{1.5e308, 0.5e308, -0.5e308}));
  const double hi = top(DType::Float32);
  const auto f = mt::to_vector<double>(mt::arange(-hi, hi, hi / 2, DType::Float32));
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f.front(), -hi);
}

TEST(Creation, MisalignedBuffersAreCopied) {
  // A C caller's data may sit at any address; the copies must not read it as misaligned floats.
  for (DType dtype : {DType::Float32, DType::Float64}) {
    const size_t size = static_cast<size_t>(mt::itemsize(dtype));
    alignas(16) unsigned char bytes[1 + 6 * 8] = {};
    const Tensor values = mt::arange(1, 7, 1, dtype);
    mt::to_buffer(values, bytes + 1, dtype);                        // misaligned destination
    const Tensor back = mt::from_buffer(bytes + 1, dtype, {2, 3});  // misaligned source
    EXPECT_EQ(mt::to_vector<double>(back), (std::vector<double>{1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(bytes[0], 0);
    std::vector<unsigned char> aligned(6 * size);
    mt::to_buffer(values, aligned.data(), dtype);
    EXPECT_EQ(std::memcmp(aligned.data(), bytes + 1, 6 * size), 0);
  }
}

TEST(Random, BadParameters) {
  EXPECT_TRUE(throws_error([] { mt::rand({2}, DType::Float32, 1, 0); },
                           {mt::ErrorCode::InvalidArgument}, {"low <= high"}));
  EXPECT_TRUE(throws_error([] { mt::randn({2}, DType::Float32, 0, -1); },
                           {mt::ErrorCode::InvalidArgument}, {"std"}));
  EXPECT_TRUE(throws_error([] { mt::rand({-2}); }, {mt::ErrorCode::InvalidArgument}, {"(-2,)"}));
}

TEST(Format, PrintsLikeNumpy) {
  EXPECT_EQ(mt::to_string(mt::arange(0, 4).view({2, 2})),
            "tensor([[0., 1.],\n        [2., 3.]], dtype=float32)");
  EXPECT_EQ(mt::to_string(mt::full({}, 1.5, DType::Float64)), "tensor(1.5, dtype=float64)");
  EXPECT_EQ(mt::to_string(mt::zeros({0, 2})), "tensor([], shape=(0, 2), dtype=float32)");
  const std::string big = mt::to_string(mt::arange(0, 2000));
  EXPECT_NE(big.find("0., 1., 2., ..., 1997., 1998., 1999."), std::string::npos) << big;
  EXPECT_EQ(mt::to_string(Tensor()), "tensor(undefined)");
  // NaN with either sign bit prints as numpy does; infinities keep their sign.
  EXPECT_EQ(mt::to_string(mt::from_vector<double>({NAN, -NAN, INFINITY, -INFINITY}, {4})),
            "tensor([nan, nan, inf, -inf], dtype=float64)");
}

}  // namespace
