// Creating tensors, and the queries and element access on them.
using System;
using System.Linq;
using Minitensor;

static class CreationTests {
  [Test]
  public static void ZerosOnesFullScalar() {
    using (Tensor zeros = Tensor.Zeros(2, 3))
    using (Tensor ones = Tensor.Ones(new long[] { 4 }, DType.Float64))
    using (Tensor full = Tensor.Full(new long[] { 2, 2 }, 2.5, DType.Float64))
    using (Tensor scalar = Tensor.Scalar(3.5)) {
      Check.Tensor(new long[] { 2, 3 }, new double[6], zeros, 0, "zeros");
      Check.Equal(DType.Float32, zeros.DType, "zeros dtype");
      Check.Tensor(new long[] { 4 }, new double[] { 1, 1, 1, 1 }, ones, 0, "ones");
      Check.Equal(DType.Float64, ones.DType, "ones dtype");
      Check.Tensor(new long[] { 2, 2 }, new[] { 2.5, 2.5, 2.5, 2.5 }, full, 0, "full");
      Check.Equal(0, scalar.NDim, "scalar ndim");
      Check.Equal(1L, scalar.Numel, "scalar numel");
      Check.Equal(3.5, scalar.Item(), "scalar item");
    }
  }

  [Test]
  public static void Arange() {
    using (Tensor up = Tensor.Arange(0, 5))
    using (Tensor down = Tensor.Arange(5, 0, -2))
    using (Tensor quarters = Tensor.Arange(0, 1, 0.25, DType.Float64)) {
      Check.Tensor(new long[] { 5 }, new double[] { 0, 1, 2, 3, 4 }, up, 0, "arange(0, 5)");
      Check.Tensor(new long[] { 3 }, new double[] { 5, 3, 1 }, down, 0, "arange(5, 0, -2)");
      Check.Tensor(new long[] { 4 }, new[] { 0, 0.25, 0.5, 0.75 }, quarters, 0, "quarters");
    }
  }

  // A multi-dimensional array gives its shape and its element type's dtype.
  [Test]
  public static void FromArrayTakesTheArraysShape() {
    using (Tensor doubles = Tensor.FromArray(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } }))
    using (Tensor floats = Tensor.FromArray(new float[2, 0, 3]))
    using (Tensor scalar = Tensor.FromArray((Array)new float[] { 7 })) {
      Check.Equal(DType.Float64, doubles.DType, "double[,] dtype");
      Check.Tensor(new long[] { 2, 3 }, new double[] { 1, 2, 3, 4, 5, 6 }, doubles, 0, "[,]");
      Check.Equal(DType.Float32, floats.DType, "float[,,] dtype");
      Check.Equal(new long[] { 2, 0, 3 }, floats.Shape, "empty float[,,]");
      Check.Tensor(new long[] { 1 }, new double[] { 7 }, scalar, 0, "float[] as an Array");
    }
    var e = Check.Throws<ArgumentException>(() => Tensor.FromArray(new int[2, 2]), "int[,]");
    Check.True(e.Message.Contains("Int32[,]"), "the message names the array type: " + e.Message);
    Check.Throws<ArgumentNullException>(() => Tensor.FromArray((Array)null), "null");
  }

  [Test]
  public static void FromArrayRoundTrips() {
    double[] values = { 1.5, -2, 3.25, 4, 1e-3, 6 };
    using (Tensor doubles = Tensor.FromArray(values, 2, 3))
    using (Tensor floats = Tensor.FromArray(new[] { 1f, 2f, 3f }))
    using (Tensor converted = Tensor.FromArray(new[] { 0.1f, 0.2f }, new long[] { 2 },
                                               DType.Float64))
    using (Tensor matrix = Tensor.FromArray(new double[,] { { 1, 2 }, { 3, 4 } },
                                            new long[] { 2, 2 }, DType.Float32)) {
      Check.Equal(DType.Float64, doubles.DType, "double[] dtype");
      Check.Tensor(new long[] { 2, 3 }, values, doubles, 0, "double[]");
      Check.Equal(values[5], doubles[1, 2], "element (1, 2)");
      Check.Equal(DType.Float32, floats.DType, "float[] dtype");
      Check.Equal(new long[] { 3 }, floats.Shape, "no shape: 1-D");
      Check.True(new[] { 1f, 2f, 3f }.SequenceEqual(floats.ToFloatArray()), "float[] values");
      Check.Equal(DType.Float64, converted.DType, "converted dtype");
      Check.Equal((double)0.1f, converted[0], "float widened exactly");
      Check.Tensor(new long[] { 2, 2 }, new double[] { 1, 2, 3, 4 }, matrix, 0, "double[,]");
      Check.True(new[] { 1.5f, -2f, 3.25f, 4f, 1e-3f, 6f }.SequenceEqual(doubles.ToFloatArray()),
                 "ToFloatArray narrows");
    }
  }

  [Test]
  public static void Queries() {
    using (Tensor t = Tensor.Empty(new long[] { 2, 3, 4 }, DType.Float64)) {
      Check.Equal(new long[] { 2, 3, 4 }, t.Shape, "shape");
      Check.Equal(new long[] { 12, 4, 1 }, t.Strides, "strides");
      Check.Equal(3, t.NDim, "ndim");
      Check.Equal(24L, t.Numel, "numel");
      Check.Equal(DType.Float64, t.DType, "dtype");
      Check.Equal(4L, t.Size(-1), "size(-1)");
      Check.Equal(12L, t.Stride(0), "stride(0)");
      Check.True(t.IsContiguous, "contiguous");
      Check.Equal(new Device(DeviceType.Cpu, 0), t.Device, "device");
      Check.Equal("cpu", t.Device.ToString(), "device text");
      Check.True(t.Device == new Device(DeviceType.Cpu, 0), "== compares type and index");
      Check.True(t.Device != new Device(DeviceType.Cpu, 1), "!= too");
    }
  }

  [Test]
  public static void ToStringIsNumpyLike() {
    using (Tensor t = Tensor.FromArray(new[] { 1f, 2f, 3f, 4f }, 2, 2)) {
      Check.Equal("tensor([[1., 2.],\n        [3., 4.]], dtype=float32)", t.ToString(), "text");
    }
  }

  [Test]
  public static void IndexerWritesElements() {
    using (Tensor t = Tensor.Zeros(2, 3)) {
      t[0, 1] = 7;
      t[1, 2] = -1.5;
      Check.Tensor(new long[] { 2, 3 }, new[] { 0, 7, 0, 0, 0, -1.5 }, t, 0, "after writes");
      Check.Equal(7.0, t[0, 1], "read back");
    }
  }

  [Test]
  public static void RandIsSeededAndInRange() {
    long[] shape = { 1000 };
    double[] first, again, other, reseeded;
    using (var generator = new Generator(42)) {
      using (Tensor t = Tensor.Rand(shape, DType.Float64, -2, 3, generator))
        first = t.ToDoubleArray();
      generator.ManualSeed(42);
      using (Tensor t = Tensor.Rand(shape, DType.Float64, -2, 3, generator))
        reseeded = t.ToDoubleArray();
    }
    using (var generator = new Generator(42))
    using (Tensor t = Tensor.Rand(shape, DType.Float64, -2, 3, generator))
      again = t.ToDoubleArray();
    using (var generator = new Generator(43))
    using (Tensor t = Tensor.Rand(shape, DType.Float64, -2, 3, generator))
      other = t.ToDoubleArray();
    Check.True(first.All(v => v >= -2 && v < 3), "samples in [-2, 3)");
    Check.True(first.Max() - first.Min() > 4.5, "samples spread over the range");
    Check.True(first.SequenceEqual(again), "same seed, same samples");
    Check.True(first.SequenceEqual(reseeded), "ManualSeed restarts the stream");
    Check.True(!first.SequenceEqual(other), "another seed, other samples");
  }

  [Test]
  public static void DefaultGeneratorIsSeedable() {
    Generator.ManualSeedDefault(7);
    double[] first, second;
    using (Tensor t = Tensor.Rand(new long[] { 100 })) first = t.ToDoubleArray();
    Generator.ManualSeedDefault(7);
    using (Tensor t = Tensor.Rand(new long[] { 100 })) second = t.ToDoubleArray();
    Check.True(first.SequenceEqual(second), "ManualSeedDefault restarts the default stream");
  }

  [Test]
  public static void RandnHasItsMeanAndStd() {
    double[] samples;
    using (var generator = new Generator(5))
    using (Tensor t = Tensor.Randn(new long[] { 20000 }, DType.Float64, 2, 3, generator))
      samples = t.ToDoubleArray();
    double mean = samples.Average();
    double std = Math.Sqrt(samples.Select(v => (v - mean) * (v - mean)).Average());
    // The standard error of the mean is 3 / sqrt(20000) = 0.02.
    Check.Close(2, mean, 0.1, "sample mean");
    Check.Close(3, std, 0.1, "sample std");
  }
}
