// Autodiff semantics: gradient accumulation and zero_grad, no-grad mode (per thread), detach,
// leaves used twice and diamonds, explicit gradients, the errors and what they leave behind,
// out= variants, comparisons, graph release. Numerical checks of each op's gradient are in
// test_gradcheck.cpp.
#include <gtest/gtest.h>
#include <pthread.h>

#include <cmath>
#include <cstdlib>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "mt.hpp"
#include "test_support.hpp"

namespace mt::test {
namespace {

constexpr DType kF64 = DType::Float64;

// A float64 leaf that requires grad, with awkward strides.
Tensor leaf(Rng& rng, const Dims& shape, double low = -2, double high = 2) {
  Tensor t = random_strided(rng, shape, kF64, low, high);
  t.set_requires_grad();
  return t;
}

Tensor constant(Rng& rng, const Dims& shape, double low = -1, double high = 1) {
  return random_strided(rng, shape, kF64, low, high);
}

// Checks that `t` came out of no recorded op and records nothing.
::testing::AssertionResult is_plain(const Tensor& t) {
  if (t.requires_grad()) return ::testing::AssertionFailure() << "requires grad";
  if (!t.is_leaf()) return ::testing::AssertionFailure() << "has grad_fn " << t.grad_fn()->name();
  return ::testing::AssertionSuccess();
}

// The values of `t`, for later comparison (a copy, so that later writes do not show).
Tensor snapshot(const Tensor& t) {
  NoGradGuard no_grad;
  return t.clone();
}

::testing::AssertionResult same_values(const Tensor& actual, const Tensor& expected) {
  return all_close(
      actual, expected.shape(), expected.dtype(), [&](const Dims& i) { return expected.get(i); },
      kExact);
}

// ---------------------------------------------------------------------------------------------
// Accumulation: each backward adds into .grad until zero_grad clears it.
// ---------------------------------------------------------------------------------------------

TEST(Autograd, GradientsAccumulateUntilZeroGrad) {
  Rng rng = test_rng();
  const Tensor x = leaf(rng, {2, 3});
  const Tensor w = constant(rng, {2, 3});
  const auto loss = [&] { return sum(x * x * w); };  // d/dx = 2 x w
  const auto times = [&](double k) {
    return [&x, &w, k](const Dims& i) { return k * 2 * x.get(i) * w.get(i); };
  };
  EXPECT_FALSE(x.grad().defined());
  loss().backward();
  EXPECT_TRUE(all_close(x.grad(), {2, 3}, kF64, times(1)));
  loss().backward();
  EXPECT_TRUE(all_close(x.grad(), {2, 3}, kF64, times(2)));
  EXPECT_FALSE(w.grad().defined());  // w does not require grad
  x.zero_grad();
  EXPECT_FALSE(x.grad().defined());
  loss().backward();
  EXPECT_TRUE(all_close(x.grad(), {2, 3}, kF64, times(1)));
  // The gradient is a plain tensor: no graph of its own.
  EXPECT_TRUE(is_plain(x.grad()));
  EXPECT_TRUE(x.grad().is_contiguous());
}

// backward() of a leaf adds the seed gradient itself: 1 for one element, else `grad` (copied).
// Each result's grad_fn is the op that made it, also where the op reshapes its result (matmul
// of vectors, reductions without keepdim).
TEST(Autograd, GradFnNamesTheOp) {
  const Tensor a = mt::rand({3}, DType::Float64).set_requires_grad();
  const Tensor m = mt::rand({3, 2}, DType::Float64).set_requires_grad();
  EXPECT_STREQ(mt::matmul(a, m).grad_fn()->name(), "matmul");
  EXPECT_STREQ(mt::matmul(a, a).grad_fn()->name(), "matmul");
  EXPECT_STREQ(mt::sum(m, {1}).grad_fn()->name(), "sum");
  EXPECT_STREQ(mt::max(m).grad_fn()->name(), "max");
  EXPECT_STREQ(mt::exp(a).grad_fn()->name(), "exp");
  EXPECT_STREQ((a * a).grad_fn()->name(), "mul");
  EXPECT_STREQ(m.transpose(0, 1).grad_fn()->name(), "permute");
}

TEST(Autograd, BackwardOfALeaf) {
  Rng rng = test_rng();
  const Tensor s = leaf(rng, {});
  s.backward();
  s.backward();
  EXPECT_EQ(s.grad().item(), 2);
  const Tensor x = leaf(rng, {2, 2});
  const Tensor g = constant(rng, {2, 2});
  const Tensor expected = snapshot(g);
  x.backward(g);
  EXPECT_FALSE(x.grad().shares_storage(g));
  g.set({0, 0}, 100);  // a later write to g does not reach x.grad
  EXPECT_TRUE(same_values(x.grad(), expected));
}

// The stored gradient never aliases a tensor the caller holds, and is contiguous even when the
// leaf is not.
TEST(Autograd, GradientIsOwnedAndContiguous) {
  Rng rng = test_rng();
  const Tensor x = leaf(rng, {3, 4});
  const Tensor g = constant(rng, {4, 3});
  const Tensor expected = snapshot(g.transpose(0, 1));
  x.transpose(0, 1).backward(g);  // backward of the transpose is a view of g
  ASSERT_TRUE(x.grad().defined());
  EXPECT_FALSE(x.grad().shares_storage(g));
  EXPECT_TRUE(x.grad().is_contiguous());
  g.set({0, 0}, 100);
  EXPECT_TRUE(same_values(x.grad(), expected));
}

// A gradient of another dtype is converted; each leaf's gradient has the leaf's own dtype.
TEST(Autograd, GradientDTypes) {
  Rng rng = test_rng();
  const Tensor x32 = random_strided(rng, {2, 3}, DType::Float32, -2, 2);
  x32.set_requires_grad();
  const Tensor y64 = leaf(rng, {3});
  const Tensor z = x32 * y64;  // promoted to float64
  ASSERT_EQ(z.dtype(), kF64);
  const Tensor g32 = random_strided(rng, {2, 3}, DType::Float32, -1, 1);
  z.backward(g32);
  EXPECT_TRUE(all_close(x32.grad(), {2, 3}, DType::Float32,
                        [&](const Dims& i) { return g32.get(i) * y64.get({i[1]}); }));
  EXPECT_TRUE(all_close(y64.grad(), {3}, kF64, [&](const Dims& i) {
    return g32.get({0, i[0]}) * x32.get({0, i[0]}) + g32.get({1, i[0]}) * x32.get({1, i[0]});
  }));
  // matmul promotes too: d/dx32 sum(x32 @ m64) = row sums of m64, in float32.
  x32.zero_grad();
  const Tensor m64 = leaf(rng, {3, 2});
  sum(matmul(x32, m64)).backward();
  EXPECT_TRUE(all_close(x32.grad(), {2, 3}, DType::Float32, [&](const Dims& i) {
    return m64.get({i[1], 0}) + m64.get({i[1], 1});
  }));
  EXPECT_EQ(m64.grad().dtype(), kF64);
}

// ---------------------------------------------------------------------------------------------
// No-grad mode: nothing records; the mode is per thread.
// ---------------------------------------------------------------------------------------------

TEST(Autograd, NoGradGuardRecordsNothing) {
  Rng rng = test_rng();
  const Tensor x = leaf(rng, {2, 3});
  const Tensor m = leaf(rng, {3, 2});
  ASSERT_TRUE(grad_enabled());
  {
    NoGradGuard no_grad;
    EXPECT_FALSE(grad_enabled());
    for (const Tensor& t : {exp(x), x * 2.0, x + m.transpose(0, 1), sum(x, {1}), max(x),
                            matmul(x, m), x.permute({1, 0}), x.reshape({-1}), x.narrow(1, 0, 2),
                            x.unsqueeze(0), x.to(DType::Float32), x.contiguous().view({6})}) {
      EXPECT_TRUE(is_plain(t)) << describe(t);
    }
    {
      NoGradGuard nested;
      EXPECT_FALSE(grad_enabled());
    }
    EXPECT_FALSE(grad_enabled());  // the inner guard restores "off"
    // Leaves keep requires_grad; only recording stops.
    EXPECT_TRUE(x.requires_grad());
  }
  EXPECT_TRUE(grad_enabled());
  const Tensor y = x * 2.0;
  EXPECT_TRUE(y.requires_grad());
  EXPECT_FALSE(y.is_leaf());
  // set_grad_enabled is the same switch.
  set_grad_enabled(false);
  const Tensor z = x * 2.0;
  set_grad_enabled(true);
  EXPECT_TRUE(is_plain(z));
  // backward() of a graph recorded earlier still works under no-grad.
  const Tensor loss = sum(x * x);
  {
    NoGradGuard no_grad;
    loss.backward();
  }
  EXPECT_TRUE(all_close(x.grad(), {2, 3}, kF64, [&](const Dims& i) { return 2 * x.get(i); }));
}

TEST(Autograd, NoGradIsThreadLocal) {
  Rng rng = test_rng();
  const Tensor x = leaf(rng, {4});
  {
    // Off here, still on in another thread.
    NoGradGuard no_grad;
    bool enabled_there = false, recorded_there = false;
    std::thread other([&] {
      enabled_there = grad_enabled();
      recorded_there = (x * 2.0).requires_grad();
    });
    other.join();
    EXPECT_TRUE(enabled_there);
    EXPECT_TRUE(recorded_there);
    EXPECT_TRUE(is_plain(x * 2.0));
  }
  // Off in another thread (while it holds its guard), still on here.
  std::promise<void> guard_set, done;
  std::thread other([&] {
    NoGradGuard no_grad;
    guard_set.set_value();
    done.get_future().wait();
  });
  guard_set.get_future().wait();
  EXPECT_TRUE(grad_enabled());
  EXPECT_TRUE((x * 2.0).requires_grad());
  done.set_value();
  other.join();
}

// Graphs built and walked on several threads at once, each its own.
TEST(Autograd, IndependentGraphsOnSeveralThreads) {
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &failures] {
      for (int iteration = 0; iteration < 50; ++iteration) {
        const Tensor x = full({8, 8}, 0.1 * (t + 1), kF64);
        x.set_requires_grad();
        sum(exp(x) * x).backward();  // d/dx = e^x (1 + x)
        const double want = std::exp(0.1 * (t + 1)) * (1 + 0.1 * (t + 1));
        for_each_index({8, 8}, [&](const Dims& i) {
          if (std::abs(x.grad().get(i) - want) > 1e-12 * want) ++failures[t];
        });
      }
    });
  }
  for (std::thread& thread : threads)
    thread.join();
  for (int t = 0; t < kThreads; ++t)
    EXPECT_EQ(failures[t], 0) << "thread " << t;
}

// ---------------------------------------------------------------------------------------------
// detach, leaves used twice, diamonds.
// ---------------------------------------------------------------------------------------------

TEST(Autograd, DetachSharesStorageAndStopsGradients) {
  Rng rng = test_rng();
  const Tensor x = leaf(rng, {2, 3});
  const Tensor y = exp(x);
  const Tensor d = y.detach();
  EXPECT_TRUE(d.shares_storage(y));
  EXPECT_EQ(d.offset(), y.offset());
  EXPECT_EQ(d.strides(), y.strides());
  EXPECT_FALSE(d.is_same(y));
  EXPECT_TRUE(is_plain(d));
  EXPECT_TRUE(y.requires_grad());  // y itself is unchanged
  d.set({1, 2}, 42);
  EXPECT_EQ(y.get({1, 2}), 42);  // same elements
  // The gradient does not flow through d: d/dx sum(d * x) = d.
  sum(d * x).backward();
  EXPECT_TRUE(same_values(x.grad(), d));
  // Detaching a leaf that requires grad.
  const Tensor xd = x.detach();
  EXPECT_TRUE(is_plain(xd));
  EXPECT_TRUE(x.requires_grad());
  EXPECT_TRUE(xd.shares_storage(x));
}

TEST(Autograd, LeafUsedTwiceGetsTheSum) {
  Rng rng = test_rng();
  const Tensor x = leaf(rng, {3, 2});
  const Tensor w = constant(rng, {3, 2});
  sum(x * x * w).backward();
  EXPECT_TRUE(
      all_close(x.grad(), {3, 2}, kF64, [&](const Dims& i) { return 2 * x.get(i) * w.get(i); }));
  x.zero_grad();
  sum((x + x) * w).backward();
  EXPECT_TRUE(all_close(x.grad(), {3, 2}, kF64, [&](const Dims& i) { return 2 * w.get(i); }));
  x.zero_grad();
  // Two views of one leaf, overlapping in row 1.
  sum(x.narrow(0, 0, 2) * w.narrow(0, 0, 2)).backward();
  sum(x.narrow(0, 1, 2)).backward();
  EXPECT_TRUE(all_close(x.grad(), {3, 2}, kF64, [&](const Dims& i) {
    return (i[0] < 2 ? w.get(i) : 0.0) + (i[0] > 0 ? 1.0 : 0.0);
  }));
  x.zero_grad();
  // x against its own detached copy: only one path.
  sum(x * x.detach() * w).backward();
  EXPECT_TRUE(
      all_close(x.grad(), {3, 2}, kF64, [&](const Dims& i) { return x.get(i) * w.get(i); }));
}

TEST(Autograd, DiamondGraph) {
  Rng rng = test_rng();
  const Tensor x = leaf(rng, {2, 4});
  const Tensor w = constant(rng, {2, 4});
  // y = e^x feeds two branches: z = y^2 + 3y, so dz/dx = (2y + 3) y.
  const Tensor y = exp(x);
  sum((square(y) + 3.0 * y) * w).backward();
  EXPECT_TRUE(all_close(x.grad(), {2, 4}, kF64, [&](const Dims& i) {
    const double v = std::exp(x.get(i));
    return (2 * v + 3) * v * w.get(i);
  }));
  x.zero_grad();
  // Branches of different depths that meet again: s = sigmoid(x), z = e^(2s) + s.
  const Tensor s = sigmoid(x);
  sum((exp(s * 2.0) + s) * w).backward();
  EXPECT_TRUE(all_close(x.grad(), {2, 4}, kF64, [&](const Dims& i) {
    const double v = 1 / (1 + std::exp(-x.get(i)));
    return (2 * std::exp(2 * v) + 1) * v * (1 - v) * w.get(i);
  }));
}

// ---------------------------------------------------------------------------------------------
// Explicit gradients and the errors of backward().
// ---------------------------------------------------------------------------------------------

TEST(Autograd, ExplicitGradientForNonScalar) {
  Rng rng = test_rng();
  const Tensor x = leaf(rng, {2, 3});
  const Tensor g = constant(rng, {2, 3});  // strided too
  (x * x).backward(g);
  EXPECT_TRUE(
      all_close(x.grad(), {2, 3}, kF64, [&](const Dims& i) { return 2 * x.get(i) * g.get(i); }));
  // One element of any rank needs no gradient.
  x.zero_grad();
  (sum(x, {0, 1}, true) * 2.0).backward();
  EXPECT_TRUE(all_close(x.grad(), {2, 3}, kF64, [](const Dims&) { return 2.0; }));
  // A gradient that itself requires grad (here of another dtype) leaves a plain .grad.
  x.zero_grad();
  const Tensor g32 = random_strided(rng, {2, 3}, DType::Float32, -1, 1);
  g32.set_requires_grad();
  (x + x).backward(g32);
  x.backward(g32);
  EXPECT_TRUE(is_plain(x.grad()));
  EXPECT_TRUE(all_close(x.grad(), {2, 3}, kF64, [&](const Dims& i) { return 3 * g32.get(i); }));
  EXPECT_FALSE(g32.grad().defined());
}

// The derivatives at the kinks, as PyTorch takes them: relu'(0) = abs'(0) = 0, and ties of
// maximum / minimum split the gradient.
TEST(Autograd, DerivativesAtKinks) {
  const Tensor x = zeros({3}, kF64);
  x.set_requires_grad();
  sum(relu(x) + abs(x)).backward();
  EXPECT_TRUE(all_close(x.grad(), {3}, kF64, [](const Dims&) { return 0.0; }));
  x.zero_grad();
  sum(maximum(x, zeros({}, kF64)) + minimum(x, zeros({3}, kF64)) * 3.0).backward();
  EXPECT_TRUE(all_close(x.grad(), {3}, kF64, [](const Dims&) { return 2.0; }));
  // d/db 0^b = 0 for b >= 0 (the limit), d/da a^0 = 0.
  const Tensor b = full({2}, 2, kF64);
  b.set_requires_grad();
  x.zero_grad();
  sum(pow(x.narrow(0, 0, 2), b) + pow(b, x.narrow(0, 1, 2))).backward();
  EXPECT_TRUE(all_close(b.grad(), {2}, kF64, [](const Dims&) { return 0.0; }));
  EXPECT_TRUE(all_close(x.grad(), {3}, kF64,
                        [](const Dims& i) { return i[0] == 0 ? 0.0 : std::log(2.0); }));
}

TEST(Autograd, BackwardErrors) {
  Rng rng = test_rng();
  const Tensor x = leaf(rng, {2, 3});
  const Tensor y = x * 2.0;
  EXPECT_TRUE(throws_error([&] { y.backward(); }, {ErrorCode::InvalidArgument},
                           {"backward", "(2, 3)", "gradient"}));
  EXPECT_TRUE(throws_error(
      [&] {
        y.backward(ones({3, 2}, kF64));
      },
      {ErrorCode::ShapeMismatch}, {"(3, 2)", "(2, 3)"}));
  EXPECT_TRUE(throws_error([&] { sum(y).backward(ones({1}, kF64)); }, {ErrorCode::ShapeMismatch},
                           {"(1,)", "()"}));
  const Tensor plain = ones({2}, kF64);
  EXPECT_TRUE(throws_error([&] { sum(plain).backward(); }, {ErrorCode::InvalidArgument},
                           {"does not require grad"}));
  Tensor made_without_grad;
  {
    NoGradGuard no_grad;
    made_without_grad = sum(x);
  }
  EXPECT_TRUE(throws_error([&] { made_without_grad.backward(); }, {ErrorCode::InvalidArgument},
                           {"does not require grad"}));
  // None of these touched x's gradient.
  EXPECT_FALSE(x.grad().defined());
  EXPECT_TRUE(grad_enabled());
}

// Without retain_graph, backward frees the graph: a second backward through it is an error that
// leaves every .grad as it was (and grad mode on).
TEST(Autograd, SecondBackwardThroughFreedGraph) {
  Rng rng = test_rng();
  const Tensor x = leaf(rng, {2, 3});
  const Tensor loss = sum(x * x);
  loss.backward();
  const Tensor first = snapshot(x.grad());
  EXPECT_TRUE(throws_error([&] { loss.backward(); }, {ErrorCode::InvalidArgument},
                           {"freed", "retain_graph"}));
  EXPECT_TRUE(same_values(x.grad(), first));
  EXPECT_TRUE(grad_enabled());

  // A new graph that reaches a freed node through a shared intermediate, next to a fresh branch
  // into a leaf whose gradient was set beforehand.
  const Tensor a = leaf(rng, {2, 3});
  const Tensor v = leaf(rng, {2, 3});
  const Tensor shared = exp(a);
  sum(shared).backward();
  const Tensor a_grad = snapshot(a.grad());
  const Tensor v_grad = constant(rng, {2, 3});
  v.set_grad(snapshot(v_grad));
  EXPECT_TRUE(throws_error([&] { sum(v * v + shared * v).backward(); },
                           {ErrorCode::InvalidArgument}, {"freed", "exp"}));
  EXPECT_TRUE(same_values(v.grad(), v_grad));
  EXPECT_TRUE(same_values(a.grad(), a_grad));
  EXPECT_TRUE(grad_enabled());
}

TEST(Autograd, RetainGraphAllowsRepeatedBackward) {
  Rng rng = test_rng();
  const Tensor x = leaf(rng, {3});
  const Tensor w = constant(rng, {3});
  const Tensor loss = sum(exp(x) * w);
  const auto times = [&](double k) {
    return [&x, &w, k](const Dims& i) { return k * std::exp(x.get(i)) * w.get(i); };
  };
  loss.backward(Tensor(), true);
  EXPECT_TRUE(all_close(x.grad(), {3}, kF64, times(1)));
  loss.backward(Tensor(), true);
  EXPECT_TRUE(all_close(x.grad(), {3}, kF64, times(2)));
  loss.backward();  // frees it
  EXPECT_TRUE(all_close(x.grad(), {3}, kF64, times(3)));
  EXPECT_TRUE(throws_error([&] { loss.backward(); }, {ErrorCode::InvalidArgument}, {"freed"}));
  EXPECT_TRUE(all_close(x.grad(), {3}, kF64, times(3)));
}

// A backward without retain_graph drops what the nodes saved: the intermediate that mul saved
// (twice) is referenced by its own handle only afterwards; with retain_graph it stays saved.
TEST(Autograd, BackwardReleasesSavedTensors) {
  Rng rng = test_rng();
  const Tensor x = leaf(rng, {4});
  Tensor y = exp(x);
  const Tensor kept = sum(y * y);
  EXPECT_FALSE(y.is_sole_owner());
  kept.backward(Tensor(), true);
  EXPECT_FALSE(y.is_sole_owner());
  kept.backward();
  EXPECT_TRUE(y.is_sole_owner());
}

// ---------------------------------------------------------------------------------------------
// requires_grad, set_requires_grad, set_grad.
// ---------------------------------------------------------------------------------------------

TEST(Autograd, RequiresGradPropagatesAndNamesTheOp) {
  Rng rng = test_rng();
  const Tensor x = leaf(rng, {2, 3});
  const Tensor c = constant(rng, {2, 3});
  EXPECT_TRUE(is_plain(c * c));
  const Tensor y = x * c;
  EXPECT_TRUE(y.requires_grad());
  ASSERT_FALSE(y.is_leaf());
  EXPECT_STREQ(y.grad_fn()->name(), "mul");
  EXPECT_STREQ(exp(x).grad_fn()->name(), "exp");
  EXPECT_STREQ(x.permute({1, 0}).grad_fn()->name(), "permute");
  EXPECT_STREQ(x.to(DType::Float32).grad_fn()->name(), "to");
  EXPECT_EQ(y.grad_fn()->edges.size(), 2u);
  EXPECT_TRUE(y.grad_fn()->edges[0].leaf.is_same(x));
  EXPECT_FALSE(y.grad_fn()->edges[1].active());  // c does not require grad
  sum(y).backward();
  EXPECT_FALSE(c.grad().defined());
  EXPECT_TRUE(same_values(x.grad(), c));
}

TEST(Autograd, SetRequiresGrad) {
  Rng rng = test_rng();
  const Tensor x = constant(rng, {2});
  EXPECT_FALSE(x.requires_grad());
  EXPECT_TRUE(x.set_requires_grad().is_same(x));
  EXPECT_TRUE(x.requires_grad());
  EXPECT_TRUE(x.is_leaf());
  const Tensor y = x * 2.0;
  EXPECT_TRUE(throws_error([&] { y.set_requires_grad(); }, {ErrorCode::InvalidArgument},
                           {"mul", "not a leaf"}));
  EXPECT_TRUE(throws_error([&] { y.set_requires_grad(false); }, {ErrorCode::InvalidArgument},
                           {"not a leaf"}));
  EXPECT_TRUE(y.requires_grad());
  x.set_requires_grad(false);
  EXPECT_TRUE(is_plain(x * 2.0));
  // set_grad checks shape and dtype.
  EXPECT_TRUE(throws_error([&] { x.set_grad(ones({3}, kF64)); }, {ErrorCode::ShapeMismatch},
                           {"(3,)", "(2,)"}));
  EXPECT_TRUE(throws_error([&] { x.set_grad(ones({2}, DType::Float32)); },
                           {ErrorCode::DTypeMismatch}, {"float32", "float64"}));
  x.set_grad(ones({2}, kF64));
  EXPECT_EQ(x.grad().get({1}), 1);
  x.set_grad(Tensor());
  EXPECT_FALSE(x.grad().defined());
}

TEST(Autograd, EmptyTensorsGetEmptyGradients) {
  const Tensor x = zeros({0, 3}, kF64);
  x.set_requires_grad();
  sum(x).backward();
  ASSERT_TRUE(x.grad().defined());
  EXPECT_EQ(x.grad().shape(), (Dims{0, 3}));
  const Tensor y = zeros({2, 0}, kF64);
  y.set_requires_grad();
  sum(exp(y), {1}).backward(ones({2}, kF64));
  EXPECT_EQ(y.grad().shape(), (Dims{2, 0}));
}

// ---------------------------------------------------------------------------------------------
// out= variants record nothing, so they refuse tensors that require grad under grad mode.
// ---------------------------------------------------------------------------------------------

TEST(Autograd, OutVariantsRefuseGradUnderGradMode) {
  Rng rng = test_rng();
  const Tensor x = leaf(rng, {2, 3});
  const Tensor c = constant(rng, {2, 3});
  const Tensor m = constant(rng, {3, 2});
  const Tensor out = Tensor::empty({2, 3}, kF64);
  const Tensor out_row = Tensor::empty({3}, kF64);
  const Tensor out_mm = Tensor::empty({2, 2}, kF64);
  const auto refused = [](const std::function<void()>& fn) {
    return throws_error(fn, {ErrorCode::InvalidArgument}, {"out=", "NoGradGuard"});
  };
  EXPECT_TRUE(refused([&] { map_out(UnaryOp::Exp, x, out); }));
  EXPECT_TRUE(refused([&] { zip_out(BinaryOp::Add, x, c, out); }));
  EXPECT_TRUE(refused([&] { zip_out(BinaryOp::Add, c, x, out); }));
  EXPECT_TRUE(refused([&] { reduce_out(ReduceOp::Sum, x, {0}, false, out_row); }));
  EXPECT_TRUE(refused([&] { matmul_out(x, m, out_mm); }));
  // out itself requiring grad.
  const Tensor out_leaf = leaf(rng, {2, 3});
  EXPECT_TRUE(refused([&] { zip_out(BinaryOp::Mul, c, c, out_leaf); }));
  EXPECT_TRUE(refused([&] { map_out(UnaryOp::Neg, c, out_leaf); }));

  // Under NoGradGuard they compute what the plain ops compute, and record nothing.
  NoGradGuard no_grad;
  map_out(UnaryOp::Exp, x, out);
  EXPECT_TRUE(same_values(out, exp(x)));
  zip_out(BinaryOp::Add, x, c, out);
  EXPECT_TRUE(same_values(out, x + c));
  reduce_out(ReduceOp::Sum, x, {0}, false, out_row);
  EXPECT_TRUE(same_values(out_row, sum(x, {0})));
  matmul_out(x, m, out_mm);
  EXPECT_TRUE(same_values(out_mm, matmul(x, m)));
  EXPECT_TRUE(is_plain(out));
  // An optimizer-style in-place update of a parameter: x -= 0.5 c.
  const Tensor expected = x - c * 0.5;
  zip_out(BinaryOp::Sub, x, c * 0.5, x);
  EXPECT_TRUE(same_values(x, expected));
  EXPECT_TRUE(x.requires_grad());
  EXPECT_TRUE(x.is_leaf());
}

// Comparisons have zero gradient: their results never record, even from tensors that require
// grad, and a mask made from them passes gradients only where it is 1.
TEST(Autograd, ComparisonsDoNotRequireGrad) {
  Rng rng = test_rng();
  const Tensor x = leaf(rng, {3, 4});
  const Tensor y = leaf(rng, {4});
  for (const Tensor& t : {lt(x, y), gt(x, y), eq(x, x), is_close(x, y)})
    EXPECT_TRUE(is_plain(t)) << describe(t);
  const Tensor w = constant(rng, {3, 4});
  sum(x * gt(x, zeros({}, kF64)) * w).backward();
  EXPECT_TRUE(all_close(x.grad(), {3, 4}, kF64,
                        [&](const Dims& i) { return x.get(i) > 0 ? w.get(i) : 0.0; }));
  EXPECT_FALSE(y.grad().defined());
}

// ---------------------------------------------------------------------------------------------
// Graph destruction must not recurse per node: a deep chain that is dropped without backward
// (e.g. a running total summed over many steps) is freed on a 256 KiB stack. Run in a child
// process, so that a stack overflow fails this test only.
// ---------------------------------------------------------------------------------------------

// Builds y = x + 1 + 1 + ... (50000 nodes) and drops it, after a backward (which releases each
// node's edges) when `arg` is non-null.
void* build_and_drop_chain(void* arg) {
  const Tensor x = ones({}, kF64);
  x.set_requires_grad();
  Tensor y = x;
  for (int i = 0; i < 50000; ++i)
    y = y + 1.0;
  if (arg != nullptr) y.backward();
  y = Tensor();
  return nullptr;
}

void drop_chain_on_small_stack(bool backward_first) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  pthread_t thread;
  int flag = 1;
  if (pthread_create(&thread, &attr, build_and_drop_chain, backward_first ? &flag : nullptr) != 0)
    std::exit(2);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
  std::exit(0);
}

TEST(AutogradDeathTest, DeepGraphIsFreedWithoutRecursion) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // The control: a released graph is freed node by node, and 256 KiB is plenty for the ops.
  EXPECT_EXIT(drop_chain_on_small_stack(true), ::testing::ExitedWithCode(0), "");
  EXPECT_EXIT(drop_chain_on_small_stack(false), ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace mt::test

namespace mt::test {
namespace {

// Backward refuses values that a node saved and that were overwritten since (out= ops or set(),
// through any view), as PyTorch does; ops that saved nothing do not mind.
TEST(Autograd, SavedTensorsWrittenInPlaceAreRefused) {
  const Tensor w = mt::rand({3, 2}, DType::Float64).set_requires_grad();
  const Tensor x = mt::rand({4, 3}, DType::Float64);
  const Tensor y = mt::sum(mt::matmul(x, w));
  {
    mt::NoGradGuard no_grad;  // an optimizer step between forward and backward
    mt::zip_out(mt::BinaryOp::Mul, w, mt::scalar(2, DType::Float64), w);
  }
  EXPECT_TRUE(throws_error([&] { y.backward(); }, {ErrorCode::InvalidArgument},
                           {"backward of matmul", "(3, 2)", "written in place"}));
  EXPECT_FALSE(w.grad().defined());

  // Through a view of a saved input that does not require grad.
  const Tensor a = mt::rand({5}, DType::Float64).set_requires_grad();
  const Tensor data = mt::rand({5}, DType::Float64);
  const Tensor z = mt::sum(a * data);
  data.narrow(0, 1, 2).set({0}, 7.0);
  EXPECT_TRUE(throws_error([&] { z.backward(); }, {ErrorCode::InvalidArgument},
                           {"backward of mul", "(5,)"}));

  // + and sum save no values: writing their inputs afterwards is fine.
  const Tensor b = mt::rand({5}, DType::Float64).set_requires_grad();
  const Tensor s = mt::sum(b + data);
  {
    mt::NoGradGuard no_grad;
    mt::map_out(mt::UnaryOp::Neg, b, b);
  }
  s.backward();
  EXPECT_TRUE(all_close(b.grad(), {5}, DType::Float64, [](const Dims&) { return 1.0; }));
}

}  // namespace
}  // namespace mt::test

namespace mt::test {
namespace {

// A backward refused because part of the graph was freed leaves no bookkeeping behind: a node
// it reached before finding the freed one still works in a later backward.
TEST(Autograd, RefusedBackwardLeavesNoWalkState) {
  const Tensor x = mt::rand({3}, DType::Float64).set_requires_grad();
  const Tensor n = x * 2.0;  // reached by the refused walk, not freed
  const Tensor freed = mt::sum(x * x);
  freed.backward();                        // frees freed's nodes
  const Tensor both = freed + mt::sum(n);  // the walk reaches n's node, then the freed one
  x.zero_grad();
  EXPECT_TRUE(throws_error([&] { both.backward(); }, {ErrorCode::InvalidArgument}, {"freed"}));
  EXPECT_FALSE(x.grad().defined());
  mt::sum(n).backward();
  EXPECT_TRUE(all_close(x.grad(), {3}, DType::Float64, [](const Dims&) { return 2.0; }));
}

}  // namespace
}  // namespace mt::test
