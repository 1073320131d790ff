// Bad input anywhere in the engine is an mt::Error that names the problem, never a crash.
#include <gtest/gtest.h>

#include <memory>

#include "backend/cpu_seq/cpu_seq.hpp"
#include "delegating_backend.hpp"
#include "mt.hpp"
#include "test_support.hpp"

namespace {

using mt::test::throws_error;

using mt::Dims;
using mt::DType;
using mt::ErrorCode;
using mt::Tensor;

TEST(Errors, UndefinedTensor) {
  const Tensor undefined;
  EXPECT_FALSE(undefined.defined());
  EXPECT_TRUE(
      throws_error([&] { undefined.shape(); }, {ErrorCode::InvalidArgument}, {"undefined tensor"}));
  EXPECT_TRUE(throws_error([&] { mt::exp(undefined); }, {ErrorCode::InvalidArgument},
                           {"undefined tensor"}));
  EXPECT_TRUE(throws_error([&] { undefined + mt::ones({1}); }, {ErrorCode::InvalidArgument},
                           {"undefined tensor"}));
}

TEST(Errors, SizesThatOverflowOrAreNegative) {
  const int64_t big = int64_t{1} << 32;
  EXPECT_TRUE(throws_error(
      [&] {
        mt::zeros({big, big});
      },
      {ErrorCode::Overflow}, {"(4294967296, 4294967296)"}));
  // 2^61 float64 elements: the element count fits, the byte count does not.
  EXPECT_TRUE(throws_error([] { mt::zeros({int64_t{1} << 61}, DType::Float64); },
                           {ErrorCode::Overflow}, {"bytes"}));
  EXPECT_TRUE(throws_error(
      [] {
        mt::ones({2, -3});
      },
      {ErrorCode::InvalidArgument}, {"negative", "(2, -3)"}));
  EXPECT_TRUE(throws_error([] { mt::ones({3}).expand({big, big, 3}); }, {ErrorCode::Overflow}));
  EXPECT_EQ(mt::ones({3, 3}).slice(0, 0, 3, INT64_MAX).shape(), (Dims{1, 3}));
}

TEST(Errors, AllocationFailureIsAnError) {
  // 2^50 bytes (a petabyte) fits in int64 but in no machine's memory.
  EXPECT_TRUE(throws_error([] { Tensor::empty({int64_t{1} << 48}, DType::Float32); },
                           {ErrorCode::OutOfMemory}, {"1125899906842624 bytes"}));
}

TEST(Errors, UnknownEnumValues) {
  const Tensor t = mt::ones({2});
  EXPECT_TRUE(throws_error([&] { mt::map(static_cast<mt::UnaryOp>(99), t); },
                           {ErrorCode::InvalidArgument}, {"unary op 99"}));
  EXPECT_TRUE(throws_error([&] { mt::zip(static_cast<mt::BinaryOp>(-1), t, t); },
                           {ErrorCode::InvalidArgument}, {"binary op -1"}));
  EXPECT_TRUE(throws_error([&] { mt::reduce(static_cast<mt::ReduceOp>(4), t, 0); },
                           {ErrorCode::InvalidArgument}, {"reduce op 4"}));
  EXPECT_STREQ(mt::op_name(mt::UnaryOp::Sigmoid), "sigmoid");
  EXPECT_STREQ(mt::op_name(mt::BinaryOp::IsClose), "is_close");
  EXPECT_STREQ(mt::op_name(mt::ReduceOp::Prod), "prod");
  EXPECT_STREQ(mt::op_name(static_cast<mt::UnaryOp>(99)), "unknown unary op");
}

TEST(Errors, ShapeMismatchInOpsNamesTheShapes) {
  EXPECT_TRUE(throws_error(
      [] {
        mt::ones({5, 2}) + mt::ones({5});
      },
      {ErrorCode::ShapeMismatch}, {"(5, 2)", "(5,)"}));
  EXPECT_TRUE(throws_error(
      [] {
        mt::matmul(mt::ones({2, 3}), mt::ones({4, 5}));
      },
      {ErrorCode::ShapeMismatch}, {"(2, 3)", "(4, 5)"}));
  EXPECT_TRUE(throws_error(
      [] {
        mt::sum(mt::ones({2, 3}), {2});
      },
      {ErrorCode::IndexOutOfRange}, {"dim 2"}));
}

// A backend that forwards to the reference and counts calls: shows that ops go through the
// default backend and that the registry takes new backends.
class CountingBackend final : public mt::test::DelegatingBackend {
 public:
  std::string name() const override { return "counting"; }
  static inline int calls = 0;

 private:
  void called() override { ++calls; }
};

TEST(Registry, BackendsByName) {
  const auto names = mt::backend_names();
  EXPECT_NE(std::find(names.begin(), names.end(), "cpu_seq"), names.end());
  EXPECT_EQ(mt::backend("cpu_seq").name(), "cpu_seq");
  EXPECT_TRUE(throws_error([] { mt::backend("nope"); }, {ErrorCode::InvalidArgument},
                           {"'nope'", "cpu_seq"}));
  EXPECT_TRUE(throws_error([] { mt::set_default_backend("nope"); }, {ErrorCode::InvalidArgument},
                           {"'nope'"}));
  EXPECT_TRUE(throws_error([] { mt::register_backend(mt::make_cpu_seq_backend()); },
                           {ErrorCode::InvalidArgument}, {"already exists"}));
  EXPECT_TRUE(
      throws_error([] { mt::register_backend(nullptr); }, {ErrorCode::InvalidArgument}, {"null"}));

  mt::register_backend(std::make_unique<CountingBackend>());
  const std::string before = mt::default_backend().name();
  mt::set_default_backend("counting");
  const Tensor x = mt::sum(mt::ones({2, 2}) * 3.0);
  mt::set_default_backend(before);
  EXPECT_EQ(x.item(), 12);
  EXPECT_EQ(CountingBackend::calls, 3);  // fill (ones), zip, reduce
}

}  // namespace
