// Gradient-ready hooks (autograd/engine.hpp): one call per leaf that receives a gradient, once
// its .grad holds every contribution of the backward, leaves nearer the root first; removal;
// what a failed backward leaves behind.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "autograd/engine.hpp"
#include "mt.hpp"
#include "test_support.hpp"

namespace mt::test {
namespace {

constexpr DType kF64 = DType::Float64;

// Each call of the hooks added by watch(): the leaf's name and a copy of its .grad then.
struct Calls {
  std::vector<std::string> names;
  std::vector<Tensor> grads;

  int64_t watch(const Tensor& leaf, std::string name) {
    return autograd::add_grad_ready_hook(leaf, [this, name](const Tensor& t) {
      names.push_back(name);
      grads.push_back(t.grad().clone());
    });
  }
  int count(const std::string& name) const {
    return static_cast<int>(std::count(names.begin(), names.end(), name));
  }
  // Where `name` was called; -1 when it was not.
  int position(const std::string& name) const {
    const auto it = std::find(names.begin(), names.end(), name);
    return it == names.end() ? -1 : static_cast<int>(it - names.begin());
  }
  const Tensor& grad(const std::string& name) const { return grads.at(position(name)); }
};

::testing::AssertionResult same_values(const Tensor& actual, const Tensor& expected) {
  return all_close(
      actual, expected.shape(), expected.dtype(), [&](const Dims& i) { return expected.get(i); },
      kExact);
}

Tensor parameter(const Dims& shape) { return mt::rand(shape, kF64).set_requires_grad(); }

// A chain x -> (* w1) -> (* w2) -> (* w3) -> sum, with x also used at the end (twice in all):
// w3 is final first, then w2, then w1; x only after its second contribution, next to w1.
TEST(AutogradGradReadyHooks, OncePerLeafAfterItsLastContribution) {
  const Tensor x = parameter({3}), w1 = parameter({3}), w2 = parameter({3}), w3 = parameter({3});
  const Tensor unused = parameter({3});
  Calls calls;
  for (const auto& [t, name] : {std::pair{x, "x"}, {w1, "w1"}, {w2, "w2"}, {w3, "w3"}})
    calls.watch(t, name);
  calls.watch(unused, "unused");
  const auto loss = [&] { return sum(((x * w1) * w2) * w3 + x); };
  loss().backward();
  for (const char* name : {"x", "w1", "w2", "w3"}) {
    EXPECT_EQ(calls.count(name), 1) << name;
  }
  EXPECT_EQ(calls.count("unused"), 0);
  EXPECT_LT(calls.position("w3"), calls.position("w2"));
  EXPECT_LT(calls.position("w2"), calls.position("w1"));
  EXPECT_LT(calls.position("w2"), calls.position("x"));
  // Each call saw the .grad that backward leaves: every contribution was in.
  for (const auto& [t, name] : {std::pair{x, "x"}, {w1, "w1"}, {w2, "w2"}, {w3, "w3"}})
    EXPECT_TRUE(same_values(calls.grad(name), t.grad())) << name;
  EXPECT_TRUE(same_values(x.grad(), (w2 * w3) * w1 + 1.0));

  // A second backward calls again, with the accumulated gradient.
  const Tensor first = x.grad().clone();
  calls = {};
  loss().backward();
  EXPECT_EQ(calls.count("x"), 1);
  EXPECT_TRUE(same_values(calls.grad("x"), first * 2.0));
}

TEST(AutogradGradReadyHooks, BackwardOfALeafCallsItsHooks) {
  const Tensor x = parameter({1});
  Calls calls;
  calls.watch(x, "x");
  x.backward();
  EXPECT_EQ(calls.count("x"), 1);
}

TEST(AutogradGradReadyHooks, RemovedHooksAreNotCalled) {
  const Tensor x = parameter({2});
  Calls calls;
  const int64_t first = calls.watch(x, "first");
  calls.watch(x, "second");
  autograd::remove_grad_ready_hook(x, first);
  autograd::remove_grad_ready_hook(x, first);  // gone already: ignored
  sum(x * x).backward();
  EXPECT_EQ(calls.names, std::vector<std::string>{"second"});
  EXPECT_TRUE(throws_error([&] { calls.watch(x * 2.0, "made"); }, {ErrorCode::InvalidArgument},
                           {"add_grad_ready_hook", "mul", "not a leaf"}));
}

// A leaf stored (and reported) before a later node fails gets its .grad back.
TEST(AutogradGradReadyHooks, FailedBackwardPutsBackStoredGradients) {
  const Tensor w = parameter({3, 2});
  const Tensor x = mt::rand({4, 3}, kF64);
  const Tensor u = parameter({4, 2});
  u.set_grad(mt::ones({4, 2}, kF64));
  const Tensor before = u.grad();
  Calls calls;
  calls.watch(u, "u");
  const Tensor loss = sum(matmul(x, w) * u);  // u is final before matmul's backward runs
  {
    NoGradGuard no_grad;
    zip_out(BinaryOp::Mul, w, scalar(2, kF64), w);  // refused by matmul's backward
  }
  EXPECT_TRUE(throws_error([&] { loss.backward(); }, {ErrorCode::InvalidArgument},
                           {"backward of matmul", "written in place"}));
  EXPECT_EQ(calls.count("u"), 1);
  EXPECT_TRUE(u.grad().is_same(before));
  EXPECT_FALSE(w.grad().defined());
}

TEST(AutogradGradReadyHooks, ThrowingHookFailsTheBackward) {
  const Tensor x = parameter({2});
  const Tensor y = parameter({2});
  autograd::add_grad_ready_hook(
      y, [](const Tensor&) { fail(ErrorCode::InvalidArgument, "the hook refuses"); });
  EXPECT_TRUE(throws_error([&] { sum(x * y).backward(); }, {ErrorCode::InvalidArgument},
                           {"the hook refuses"}));
  EXPECT_FALSE(x.grad().defined());
  EXPECT_FALSE(y.grad().defined());
}

}  // namespace
}  // namespace mt::test
