// Map, zip (with broadcasting and scalars), reduce and matmul, checked against C# loops.
using System;
using System.Linq;
using Minitensor;

static class OpsTests {
  static readonly double[] Xs = { -2, -0.5, 0.5, 3 };

  static void CheckMap(Func<Tensor, Tensor> op, Func<double, double> expected, double[] xs,
                       string what) {
    using (Tensor x = Tensor.FromArray(xs))
    using (Tensor y = op(x))
      Check.Tensor(new long[] { xs.Length }, xs.Select(expected).ToArray(), y, 1e-15, what);
  }

  [Test]
  public static void MapOps() {
    double[] positive = Xs.Select(v => Math.Abs(v)).ToArray();
    CheckMap(x => -x, v => -v, Xs, "neg");
    CheckMap(x => x.Map(MapOp.Id), v => v, Xs, "id");
    CheckMap(x => x.Exp(), Math.Exp, Xs, "exp");
    CheckMap(x => x.Log(), Math.Log, positive, "log");
    CheckMap(x => x.Sigmoid(), v => 1 / (1 + Math.Exp(-v)), Xs, "sigmoid");
    CheckMap(x => x.Relu(), v => Math.Max(v, 0), Xs, "relu");
    CheckMap(x => x.Tanh(), Math.Tanh, Xs, "tanh");
    CheckMap(x => x.Reciprocal(), v => 1 / v, Xs, "reciprocal");
    CheckMap(x => x.Abs(), Math.Abs, Xs, "abs");
    CheckMap(x => x.Sqrt(), Math.Sqrt, positive, "sqrt");
    CheckMap(x => x.Square(), v => v * v, Xs, "square");
  }

  // <=, >= and Ne, which the library composes from Lt, Gt and Eq: NaN compares false
  // (Ne: true) as in C#.
  [Test]
  public static void OrEqualComparisonsAndNe() {
    double[] xs = { 1, 2, 3, double.NaN };
    Func<bool, double> one = condition => condition ? 1 : 0;
    CheckMap(x => x <= 2.0, v => one(v <= 2), xs, "x <= 2");
    CheckMap(x => x >= 2.0, v => one(v >= 2), xs, "x >= 2");
    CheckMap(x => 2.0 <= x, v => one(2 <= v), xs, "2 <= x");
    CheckMap(x => 2.0 >= x, v => one(2 >= v), xs, "2 >= x");
    CheckMap(x => x.Ne(2), v => one(v != 2), xs, "x != 2");
    using (Tensor two = Tensor.Full(new long[] { 4 }, 2, DType.Float32)) {
      CheckMap(x => x <= two, v => one(v <= 2), xs, "x <= tensor of 2");
      CheckMap(x => x >= two, v => one(v >= 2), xs, "x >= tensor of 2");
      CheckMap(x => x.Ne(two), v => one(v != 2), xs, "x != tensor of 2");
    }
  }

  // a (2, 3) = 0..5 with b (3,) = (10, 20, 30) and with c (2, 1) = (2, 4).
  [Test]
  public static void ZipBroadcasts() {
    using (Tensor a = Tensor.Arange(0, 6, 1, DType.Float64).View(2, 3))
    using (Tensor b = Tensor.FromArray(new double[] { 10, 20, 30 }))
    using (Tensor c = Tensor.FromArray(new double[] { 2, 4 }, 2, 1)) {
      var shape = new long[] { 2, 3 };
      Func<Func<double, double, double>, double[]> withB =
          f => Enumerable.Range(0, 6).Select(i => f(i, 10 * (i % 3 + 1))).ToArray();
      Func<Func<double, double, double>, double[]> withC =
          f => Enumerable.Range(0, 6).Select(i => f(i, 2 * (i / 3 + 1))).ToArray();
      using (Tensor r = a + b) Check.Tensor(shape, withB((x, y) => x + y), r, 0, "a + b");
      using (Tensor r = a - b) Check.Tensor(shape, withB((x, y) => x - y), r, 0, "a - b");
      using (Tensor r = a * c) Check.Tensor(shape, withC((x, y) => x * y), r, 0, "a * c");
      using (Tensor r = a / c) Check.Tensor(shape, withC((x, y) => x / y), r, 0, "a / c");
      using (Tensor r = a.Pow(c)) Check.Tensor(shape, withC(Math.Pow), r, 1e-15, "a ** c");
      using (Tensor r = c.Maximum(a)) Check.Tensor(shape, withC(Math.Max), r, 0, "maximum");
      using (Tensor r = c.Minimum(a)) Check.Tensor(shape, withC(Math.Min), r, 0, "minimum");
      using (Tensor r = a < c) Check.Tensor(shape, withC((x, y) => x < y ? 1 : 0), r, 0, "a < c");
      using (Tensor r = a > c) Check.Tensor(shape, withC((x, y) => x > y ? 1 : 0), r, 0, "a > c");
      using (Tensor r = a.Eq(c)) Check.Tensor(shape, withC((x, y) => x == y ? 1 : 0), r, 0, "eq");
    }
  }

  [Test]
  public static void ScalarOperandsOnBothSides() {
    using (Tensor a = Tensor.FromArray(new[] { 1f, 2f, 4f })) {
      var shape = new long[] { 3 };
      using (Tensor r = a + 2) Check.Tensor(shape, new double[] { 3, 4, 6 }, r, 0, "a + 2");
      using (Tensor r = 2 + a) Check.Tensor(shape, new double[] { 3, 4, 6 }, r, 0, "2 + a");
      using (Tensor r = a - 2) Check.Tensor(shape, new double[] { -1, 0, 2 }, r, 0, "a - 2");
      using (Tensor r = 2 - a) Check.Tensor(shape, new double[] { 1, 0, -2 }, r, 0, "2 - a");
      using (Tensor r = a * 3) Check.Tensor(shape, new double[] { 3, 6, 12 }, r, 0, "a * 3");
      using (Tensor r = 3 * a) Check.Tensor(shape, new double[] { 3, 6, 12 }, r, 0, "3 * a");
      using (Tensor r = a / 4) Check.Tensor(shape, new[] { 0.25, 0.5, 1 }, r, 0, "a / 4");
      using (Tensor r = 4 / a) Check.Tensor(shape, new double[] { 4, 2, 1 }, r, 0, "4 / a");
      using (Tensor r = a.Pow(2)) Check.Tensor(shape, new double[] { 1, 4, 16 }, r, 0, "a ** 2");
      using (Tensor r = a > 1.5) Check.Tensor(shape, new double[] { 0, 1, 1 }, r, 0, "a > 1.5");
      using (Tensor r = 1.5 > a) Check.Tensor(shape, new double[] { 1, 0, 0 }, r, 0, "1.5 > a");
      using (Tensor r = a.Lt(2)) Check.Tensor(shape, new double[] { 1, 0, 0 }, r, 0, "a < 2");
      using (Tensor r = a.Eq(4)) Check.Tensor(shape, new double[] { 0, 0, 1 }, r, 0, "a == 4");
      using (Tensor r = a * 3) Check.Equal(DType.Float32, r.DType, "float32 with a double");
    }
  }

  [Test]
  public static void MixedDTypesGiveFloat64() {
    using (Tensor a = Tensor.Ones(new long[] { 2 }, DType.Float32))
    using (Tensor b = Tensor.Ones(new long[] { 2 }, DType.Float64))
    using (Tensor sum = a + b)
      Check.Equal(DType.Float64, sum.DType, "float32 + float64");
  }

  [Test]
  public static void IsClose() {
    using (Tensor a = Tensor.FromArray(new[] { 1, 1 + 1e-9, 1.1, 100.0005 }))
    using (Tensor b = Tensor.FromArray(new[] { 1.0, 1, 1, 100 }))
    using (Tensor close = a.IsClose(b))
      Check.Tensor(new long[] { 4 }, new double[] { 1, 1, 0, 1 }, close, 0, "isclose");
  }

  // x (2, 3) = [[1, 2, 3], [4, 5, 6]].
  [Test]
  public static void Reductions() {
    using (Tensor x = Tensor.Arange(1, 7, 1, DType.Float64).View(2, 3)) {
      Action<Tensor, long[], double[], string> expect = (r, shape, values, what) => {
        using (r) Check.Tensor(shape, values, r, 1e-15, what);
      };
      var scalar = new long[0];
      expect(x.Sum(), scalar, new double[] { 21 }, "sum");
      expect(x.Sum(0), new long[] { 3 }, new double[] { 5, 7, 9 }, "sum(0)");
      expect(x.Sum(-1, keepDim: true), new long[] { 2, 1 }, new double[] { 6, 15 }, "sum(-1)");
      expect(x.Sum(new long[] { 0, 1 }), scalar, new double[] { 21 }, "sum(0, 1)");
      expect(x.Prod(), scalar, new double[] { 720 }, "prod");
      expect(x.Prod(1), new long[] { 2 }, new double[] { 6, 120 }, "prod(1)");
      expect(x.Max(), scalar, new double[] { 6 }, "max");
      expect(x.Max(0), new long[] { 3 }, new double[] { 4, 5, 6 }, "max(0)");
      expect(x.Min(1, keepDim: true), new long[] { 2, 1 }, new double[] { 1, 4 }, "min(1)");
      expect(x.Min(), scalar, new double[] { 1 }, "min");
      expect(x.Mean(), scalar, new[] { 3.5 }, "mean");
      expect(x.Mean(0), new long[] { 3 }, new[] { 2.5, 3.5, 4.5 }, "mean(0)");
      expect(x.Reduce(ReduceOp.Sum, new long[] { 1 }), new long[] { 2 }, new double[] { 6, 15 },
             "reduce(sum, 1)");
    }
    using (Tensor empty = Tensor.Zeros(new long[] { 0 }, DType.Float64))
    using (Tensor mean = empty.Mean())
    using (Tensor sum = empty.Sum()) {
      Check.True(double.IsNaN(mean.Item()), "mean of nothing is NaN");
      Check.Equal(0.0, sum.Item(), "sum of nothing");
    }
  }

  // (n, k) @ (k, m) with elements read back from the tensors.
  static double[] MatMulOf(double[] a, double[] b, int n, int k, int m) {
    var c = new double[n * m];
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < m; ++j)
        for (int p = 0; p < k; ++p) c[i * m + j] += a[i * k + p] * b[p * m + j];
    return c;
  }

  [Test]
  public static void MatMul() {
    using (var generator = new Generator(1))
    using (Tensor a = Tensor.Randn(new long[] { 5, 3 }, DType.Float64, generator: generator))
    using (Tensor b = Tensor.Randn(new long[] { 3, 4 }, DType.Float64, generator: generator))
    using (Tensor v = Tensor.FromArray(new double[] { 1, -2, 0.5 }))
    using (Tensor batch = Tensor.Randn(new long[] { 2, 5, 3 }, DType.Float64,
                                       generator: generator)) {
      double[] av = a.ToDoubleArray(), bv = b.ToDoubleArray(), vv = v.ToDoubleArray();
      using (Tensor c = a.MatMul(b))
        Check.Tensor(new long[] { 5, 4 }, MatMulOf(av, bv, 5, 3, 4), c, 1e-14, "a @ b");
      using (Tensor c = v.MatMul(b))
        Check.Tensor(new long[] { 4 }, MatMulOf(vv, bv, 1, 3, 4), c, 1e-14, "v @ b");
      using (Tensor c = a.MatMul(v))
        Check.Tensor(new long[] { 5 }, MatMulOf(av, vv, 5, 3, 1), c, 1e-14, "a @ v");
      using (Tensor c = batch.MatMul(b)) {
        double[] all = batch.ToDoubleArray();
        double[] expected = MatMulOf(all.Take(15).ToArray(), bv, 5, 3, 4)
            .Concat(MatMulOf(all.Skip(15).ToArray(), bv, 5, 3, 4)).ToArray();
        Check.Tensor(new long[] { 2, 5, 4 }, expected, c, 1e-14, "batch @ b (broadcast)");
      }
    }
  }

  [Test]
  public static void IntoWritesExistingTensors() {
    using (Tensor x = Tensor.FromArray(new double[] { 1, 2, 3, 4 }, 2, 2))
    using (Tensor y = Tensor.FromArray(new double[] { 10, 20 }))
    using (Tensor destination = Tensor.Zeros(new long[] { 2, 2 }, DType.Float64))
    using (Tensor column = Tensor.Zeros(new long[] { 2 }, DType.Float64)) {
      var shape = new long[] { 2, 2 };
      x.MapInto(MapOp.Square, destination);
      Check.Tensor(shape, new double[] { 1, 4, 9, 16 }, destination, 0, "map into");
      Tensor.ZipInto(ZipOp.Add, x, y, destination);
      Check.Tensor(shape, new double[] { 11, 22, 13, 24 }, destination, 0, "zip into");
      x.MatMulInto(x, destination);
      Check.Tensor(shape, new double[] { 7, 10, 15, 22 }, destination, 0, "matmul into");
      x.ReduceInto(ReduceOp.Sum, column, new long[] { 0 });
      Check.Tensor(new long[] { 2 }, new double[] { 4, 6 }, column, 0, "reduce into");
      x.MapInto(MapOp.Neg, x);
      Check.Tensor(shape, new double[] { -1, -2, -3, -4 }, x, 0, "in place");
    }
  }

  [Test]
  public static void OpNames() {
    Check.Equal("exp", MapOp.Exp.Name(), "map name");
    Check.Equal("add", ZipOp.Add.Name(), "zip name");
    Check.Equal("sum", ReduceOp.Sum.Name(), "reduce name");
    Check.Equal(null, ((MapOp)99).Name(), "unknown map op");
  }
}
