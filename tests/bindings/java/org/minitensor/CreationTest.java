package org.minitensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.minitensor.Expect.shape;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CreationTest {
  @Test
  void zerosOnesFullHaveShapeDtypeAndValues() {
    try (Tensor zeros = Tensor.zeros(DType.FLOAT32, 2, 3);
        Tensor ones = Tensor.ones(DType.FLOAT64, 4);
        Tensor full = Tensor.full(2.5, DType.FLOAT32, 2, 2)) {
      Expect.values(zeros, shape(2, 3), 0, 0, 0, 0, 0, 0);
      assertEquals(DType.FLOAT32, zeros.dtype());
      assertEquals(2, zeros.ndim());
      assertEquals(6, zeros.numel());
      assertArrayEquals(shape(3, 1), zeros.strides());
      assertTrue(zeros.isContiguous());
      assertEquals(new Device(MinitensorNative.MT_DEVICE_CPU, 0), zeros.device());
      assertEquals("cpu", zeros.device().toString());
      Expect.values(ones, shape(4), 1, 1, 1, 1);
      assertEquals(DType.FLOAT64, ones.dtype());
      assertEquals(4, DType.FLOAT32.itemSize());
      assertEquals(8, DType.FLOAT64.itemSize());
      Expect.values(full, shape(2, 2), 2.5, 2.5, 2.5, 2.5);
    }
  }

  @Test
  void emptyHasShapeOnly() {
    try (Tensor empty = Tensor.empty(DType.FLOAT64, 3, 0, 2)) {
      assertArrayEquals(shape(3, 0, 2), empty.shape());
      assertEquals(0, empty.numel());
      assertEquals(0, empty.toDoubleArray().length);
    }
  }

  @Test
  void scalarIsRankZero() {
    try (Tensor scalar = Tensor.scalar(7.25, DType.FLOAT64);
        Tensor fromEmptyShape = Tensor.zeros(DType.FLOAT32)) {
      assertEquals(0, scalar.ndim());
      assertArrayEquals(new long[0], scalar.shape());
      assertEquals(1, scalar.numel());
      assertEquals(7.25, scalar.item());
      assertEquals(7.25, scalar.get());
      assertEquals(0, fromEmptyShape.ndim());
    }
  }

  @Test
  void arangeCountsAsNumpy() {
    try (Tensor up = Tensor.arange(0, 1, 0.25, DType.FLOAT64);
        Tensor down = Tensor.arange(5, 0, -2, DType.FLOAT32)) {
      Expect.values(up, shape(4), 0, 0.25, 0.5, 0.75);
      Expect.values(down, shape(3), 5, 3, 1);
      assertEquals(DType.FLOAT32, down.dtype());
    }
  }

  @Test
  void fromArrayCopiesAndConverts() {
    float[] floats = {1.5f, -2f, 3f, 4.25f};
    double[] doubles = {0.1, 0.2, 0.3};
    try (Tensor a = Tensor.fromArray(floats, 2, 2);
        Tensor b = Tensor.fromArray(doubles, 3);
        Tensor narrowed = Tensor.fromArray(doubles, DType.FLOAT32, 3, 1);
        Tensor widened = Tensor.fromArray(floats, DType.FLOAT64, 4)) {
      assertEquals(DType.FLOAT32, a.dtype());
      assertEquals(3.0, a.get(1, 0));
      assertArrayEquals(floats, a.toFloatArray());
      floats[0] = 99; // a copy: the tensor does not see it
      assertEquals(1.5, a.get(0, 0));
      assertArrayEquals(doubles, b.toDoubleArray());
      assertEquals(DType.FLOAT32, narrowed.dtype());
      assertArrayEquals(shape(3, 1), narrowed.shape());
      assertEquals((double) (float) 0.1, narrowed.get(0, 0));
      assertArrayEquals(new double[] {1.5, -2, 3, 4.25}, widened.toDoubleArray());
    }
  }

  @Test
  void fromArrayWithoutShapeIsAVector() {
    try (Tensor floats = Tensor.fromArray(new float[] {1, 2, 3});
        Tensor doubles = Tensor.fromArray(new double[] {4});
        Tensor none = Tensor.fromArray(new double[0]);
        Tensor scalar = Tensor.fromArray(new double[] {5}, new long[0])) {
      Expect.values(floats, shape(3), 1, 2, 3);
      Expect.values(doubles, shape(1), 4);
      Expect.values(none, shape(0));
      Expect.values(scalar, shape(), 5);
    }
  }

  @Test
  void fromArrayNeedsOneElementPerPlace() {
    Expect.failure(Status.SHAPE_MISMATCH, () -> Tensor.fromArray(new double[5], 2, 3),
        "mt_from_buffer", "5", "6");
  }

  @Test
  void randIsUniformInRangeAndSeeded() {
    long[] size = shape(1000);
    try (Generator g1 = new Generator(42);
        Generator g2 = new Generator(42);
        Generator g3 = new Generator(43);
        Tensor a = Tensor.rand(size, DType.FLOAT64, -2, 3, g1);
        Tensor b = Tensor.rand(size, DType.FLOAT64, -2, 3, g2);
        Tensor c = Tensor.rand(size, DType.FLOAT64, -2, 3, g3)) {
      double[] values = a.toDoubleArray();
      assertArrayEquals(values, b.toDoubleArray());
      assertFalse(Arrays.equals(values, c.toDoubleArray()));
      assertTrue(Arrays.stream(values).allMatch(v -> v >= -2 && v < 3));
      double mean = Arrays.stream(values).average().orElseThrow();
      assertEquals(0.5, mean, 0.25); // uniform on [-2, 3): mean 0.5, std of the mean 0.05
      g1.manualSeed(42);
      try (Tensor again = Tensor.rand(size, DType.FLOAT64, -2, 3, g1)) {
        assertArrayEquals(values, again.toDoubleArray());
      }
    }
  }

  @Test
  void defaultGeneratorRestartsFromManualSeed() {
    Minitensor.manualSeed(5);
    double[] first;
    try (Tensor a = Tensor.rand(DType.FLOAT32, 10)) {
      first = a.toDoubleArray();
    }
    Minitensor.manualSeed(5);
    try (Tensor b = Tensor.rand(DType.FLOAT32, 10)) {
      assertArrayEquals(first, b.toDoubleArray());
    }
  }

  @Test
  void randnHasMeanAndStd() {
    try (Generator generator = new Generator(7);
        Tensor samples = Tensor.randn(shape(20000), DType.FLOAT64, 3, 2, generator)) {
      double[] values = samples.toDoubleArray();
      double mean = Arrays.stream(values).average().orElseThrow();
      double variance = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum()
          / (values.length - 1);
      assertEquals(3, mean, 0.05); // std of the mean: 2 / sqrt(20000) = 0.014
      assertEquals(2, Math.sqrt(variance), 0.05);
    }
  }

  @Test
  void datasetsFollowTheirRule() {
    try (Dataset a = Dataset.make(DatasetKind.XOR, 200, 4, DType.FLOAT64);
        Dataset b = Dataset.make(DatasetKind.fromName("xor"), 200, 4, DType.FLOAT64)) {
      assertArrayEquals(shape(200, 2), a.x().shape());
      assertArrayEquals(shape(200), a.y().shape());
      double[] x = a.x().toDoubleArray();
      double[] y = a.y().toDoubleArray();
      for (int i = 0; i < 200; ++i) {
        double x1 = x[2 * i];
        double x2 = x[2 * i + 1];
        assertTrue(x1 >= 0 && x1 <= 1 && x2 >= 0 && x2 <= 1);
        assertEquals((x1 < 0.5) != (x2 < 0.5) ? 1.0 : 0.0, y[i], "label of point " + i);
      }
      assertArrayEquals(x, b.x().toDoubleArray());
      assertEquals("xor", DatasetKind.XOR.datasetName());
      assertEquals(DatasetKind.SPIRAL, DatasetKind.fromName("spiral"));
    }
  }
}
