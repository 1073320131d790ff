// Capture scopes and plans: runs give eager mode's bits; misuse is a MinitensorException.
using System;
using System.Linq;
using System.Threading;
using Minitensor;

static class CaptureTests {
  // relu(x @ w + b) * x.sum(): a matmul, an element-wise chain and a reduction.
  static Tensor Program(Tensor x, Tensor w, Tensor b) {
    using (Tensor product = x.MatMul(w))
    using (Tensor shifted = product + b)
    using (Tensor relu = shifted.Relu())
    using (Tensor total = x.Sum()) {
      return relu * total;
    }
  }

  static void Bitwise(double[] expected, double[] actual, string what) {
    Check.True(expected.SequenceEqual(actual), what + ": the plan's values differ from eager's");
  }

  [Test]
  public static void RunsEqualEagerBitwiseAndSeeParameterUpdates() {
    using (var generator = new Generator(7))
    using (Tensor w = Tensor.Randn(new long[] { 3, 4 }, DType.Float64, 0, 1, generator))
    using (Tensor b = Tensor.Randn(new long[] { 4 }, DType.Float64, 0, 1, generator)) {
      Plan plan;
      using (var capture = Capture.Begin()) {
        Check.True(Capture.IsActive, "capturing");
        Tensor x = capture.Input(new long[] { 2, 3 }, DType.Float64);
        using (Tensor y = Program(x, w, b)) plan = capture.End(y);
        x.Dispose();
      }
      Check.True(!Capture.IsActive, "the capture ended");
      using (plan) {
        Check.Equal(1, plan.InputCount, "inputs");
        Check.Equal(1, plan.OutputCount, "outputs");
        for (int run = 0; run < 3; ++run) {
          using (Tensor x = Tensor.Randn(new long[] { 2, 3 }, DType.Float64, 0, 1, generator))
          using (Tensor expected = Program(x, w, b)) {
            Tensor[] got = plan.Run(x);
            Check.Equal(1, got.Length, "results");
            Bitwise(expected.ToDoubleArray(), got[0].ToDoubleArray(), "run " + run);
            got[0].Dispose();
          }
          b[0] = run + 1.5;  // a parameter update, seen by the next run
        }
        PlanStats stats = plan.Stats;
        Check.True(stats.Ops >= 5 && stats.Kernels >= 1, stats.ToString());
        Check.True(plan.Report.Contains("kernel"), plan.Report);
        Check.True(plan.ToString().StartsWith("Plan(" + stats.Ops + " ops"), plan.ToString());
      }
      Check.Equal("Plan (disposed)", plan.ToString(), "a disposed plan's text");
    }
  }

  // An MLP 2 -> 4 -> 1 with BCE and SGD.
  sealed class Trainer : IDisposable {
    public readonly Mlp Model;
    readonly Sgd optimizer;

    public Trainer() {
      using (var generator = new Generator(3)) {
        Model = new Mlp(new long[] { 2, 4, 1 }, DType.Float64, generator);
      }
      Tensor[] parameters = Model.Parameters;
      optimizer = new Sgd(parameters, 0.5);
      foreach (Tensor p in parameters) p.Dispose();
    }

    public Tensor Step(Tensor x, Tensor y) {
      using (Tensor logits = Model.Forward(x))
      using (Tensor probs = logits.Sigmoid()) {
        Tensor loss = Loss.BinaryCrossEntropy(probs, y);
        optimizer.ZeroGrad();
        loss.Backward();
        optimizer.Step();
        return loss;
      }
    }

    public void Dispose() {
      optimizer.Dispose();
      Model.Dispose();
    }
  }

  // A whole training step (zero_grad, forward, loss, backward, SGD) as one plan.
  [Test]
  public static void ACapturedTrainingStepTrainsAsEagerBitwise() {
    using (Dataset data = Dataset.Make(DatasetKind.Xor, 8, 2, DType.Float64))
    using (Tensor column = data.Y.View(8, 1))
    using (var eager = new Trainer())
    using (var captured = new Trainer()) {
      Plan plan;
      using (var capture = Capture.Begin()) {
        Tensor x = capture.Input(new long[] { 8, 2 }, DType.Float64);
        Tensor y = capture.Input(new long[] { 8, 1 }, DType.Float64);
        using (Tensor loss = captured.Step(x, y)) plan = capture.End(loss);
      }
      using (plan) {
        for (int step = 0; step < 5; ++step) {
          Tensor[] got = plan.Run(data.X, column);
          using (Tensor expected = eager.Step(data.X, column))
          using (Tensor loss = got[0]) {
            Check.Equal(expected.Item(), loss.Item(), "step " + step);
          }
        }
      }
      Tensor[] a = eager.Model.Parameters, b = captured.Model.Parameters;
      for (int i = 0; i < a.Length; ++i) {
        Bitwise(a[i].ToDoubleArray(), b[i].ToDoubleArray(), "parameter " + i);
        a[i].Dispose();
        b[i].Dispose();
      }
    }
  }

  [Test]
  public static void ValuesCannotBeReadAndCapturesDoNotNest() {
    using (var capture = Capture.Begin()) {
      Tensor x = capture.Input(new long[] { 1 });
      Check.Fails(Status.Capture, () => x.Item(), "mt_item", "capture is active");
      Check.Fails(Status.Capture, () => x.ToDoubleArray());
      Check.Fails(Status.Capture, () => Capture.Begin(), "mt_capture_begin", "do not nest");
      Check.True(Capture.IsActive, "a refused Begin leaves the capture as it was");
    }
    Check.True(!Capture.IsActive, "Dispose abandons a capture that was not ended");
  }

  [Test]
  public static void TensorsMadeInACaptureHoldNoValuesAfterIt() {
    Tensor y;
    using (var capture = Capture.Begin()) {
      y = capture.Input(new long[] { 1 }).Exp();
      capture.End(y).Dispose();
    }
    Check.Fails(Status.Capture, () => y.Item(), "made during a capture");
    y.Dispose();
  }

  [Test]
  public static void RunsCheckTheirSignatureAndRefuseToRunInACapture() {
    Plan plan;
    using (var capture = Capture.Begin()) {
      using (Tensor y = -capture.Input(new long[] { 2, 3 })) plan = capture.End(y);
    }
    using (plan)
    using (Tensor wrongShape = Tensor.Ones(3, 2))
    using (Tensor wrongDtype = Tensor.Ones(new long[] { 2, 3 }, DType.Float64))
    using (Tensor right = Tensor.Ones(2, 3)) {
      Check.Fails(Status.InvalidArgument, () => plan.Run(), "takes 1 inputs, given 0");
      Check.Fails(Status.ShapeMismatch, () => plan.Run(wrongShape), "shape (2, 3)",
                  "given (3, 2)");
      Check.Fails(Status.DTypeMismatch, () => plan.Run(wrongDtype), "must be float32",
                  "given float64");
      using (Capture.Begin()) {
        Check.Fails(Status.Capture, () => plan.Run(right), "mt_plan_run");
      }
      Tensor[] ok = plan.Run(right);
      Bitwise(new double[] { -1, -1, -1, -1, -1, -1 }, ok[0].ToDoubleArray(), "-ones");
      ok[0].Dispose();
    }
  }

  [Test]
  public static void AnEndedOrForeignCaptureIsRefused() {
    Capture capture = Capture.Begin();
    using (capture) {
      Exception thrown = null;
      var other = new Thread(() => {
        try {
          capture.Input(new long[] { 1 });
        } catch (Exception e) {
          thrown = e;
        }
      });
      other.Start();
      other.Join();
      Check.True(thrown is InvalidOperationException, "another thread's Input: " + thrown);
      Check.True(Capture.IsActive, "still capturing");
      capture.End(capture.Input(new long[] { 1 })).Dispose();
    }
    var ended = Check.Throws<InvalidOperationException>(() => capture.Input(new long[] { 1 }),
                                                         "Input after End");
    Check.True(ended.Message.Contains("Capture.Input: the capture has ended"), ended.Message);
  }

  // x + x captured at (n,): the structure of every n >= 2 is the same.
  static void CompileDouble(long n) {
    using (Capture capture = Capture.Begin()) {
      Tensor x = capture.Input(new long[] { n });
      using (Tensor y = x + x) capture.End(y).Dispose();
      x.Dispose();
    }
  }

  [Test]
  public static void NewSizesHitThePlanCacheAndAMissIsExplained() {
    Plan.ClearCache();
    for (long n = 2; n <= 5; ++n) CompileDouble(n);
    PlanCacheStats stats = Plan.CacheStats;
    Check.True(stats.Entries == 1 && stats.Hits == 3 && stats.Misses == 1,
               "entries " + stats.Entries + " hits " + stats.Hits + " misses " + stats.Misses);
    Check.True(stats.LastMiss == "the cache is empty", stats.LastMiss);
    Plan.SetCacheMaxEntries(0);
    Check.True(Plan.CacheStats.Entries == 0, "no entries kept at 0");
    var negative = Check.Throws<MinitensorException>(() => Plan.SetCacheMaxEntries(-1),
                                                     "a negative bound");
    Check.True(negative.Message.Contains("-1"), negative.Message);
    Plan.SetCacheMaxEntries(64);
    Plan.ClearCache();
    stats = Plan.CacheStats;
    Check.True(stats.Entries == 0 && stats.MaxEntries == 64 && stats.Hits == 0 &&
                   stats.Misses == 0 && stats.LastMiss == "",
               "cleared");
  }
}
