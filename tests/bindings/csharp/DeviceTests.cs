// Devices: ctest runs these with MINITENSOR_CUDA_PLUGIN pointing at the emulated plugin (CUDA
// kernels on host threads: tensors stay small); without CUDA only the CPU checks run.
using System;
using Minitensor;

static class DeviceTests {
  static readonly Device Gpu = Device.Cuda(0);

  [Test]
  public static void CpuDeviceAndBadArguments() {
    using (Tensor t = Tensor.Ones(2))
    using (Tensor same = t.Cpu()) {
      Check.Equal(Device.Cpu, same.Device, "device");
      Check.Equal("cuda:1", Device.Cuda(1).ToString(), "device text");
      Check.Fails(Status.InvalidArgument, () => t.To(new Device(DeviceType.Cpu, 1)), "not 1");
    }
  }

  [Test]
  public static void CudaQueriesAndRoundTrips() {
    if (!Cuda.IsAvailable) {
      Console.WriteLine("skipped: CUDA unavailable: " + Cuda.UnavailableReason);
      return;
    }
    Check.Equal(1, Cuda.DeviceCount, "count");
    Check.Equal("", Cuda.UnavailableReason, "reason");
    Check.True(Cuda.DeviceName(0).Contains("emulation"), "name");
    Check.Equal(CudaMatmul.Kernel, Cuda.Matmul, "matmul");
    Check.Fails(Status.Unsupported, () => Cuda.Matmul = CudaMatmul.Cublas, "cuBLAS");
    Cuda.Synchronize();
    double[] data = {1, -2, 3.5, 4, 5, -6};
    using (Tensor a = Tensor.FromArray(data, 2, 3))
    using (Tensor d = a.Cuda())
    using (Tensor m = Tensor.FromArray(new double[] {1, 0, -1, 2, 0.5, 3}, new long[] {3, 2},
                                       DType.Float64, Gpu))
    using (Tensor cpuProduct = a.MatMul(m.Cpu()))
    using (Tensor product = d.MatMul(m)) {
      Check.Equal(Gpu, d.Device, "device");
      Check.Equal("cuda:0", d.Device.ToString(), "device text");
      Check.Close(data, d.ToDoubleArray(), 0, "values");
      Check.Close(data, d.Cpu().ToDoubleArray(), 0, "values back");
      Check.Close(cpuProduct.ToDoubleArray(), product.ToDoubleArray(), 1e-12, "matmul");
      Check.Fails(Status.DeviceMismatch, () => a.MatMul(m), "cpu", "cuda:0");
    }
    using (Tensor f = Tensor.Full(new long[] {3}, 2.5, DType.Float32, Gpu))
    using (Tensor r = Tensor.Rand(new long[] {4}, DType.Float32, 0, 1, new Generator(4), Gpu))
    using (Tensor rc = Tensor.Rand(new long[] {4}, DType.Float32, 0, 1, new Generator(4))) {
      Check.Close(new double[] {2.5, 2.5, 2.5}, f.ToDoubleArray(), 0, "full");
      Check.Close(rc.ToDoubleArray(), r.ToDoubleArray(), 1e-6, "rand");
    }
    Cuda.EmptyCache();
    Check.Equal(0L, Cuda.MemoryStats(0).Cached, "cached");
  }

  static double[] Train(Device device) {
    var losses = new double[3];
    using (var model = new Mlp(new long[] {2, 8, 1}, DType.Float64, new Generator(3)).To(device))
    using (var data = Dataset.Make(DatasetKind.Xor, 16, 7, DType.Float64))
    using (Tensor x = data.X.To(device))
    using (Tensor y = data.Y.To(device))
    using (var sgd = new Sgd(model.Parameters, 0.5, 0.9)) {
      Check.Equal(device, model.Parameters[0].Device, "parameter device");
      for (int i = 0; i < losses.Length; ++i) {
        sgd.ZeroGrad();
        Tensor loss = Loss.BinaryCrossEntropy(model.Forward(x).Squeeze(1).Sigmoid(), y);
        loss.Backward();
        sgd.Step();
        losses[i] = loss.Item();
      }
    }
    return losses;
  }

  [Test]
  public static void TrainingOnTheDeviceEqualsTheCpu() {
    if (!Cuda.IsAvailable) return;
    double[] cpu = Train(Device.Cpu), gpu = Train(Gpu);
    for (int i = 0; i < cpu.Length; ++i)
      Check.Close(cpu[i], gpu[i], 1e-5 * Math.Abs(cpu[i]), "loss " + i);
    using (var layer = new Linear(2, 3).To(Gpu)) {
      Check.Equal(Gpu, layer.Weight.Device, "weight device");
      using (Tensor x = Tensor.Ones(new long[] {1, 2}, DType.Float32))
        Check.Fails(Status.DeviceMismatch, () => layer.Forward(x), "cuda:0");
    }
  }
}
