package org.minitensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/**
 * Devices: ctest runs these with MINITENSOR_CUDA_PLUGIN pointing at the emulated plugin (CUDA
 * kernels on host threads: tensors stay small); without CUDA only the CPU checks run.
 */
class DeviceTest {
  private static final Device CUDA = Device.cuda(0);

  @Test
  void devicesParseAndPrint() {
    assertEquals(Device.CPU, Device.parse("cpu"));
    assertEquals(CUDA, Device.parse("cuda"));
    assertEquals("cuda:2", Device.parse("cuda:2").toString());
    assertThrows(IllegalArgumentException.class, () -> Device.parse("gpu"));
    MinitensorException e = assertThrows(MinitensorException.class,
        () -> Tensor.ones(DType.FLOAT32, 2).to(new Device(MinitensorNative.MT_DEVICE_CPU, 1)));
    assertEquals(Status.INVALID_ARGUMENT, e.getStatus());
  }

  @Test
  void cudaQueriesAndRoundTrips() {
    assumeTrue(Cuda.isAvailable(), Cuda.unavailableReason());
    assertEquals(1, Cuda.deviceCount());
    assertEquals("", Cuda.unavailableReason());
    assertTrue(Cuda.deviceName(0).contains("emulation"));
    assertEquals(Cuda.Matmul.KERNEL, Cuda.getMatmul());
    MinitensorException e =
        assertThrows(MinitensorException.class, () -> Cuda.setMatmul(Cuda.Matmul.CUBLAS));
    assertEquals(Status.UNSUPPORTED, e.getStatus());
    Cuda.synchronize();

    double[] data = {1, -2, 3.5, 4, 5, -6};
    try (Tensor a = Tensor.fromArray(data, 2, 3); Tensor d = a.cuda(); Tensor back = d.cpu()) {
      assertEquals(CUDA, d.device());
      assertEquals("cuda:0", d.device().toString());
      assertArrayEquals(data, d.toDoubleArray());
      assertEquals(Device.CPU, back.device());
      assertArrayEquals(data, back.toDoubleArray());
      try (Tensor m = Tensor.fromArray(new double[] {1, 0, -1, 2, 0.5, 3}, 3, 2);
           Tensor onCpu = a.matmul(m); Tensor dm = m.to(CUDA); Tensor onCuda = d.matmul(dm)) {
        assertArrayEquals(onCpu.toDoubleArray(), onCuda.toDoubleArray(), 1e-12);
        MinitensorException mismatch =
            assertThrows(MinitensorException.class, () -> a.matmul(dm));
        assertEquals(Status.DEVICE_MISMATCH, mismatch.getStatus());
        assertTrue(mismatch.getMessage().contains("cuda:0"), mismatch.getMessage());
      }
    }
    try (Tensor z = Tensor.zeros(DType.FLOAT64, CUDA, 2, 2);
         Tensor f = Tensor.full(2.5, DType.FLOAT32, CUDA, 3);
         Tensor r = Tensor.rand(new long[] {4}, DType.FLOAT32, 0, 1, new Generator(4), CUDA);
         Tensor rc = Tensor.rand(new long[] {4}, DType.FLOAT32, 0, 1, new Generator(4))) {
      assertEquals(CUDA, z.device());
      assertArrayEquals(new double[] {2.5, 2.5, 2.5}, f.toDoubleArray());
      assertArrayEquals(rc.toDoubleArray(), r.toDoubleArray(), 1e-6);
    }
    long[] stats = Cuda.memoryStats(0);
    assertTrue(stats[0] >= 0 && stats[1] >= 0);
    Cuda.emptyCache();
    assertEquals(0, Cuda.memoryStats(0)[1]);
  }

  private static double[] train(Device device) {
    double[] losses = new double[3];
    try (Mlp model = new Mlp(new long[] {2, 8, 1}, DType.FLOAT64, new Generator(3)).to(device);
         Dataset data = Dataset.make(DatasetKind.XOR, 16, 7, DType.FLOAT64);
         Tensor x = data.x().to(device); Tensor y = data.y().to(device);
         Optimizer sgd = Optimizer.sgd(model.parameters(), 0.5, 0.9, 0, false)) {
      assertEquals(device, model.parameters().get(0).device());
      for (int i = 0; i < losses.length; ++i) {
        sgd.zeroGrad();
        Tensor loss = Loss.binaryCrossEntropy(model.forward(x).squeeze(1).sigmoid(), y,
            Reduction.MEAN);
        loss.backward();
        sgd.step();
        losses[i] = loss.item();
      }
    }
    return losses;
  }

  @Test
  void trainingOnTheDeviceEqualsTheCpu() {
    assumeTrue(Cuda.isAvailable(), Cuda.unavailableReason());
    double[] cpu = train(Device.CPU);
    double[] cuda = train(CUDA);
    for (int i = 0; i < cpu.length; ++i)
      assertEquals(cpu[i], cuda[i], 1e-5 * Math.abs(cpu[i]));
    try (Linear layer = new Linear(2, 3, DType.FLOAT32, true, null).to(CUDA)) {
      assertEquals(CUDA, layer.weight().device());
      assertArrayEquals(new long[] {1, 3},
          layer.forward(Tensor.ones(DType.FLOAT32, CUDA, 1, 2)).shape());
    }
  }
}
