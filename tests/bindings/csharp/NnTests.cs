// Softmax family, losses, Linear, Mlp, datasets and the runtime settings.
using System;
using System.Linq;
using System.Text.RegularExpressions;
using Minitensor;

static class NnTests {
  static readonly double[] Logits = { 1, 2, 3, 1, 1, 1 };  // (2, 3)

  static double[] SoftmaxRows(double[] x, int rows, int cols) {
    var result = new double[x.Length];
    for (int r = 0; r < rows; ++r) {
      double sum = 0;
      for (int c = 0; c < cols; ++c) sum += Math.Exp(x[r * cols + c]);
      for (int c = 0; c < cols; ++c) result[r * cols + c] = Math.Exp(x[r * cols + c]) / sum;
    }
    return result;
  }

  [Test]
  public static void SoftmaxFamily() {
    double[] softmax = SoftmaxRows(Logits, 2, 3);
    var shape = new long[] { 2, 3 };
    using (Tensor x = Tensor.FromArray(Logits, 2, 3))
    using (Tensor s = x.Softmax(1))
    using (Tensor logS = x.LogSoftmax(-1))
    using (Tensor lse = x.LogSumExp(1, keepDim: true)) {
      Check.Tensor(shape, softmax, s, 1e-15, "softmax");
      Check.Tensor(shape, softmax.Select(v => Math.Log(v)).ToArray(), logS, 1e-15, "log_softmax");
      double[] expected = { Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3)), Math.Log(3) + 1 };
      Check.Tensor(new long[] { 2, 1 }, expected, lse, 1e-15, "logsumexp");
    }
  }

  [Test]
  public static void Losses() {
    double[] p = { 0.9, 0.2, 0.6 }, t = { 1, 0, 0 };
    double[] bce = p.Zip(t, (pi, ti) => -(ti * Math.Log(pi) + (1 - ti) * Math.Log(1 - pi)))
                       .ToArray();
    double[] squares = p.Zip(t, (pi, ti) => (pi - ti) * (pi - ti)).ToArray();
    var scalar = new long[0];
    using (Tensor probs = Tensor.FromArray(p))
    using (Tensor target = Tensor.FromArray(t)) {
      using (Tensor l = Loss.BinaryCrossEntropy(probs, target))
        Check.Tensor(scalar, new[] { bce.Average() }, l, 1e-15, "bce mean");
      using (Tensor l = Loss.BinaryCrossEntropy(probs, target, Reduction.None))
        Check.Tensor(new long[] { 3 }, bce, l, 1e-15, "bce none");
      using (Tensor l = Loss.MseLoss(probs, target, Reduction.Sum))
        Check.Tensor(scalar, new[] { squares.Sum() }, l, 1e-15, "mse sum");
      using (Tensor l = Loss.MseLoss(probs, target))
        Check.Tensor(scalar, new[] { squares.Average() }, l, 1e-15, "mse mean");
    }
    // Classes 2 and 0 of the two rows of Logits.
    double[] softmax = SoftmaxRows(Logits, 2, 3);
    double crossEntropy = -(Math.Log(softmax[2]) + Math.Log(softmax[3])) / 2;
    using (Tensor logits = Tensor.FromArray(Logits, 2, 3))
    using (Tensor classes = Tensor.FromArray(new double[] { 2, 0 }))
    using (Tensor l = Loss.CrossEntropy(logits, classes))
      Check.Tensor(scalar, new[] { crossEntropy }, l, 1e-15, "cross entropy");
  }

  [Test]
  public static void LinearComputesXWTransposedPlusB() {
    using (var generator = new Generator(11))
    using (var layer = new Linear(3, 2, DType.Float64, true, generator))
    using (var noBias = new Linear(3, 2, DType.Float64, false, generator))
    using (Tensor weight = layer.Weight)
    using (Tensor bias = layer.Bias)
    using (Tensor x = Tensor.FromArray(new double[] { 1, 2, 3, -1, 0, 0.5 }, 2, 3))
    using (Tensor y = layer.Forward(x)) {
      Check.Equal(new long[] { 2, 3 }, weight.Shape, "weight shape");
      Check.Equal(new long[] { 2 }, bias.Shape, "bias shape");
      double[] w = weight.ToDoubleArray(), b = bias.ToDoubleArray(), xv = x.ToDoubleArray();
      Check.True(w.Concat(b).All(v => Math.Abs(v) <= 1 / Math.Sqrt(3)), "init in +-1/sqrt(3)");
      Check.True(weight.RequiresGrad && bias.RequiresGrad, "parameters require grad");
      var expected = new double[4];
      for (int i = 0; i < 2; ++i)
        for (int o = 0; o < 2; ++o) {
          expected[i * 2 + o] = b[o];
          for (int k = 0; k < 3; ++k) expected[i * 2 + o] += xv[i * 3 + k] * w[o * 3 + k];
        }
      Check.Tensor(new long[] { 2, 2 }, expected, y, 1e-15, "forward");
      Check.Equal(null, noBias.Bias, "a layer without bias");
    }
  }

  [Test]
  public static void MlpForwardMatchesItsLayers() {
    long[] sizes = { 2, 5, 5, 1 };
    using (var generator = new Generator(3))
    using (var mlp = new Mlp(sizes, DType.Float64, generator))
    using (Tensor x = Tensor.FromArray(new double[] { 0.1, 0.9, 0.7, 0.3 }, 2, 2))
    using (Tensor y = mlp.Forward(x)) {
      Tensor[] parameters = mlp.Parameters;
      Check.Equal(6, parameters.Length, "parameter count");
      double[] activations = x.ToDoubleArray();
      for (int layer = 0; layer < 3; ++layer) {
        int inputs = (int)sizes[layer], outputs = (int)sizes[layer + 1];
        Check.Equal(new long[] { outputs, inputs }, parameters[2 * layer].Shape, "weight shape");
        Check.Equal(new long[] { outputs }, parameters[2 * layer + 1].Shape, "bias shape");
        double[] w = parameters[2 * layer].ToDoubleArray();
        double[] b = parameters[2 * layer + 1].ToDoubleArray();
        var next = new double[2 * outputs];
        for (int i = 0; i < 2; ++i)
          for (int o = 0; o < outputs; ++o) {
            double sum = b[o];
            for (int k = 0; k < inputs; ++k) sum += activations[i * inputs + k] * w[o * inputs + k];
            next[i * outputs + o] = layer < 2 ? Math.Max(sum, 0) : sum;  // relu between layers
          }
        activations = next;
      }
      Check.Tensor(new long[] { 2, 1 }, activations, y, 1e-14, "forward");
      foreach (Tensor parameter in parameters) parameter.Dispose();
    }
  }

  [Test]
  public static void Datasets() {
    using (Dataset data = Dataset.Make(DatasetKind.Xor, 50, 4, DType.Float64))
    using (Dataset again = Dataset.Make(DatasetKind.Xor, 50, 4, DType.Float64)) {
      Check.Equal(new long[] { 50, 2 }, data.X.Shape, "x shape");
      Check.Equal(new long[] { 50 }, data.Y.Shape, "y shape");
      double[] x = data.X.ToDoubleArray(), y = data.Y.ToDoubleArray();
      for (int i = 0; i < 50; ++i) {
        bool label = (x[2 * i] < 0.5) != (x[2 * i + 1] < 0.5);
        Check.Equal(label ? 1.0 : 0.0, y[i], "xor label of point " + i);
      }
      Check.True(x.SequenceEqual(again.X.ToDoubleArray()), "same seed, same points");
    }
    Check.Equal("xor", Dataset.Name(DatasetKind.Xor), "name");
    Check.Equal(DatasetKind.Spiral, Dataset.KindOf("spiral"), "kind of 'spiral'");
  }

  [Test]
  public static void RuntimeSettings() {
    Check.True(Regex.IsMatch(Runtime.Version, @"^\d+\.\d+\.\d+$"), "version " + Runtime.Version);
    Check.True(Runtime.AbiVersion >= 1, "abi version");
    Check.True(Runtime.Backends.OrderBy(name => name).SequenceEqual(new[] { "cpu_par", "cpu_seq" }),
               "backends: " + string.Join(", ", Runtime.Backends));
    Check.Equal("MT_ERR_SHAPE_MISMATCH", Runtime.StatusName(Status.ShapeMismatch), "status name");
    string backend = Runtime.Backend;
    try {
      Runtime.Backend = "cpu_seq";
      Check.Equal("cpu_seq", Runtime.Backend, "backend set");
    } finally {
      Runtime.Backend = backend;
    }
    int threads = Runtime.NumThreads;
    try {
      // More than the CPUs this process may run on is clamped to them.
      Runtime.NumThreads = 4096;
      int usable = Runtime.NumThreads;
      Check.True(usable >= 1 && usable < 4096, "threads clamped");
      Runtime.NumThreads = 3;
      Check.Equal(Math.Min(3, usable), Runtime.NumThreads, "threads set");
    } finally {
      Runtime.NumThreads = 0;
    }
    Check.Equal(threads, Runtime.NumThreads, "threads back to the default");
  }

  [Test]
  public static void Diagnostics() {
    string backend = Runtime.Backend;
    try {
      Runtime.Backend = "cpu_par";
      Runtime.Diagnostics = DiagnosticsMode.Collect;
      Check.Equal(DiagnosticsMode.Collect, Runtime.Diagnostics, "mode");
      Runtime.TakeDiagnostics();
      using (Tensor a = Tensor.Ones(1000))
      using (Tensor sum = a + a) {
        string reports = Runtime.TakeDiagnostics();
        Check.True(reports.Contains("cpu_par zip add"), "a report of the add: " + reports);
      }
    } finally {
      Runtime.Diagnostics = DiagnosticsMode.Off;
      Runtime.Backend = backend;
    }
  }
}
