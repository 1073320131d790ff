// The core's device paths through the CUDA plugin: tensors on the device, copies between host
// and device, every primitive against the reference backend, the scalar rule and cross-device
// errors, autodiff and training on the device, the plugin's allocator and matmul choice.
// CI runs these against the emulated plugin (MINITENSOR_CUDA_PLUGIN names it), so the same
// kernel code runs on host threads; scripts/gpu-check.sh runs them on a real GPU.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "backend/cuda/cuda_runtime.hpp"
#include "classifier.hpp"
#include "cuda_test.hpp"
#include "mt.hpp"
#include "op_cases.hpp"
#include "test_support.hpp"

namespace mt::test {
namespace {

const Device kCuda = Device::cuda(0);

class CudaDevice : public CudaTest {
 protected:
  void SetUp() override {
    CudaTest::SetUp();
    // Expected values come from the sequential reference.
    set_default_backend("cpu_seq");
  }
  void TearDown() override { set_default_backend("cpu_par"); }
};

// `t`'s exact layout (offset, strides, the gaps between) in device memory.
Tensor same_layout_on_device(const Tensor& t) {
  const int64_t elements = t.storage()->nbytes() / itemsize(t.dtype());
  const Tensor whole(t.storage(), 0, {elements}, {1}, t.dtype());
  const Tensor moved = whole.to(kCuda);
  return Tensor(moved.storage(), t.offset(), t.shape(), t.strides(), t.dtype());
}

::testing::AssertionResult same_values(const Tensor& device_result, const Tensor& expected,
                                       Tolerance tol) {
  if (device_result.device() != kCuda)
    return ::testing::AssertionFailure() << "result on " << device_result.device();
  const Tensor host = device_result.to(Device::cpu());
  return all_close(
      host, expected.shape(), expected.dtype(),
      [&](const Dims& i) {
        return Expected{expected.get(i), 0};
      },
      tol);
}

TEST_F(CudaDevice, MovesBetweenHostAndDeviceKeepingValuesAndDtype) {
  Rng rng = test_rng();
  for (DType dtype : {DType::Float32, DType::Float64}) {
    const Tensor host = random_strided(rng, {3, 4, 5}, dtype, -2, 2);
    const Tensor device = host.to(kCuda);
    EXPECT_EQ(device.device(), kCuda);
    EXPECT_EQ(device.dtype(), dtype);
    EXPECT_TRUE(device.is_contiguous());
    EXPECT_TRUE(device.to(kCuda).is_same(device));
    EXPECT_TRUE(same_values(device, host, kExact));
    // dtype conversion on the device, element access, printing.
    const Tensor converted = device.to(DType::Float64);
    EXPECT_EQ(converted.device(), kCuda);
    EXPECT_EQ(converted.get({1, 2, 3}), static_cast<double>(host.get({1, 2, 3})));
    device.set({0, 0, 0}, 7.5);
    EXPECT_EQ(device.get({0, 0, 0}), 7.5);
    EXPECT_NE(to_string(device).find("device='cuda:0'"), std::string::npos) << to_string(device);
  }
  EXPECT_EQ(zeros({0, 3}, DType::Float32, kCuda).to(Device::cpu()).numel(), 0);
  EXPECT_EQ(scalar(2.5, DType::Float32).to(kCuda).item(), 2.5);
}

TEST_F(CudaDevice, CreatorsOnTheDeviceMatchTheCpu) {
  Generator a(42), b(42);
  const Tensor on_device = randn({5, 7}, DType::Float64, 1, 2, a, kCuda);
  const Tensor on_cpu = randn({5, 7}, DType::Float64, 1, 2, b);
  EXPECT_TRUE(same_values(on_device, on_cpu, kExact));
  EXPECT_TRUE(same_values(full({2, 3}, 4.25, DType::Float32, kCuda), full({2, 3}, 4.25), kExact));
  EXPECT_TRUE(same_values(arange(0, 5, 0.5, DType::Float64, kCuda),
                          arange(0, 5, 0.5, DType::Float64), kExact));
  const std::vector<float> values{1, 2, 3, 4, 5, 6};
  EXPECT_TRUE(same_values(from_buffer(values.data(), DType::Float32, {2, 3}, kCuda),
                          from_vector(values, {2, 3}), kExact));
  EXPECT_EQ(to_vector<double>(from_buffer(values.data(), DType::Float32, {2, 3}, kCuda)),
            std::vector<double>({1, 2, 3, 4, 5, 6}));
}

// Every element-wise op of the op test table and its derivatives, on inputs from its domain.
// The device's math functions differ from the host's in the last bits: within rounding.
TEST_F(CudaDevice, EveryElementwiseOpAndItsDerivativesMatchTheReference) {
  Rng rng = test_rng();
  for (const DType dtype : {DType::Float32, DType::Float64}) {
    const Tolerance tol = default_tolerance(dtype);
    for (const UnaryOpCase& c : kUnaryOpCases) {
      const Dims shape = random_shape(rng, 3, 6);
      const Tensor x = random_strided(rng, shape, dtype, c.domain);
      const Tensor g = random_strided(rng, shape, dtype, -2, 2);
      const Tensor dx = same_layout_on_device(x), dg = same_layout_on_device(g);
      SCOPED_TRACE(cat(op_name(c.op), " on ", describe(x)));
      EXPECT_TRUE(same_values(map(c.op, dx), map(c.op, x), tol));
      EXPECT_TRUE(same_values(map_backward(c.op, dx, dg), map_backward(c.op, x, g), tol));
    }
    for (const BinaryOpCase& c : kBinaryOpCases) {
      const auto [sa, sb] = random_broadcast_pair(rng, 3, 4);
      const Tensor a = random_strided(rng, sa, dtype, c.a), b = random_strided(rng, sb, dtype, c.b);
      const Tensor g = random_strided(rng, broadcast_shape(sa, sb), dtype, -2, 2);
      const Tensor da = same_layout_on_device(a), db = same_layout_on_device(b);
      const Tensor dg = same_layout_on_device(g);
      SCOPED_TRACE(cat(op_name(c.op), " on ", describe(a), " and ", describe(b)));
      EXPECT_TRUE(same_values(zip(c.op, da, db), zip(c.op, a, b), tol));
      for (int operand = 0; operand < 2; ++operand)
        EXPECT_TRUE(same_values(zip_backward(c.op, operand, da, db, dg),
                                zip_backward(c.op, operand, a, b, g), tol))
            << "operand " << operand;
    }
  }
}

TEST_F(CudaDevice, PrimitivesOnRandomLayoutsMatchTheReference) {
  Rng rng = test_rng();
  for (int trial = 0; trial < 12; ++trial) {
    const DType dtype = trial % 2 ? DType::Float64 : DType::Float32;
    const auto [sa, sb] = random_broadcast_pair(rng, 4, 4);
    const Tensor a = random_strided(rng, sa, dtype, 0.5, 2),
                 b = random_strided(rng, sb, dtype, 0.5, 2);
    const Tensor da = same_layout_on_device(a), db = same_layout_on_device(b);
    SCOPED_TRACE(describe(a) + " and " + describe(b));
    const Tolerance tol = default_tolerance(dtype);
    EXPECT_TRUE(same_values(zip(BinaryOp::Add, da, db), zip(BinaryOp::Add, a, b), tol));
    for (int d = -1; d < a.dim(); ++d) {
      const Dims dims = d < 0 ? Dims{} : Dims{d};
      EXPECT_TRUE(same_values(sum(da, dims), sum(a, dims), tol)) << "sum over " << dims;
      if (a.numel() > 0) {
        EXPECT_TRUE(same_values(max(da, dims, true), max(a, dims, true), kExact));
      }
    }
    EXPECT_TRUE(same_values(da.contiguous(), a.contiguous(), kExact));
  }
}

TEST_F(CudaDevice, MatmulOnRandomLayoutsMatchesTheReference) {
  Rng rng = test_rng();
  for (int trial = 0; trial < 8; ++trial) {
    const DType dtype = trial % 2 ? DType::Float64 : DType::Float32;
    const int64_t n = uniform_int(rng, 1, 40), k = uniform_int(rng, 1, 40),
                  m = uniform_int(rng, 1, 40);
    const Dims batch_a = trial % 3 == 0 ? Dims{2, 1} : Dims{3};
    const Dims batch_b = trial % 3 == 0 ? Dims{1, 3} : Dims{1};
    const Tensor a = random_strided(rng, concat(batch_a, {n, k}), dtype, -1, 1);
    const Tensor b = random_strided(rng, concat(batch_b, {k, m}), dtype, -1, 1);
    SCOPED_TRACE(describe(a) + " @ " + describe(b));
    EXPECT_TRUE(same_values(matmul(same_layout_on_device(a), same_layout_on_device(b)),
                            matmul(a, b), default_tolerance(dtype)));
  }
}

// MiniTorch's CUDA cases (minitorch/tests/test_cuda_ops.py), through the whole stack.
TEST_F(CudaDevice, MiniTorchCases) {
  Rng rng = test_rng();
  for (int64_t n : {16, 32, 48, 64, 500, 1025, 5000}) {
    const Tensor x = random_strided(rng, {n}, DType::Float64, -1, 1);
    EXPECT_TRUE(same_values(sum(x.to(kCuda)), sum(x), default_tolerance(DType::Float64))) << n;
  }
  const Tensor y = random_strided(rng, {16, 32}, DType::Float32, -1, 1);
  EXPECT_TRUE(same_values(sum(y.to(kCuda), {1}), sum(y, {1}), default_tolerance(DType::Float32)));
  const std::vector<std::pair<Dims, Dims>> cases{{{2, 2}, {2, 2}},
                                                 {{32, 32}, {32, 32}},
                                                 {{33, 33}, {33, 33}},
                                                 {{2, 33, 33}, {2, 33, 33}},
                                                 {{3, 45, 33}, {3, 33, 40}}};
  for (const auto& [sa, sb] : cases) {
    const Tensor a = random_strided(rng, sa, DType::Float64, -1, 1);
    const Tensor b = random_strided(rng, sb, DType::Float64, -1, 1);
    EXPECT_TRUE(same_values(matmul(a.to(kCuda), b.to(kCuda)), matmul(a, b),
                            default_tolerance(DType::Float64)))
        << sa << " @ " << sb;
  }
}

TEST_F(CudaDevice, ScalarsJoinTheDeviceOtherMixesAreErrors) {
  const Tensor x = arange(0, 6, 1, DType::Float32, kCuda).view({2, 3});
  EXPECT_TRUE(same_values(x * 2.0 + 1.0, arange(0, 6).view({2, 3}) * 2.0 + 1.0, kExact));
  EXPECT_TRUE(same_values(zip(BinaryOp::Sub, scalar(10, DType::Float32), x),
                          zip(BinaryOp::Sub, scalar(10, DType::Float32), arange(0, 6).view({2, 3})),
                          kExact));
  const Tensor cpu = ones({2, 3});
  EXPECT_TRUE(throws_error([&] { add(x, cpu); }, {ErrorCode::DeviceMismatch},
                           {"add", "cpu", "cuda:0", "(2, 3)"}));
  EXPECT_TRUE(throws_error([&] { matmul(x, cpu.transpose(0, 1)); }, {ErrorCode::DeviceMismatch},
                           {"matmul", "cpu", "cuda:0"}));
  EXPECT_TRUE(throws_error([&] { zip_out(BinaryOp::Add, x, x, cpu); }, {ErrorCode::DeviceMismatch},
                           {"out", "cpu", "cuda:0"}));
  EXPECT_TRUE(throws_error([&] { x.data<float>(); }, {ErrorCode::DeviceMismatch}, {"cuda:0"}));
  EXPECT_TRUE(throws_error([] { zeros({2}, DType::Float32, Device::cuda(99)); },
                           {ErrorCode::InvalidArgument}, {"cuda:99"}));
  // out= on the device, and writing into an input (through a temporary).
  const Tensor out = zeros({2, 3}, DType::Float32, kCuda);
  zip_out(BinaryOp::Mul, x, x, out);
  zip_out(BinaryOp::Add, out, x.transpose(0, 1).transpose(0, 1), out);
  map_out(UnaryOp::Neg, out.transpose(0, 1), out.transpose(0, 1));
  const Tensor h = arange(0, 6).view({2, 3});
  EXPECT_TRUE(same_values(out, -(h * h + h), kExact));
  // A CPU scalar written into a device out (the scalar rule holds for out= too).
  map_out(UnaryOp::Id, scalar(5, DType::Float32), out.select(0, 1).select(0, 2));
  reduce_out(ReduceOp::Sum, scalar(3, DType::Float32), {}, false, out.select(0, 0).select(0, 0));
  EXPECT_EQ(out.get({1, 2}), 5);
  EXPECT_EQ(out.get({0, 0}), 3);
}

TEST_F(CudaDevice, GradientsOnTheDeviceMatchTheCpu) {
  Rng rng = test_rng();
  const Tensor a = random_strided(rng, {4, 3}, DType::Float64, 0.5, 2);
  const Tensor b = random_strided(rng, {3, 5}, DType::Float64, 0.5, 2);
  const auto run = [&](Device device) {
    const Tensor x = a.to(device).detach(), w = b.to(device).detach();
    x.set_requires_grad();
    w.set_requires_grad();
    const Tensor loss = sum(sigmoid(matmul(log(x), w)) * 3.0 + max(w, {0}, true));
    loss.backward();
    return std::vector<Tensor>{loss, x.grad(), w.grad()};
  };
  const auto cpu = run(Device::cpu()), gpu = run(kCuda);
  for (size_t i = 0; i < cpu.size(); ++i)
    EXPECT_TRUE(same_values(gpu[i], cpu[i], default_tolerance(DType::Float64))) << i;
  // A CPU scalar that requires grad gets its gradient back on the CPU.
  const Tensor s = scalar(3, DType::Float64);
  s.set_requires_grad();
  sum(a.to(kCuda) * s).backward();
  EXPECT_EQ(s.grad().device(), Device::cpu());
  EXPECT_NEAR(s.grad().item(), sum(a).item(), 1e-12);
}

TEST_F(CudaDevice, TrainingOnTheDeviceFollowsTheCpu) {
  const Dataset data = make_dataset(DatasetKind::Xor, 64, 5);
  std::vector<double> losses[2];
  for (int i = 0; i < 2; ++i) {
    Generator generator(7);
    nn::Mlp model({2, 8, 1}, DType::Float64, generator);
    if (i == 1) model.to(kCuda);
    EXPECT_EQ(model.device(), i == 1 ? kCuda : Device::cpu());
    nn::SGD optimizer(model.parameters(), 0.5);
    for (int epoch = 0; epoch < 3; ++epoch)
      losses[i].push_back(nn::train_classifier_epoch(model, optimizer, data, 16));
    EXPECT_GE(nn::classifier_accuracy(model, data), 0);
    // Class-index targets on the device.
    const Tensor w = arange(0, 4, 1, DType::Float64, model.device()).view({2, 2});
    const Tensor logits = matmul(data.x.to(model.device()), w);
    losses[i].push_back(nn::cross_entropy(logits, data.y.to(model.device())).item());
  }
  for (size_t epoch = 0; epoch < losses[0].size(); ++epoch)
    EXPECT_NEAR(losses[1][epoch], losses[0][epoch], 1e-9) << epoch;
}

TEST_F(CudaDevice, CachingAllocatorReusesBlocks) {
  cuda_synchronize();
  const CudaMemoryStats before = cuda_memory_stats(0);
  {
    const Tensor t = zeros({1000}, DType::Float32, kCuda);
    EXPECT_GE(cuda_memory_stats(0).in_use, before.in_use + 4000);
  }
  const CudaMemoryStats after = cuda_memory_stats(0);
  EXPECT_EQ(after.in_use, before.in_use);
  EXPECT_GE(after.cached, 4000);
  cuda_empty_cache();
  EXPECT_EQ(cuda_memory_stats(0).cached, 0);
}

TEST_F(CudaDevice, MatmulChoice) {
  EXPECT_EQ(cuda_matmul(), CudaMatmul::Kernel);
  EXPECT_FALSE(cuda_device_name(0).empty());
  try {
    cuda_set_matmul(CudaMatmul::Cublas);
  } catch (const Error& e) {
    // The emulation has no cuBLAS; it says so and keeps the kernel.
    EXPECT_NE(std::string(e.what()).find("cuBLAS"), std::string::npos) << e.what();
    EXPECT_EQ(cuda_matmul(), CudaMatmul::Kernel);
    return;
  }
  Rng rng = test_rng();
  const Tensor a = random_strided(rng, {2, 40, 30}, DType::Float32, -1, 1);
  const Tensor b = random_strided(rng, {30, 20}, DType::Float32, -1, 1);
  EXPECT_TRUE(same_values(matmul(a.to(kCuda), b.to(kCuda)), matmul(a, b),
                          default_tolerance(DType::Float32)));
  cuda_set_matmul(CudaMatmul::Kernel);
}

}  // namespace
}  // namespace mt::test
