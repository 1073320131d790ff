// Compiled: a plan per input signature, each run eager mode's bits.
using System;
using System.Linq;
using Minitensor;

static class CompiledTests {
  // relu(x * w + b) averaged over x's rows: 1/rows is a scalar derived from the size, which a
  // plan captured at another size would get wrong. Its intermediates are left undisposed.
  static Tensor[] MeanOfRows(Tensor x, Tensor w, Tensor b) {
    return new[] { (x * w + b).Relu().Mean(0) };
  }

  static Tensor Randn(Generator generator, DType dtype, params long[] shape) {
    return Tensor.Randn(shape, dtype, 0, 1, generator);
  }

  // compiled.Run(x)'s only output equals the body's, run eagerly, bit for bit.
  static void ExpectEagerBits(Compiled compiled, Func<Tensor[], Tensor[]> body, Tensor x,
                              string what) {
    Tensor[] got = compiled.Run(x);
    Tensor[] expected = body(new[] { x });
    Check.Equal(1, got.Length, what + ": outputs");
    Check.True(expected[0].ToDoubleArray().SequenceEqual(got[0].ToDoubleArray()),
               what + ": the plan's values differ from eager's");
    got[0].Dispose();
    expected[0].Dispose();
  }

  [Test]
  public static void EachNewSizeIsCapturedAgainAndRunsAsEagerBitwise() {
    using (var generator = new Generator(11))
    using (Tensor w = Randn(generator, DType.Float64, 4))
    using (Tensor b = Randn(generator, DType.Float64, 4)) {
      Func<Tensor[], Tensor[]> body = inputs => MeanOfRows(inputs[0], w, b);
      using (Compiled compiled = Compiled.Of(body)) {
        Check.Equal(0, compiled.PlanCount, "nothing is captured before a run");
        long[] rows = { 3, 5, 3, 5 };
        int[] plans = { 1, 2, 2, 2 };
        for (int call = 0; call < rows.Length; ++call) {
          using (Tensor x = Randn(generator, DType.Float64, rows[call], 4)) {
            ExpectEagerBits(compiled, body, x, "call " + call + " at " + rows[call] + " rows");
          }
          Check.Equal(plans[call], compiled.PlanCount, "plans after call " + call);
        }
        Check.True(!Capture.IsActive, "no capture stays active");
      }
    }
  }

  [Test]
  public static void StridesDoNotMakeANewPlan() {
    using (var generator = new Generator(12))
    using (Tensor w = Randn(generator, DType.Float64, 4))
    using (Tensor b = Randn(generator, DType.Float64, 4))
    using (Tensor x = Randn(generator, DType.Float64, 3, 4))
    using (Tensor rows = Randn(generator, DType.Float64, 4, 3))
    using (Tensor transposed = rows.Transpose(0, 1)) {
      Func<Tensor[], Tensor[]> body = inputs => MeanOfRows(inputs[0], w, b);
      using (Compiled compiled = Compiled.Of(body)) {
        ExpectEagerBits(compiled, body, x, "contiguous");
        ExpectEagerBits(compiled, body, transposed, "transposed");
        Check.Equal(1, compiled.PlanCount, "plans");
      }
    }
  }

  [Test]
  public static void ANewSizeIsAPlanCacheHit() {
    using (Tensor w = Tensor.Full(new long[] { 4 }, 0.5))
    using (Tensor b = Tensor.Full(new long[] { 4 }, -0.25))
    using (Compiled compiled = Compiled.Of(inputs => MeanOfRows(inputs[0], w, b)))
    using (Tensor small = Tensor.Ones(2, 4))
    using (Tensor large = Tensor.Ones(7, 4)) {
      Plan.ClearCache();
      compiled.PlanFor(small);
      PlanCacheStats before = Plan.CacheStats;
      compiled.PlanFor(large);
      PlanCacheStats after = Plan.CacheStats;
      Check.Equal(before.Hits + 1, after.Hits, "hits");
      Check.Equal(before.Misses, after.Misses, "misses");
      compiled.PlanFor(large);
      Check.Equal(after.Hits + after.Misses, Plan.CacheStats.Hits + Plan.CacheStats.Misses,
                  "a known signature compiles nothing");
    }
  }

  [Test]
  public static void ANewDtypeMakesANewPlan() {
    Func<Tensor[], Tensor[]> body = inputs => new[] { inputs[0].Exp() * inputs[0] };
    var values = new double[] { 0.5, -1.25, 2 };
    using (Compiled compiled = Compiled.Of(body))
    using (Tensor single = Tensor.FromArray(values, new long[] { 3 }, DType.Float32))
    using (Tensor dual = Tensor.FromArray(values, new long[] { 3 }, DType.Float64)) {
      ExpectEagerBits(compiled, body, single, "float32");
      ExpectEagerBits(compiled, body, dual, "float64");
      Check.Equal(2, compiled.PlanCount, "plans");
      using (Tensor y = compiled.Run(dual)[0]) Check.Equal(DType.Float64, y.DType, "dtype");
    }
  }

  // The device is part of the signature: a plan runs on its capture's device.
  [Test]
  public static void ANewDeviceMakesANewPlan() {
    if (!Cuda.IsAvailable) {
      Console.WriteLine("skipped: CUDA unavailable: " + Cuda.UnavailableReason);
      return;
    }
    Func<Tensor[], Tensor[]> body = inputs => new[] { inputs[0].Exp() * inputs[0] };
    var values = new double[] { 0.5, -1.25, 2 };
    using (Compiled compiled = Compiled.Of(body))
    using (Tensor host = Tensor.FromArray(values, new long[] { 3 }, DType.Float32))
    using (Tensor device = host.To(Device.Cuda(0))) {
      ExpectEagerBits(compiled, body, device, "cuda:0");
      ExpectEagerBits(compiled, body, host, "cpu");
      Check.Equal(2, compiled.PlanCount, "plans");
      using (Tensor y = compiled.Run(device)[0]) Check.Equal(Device.Cuda(0), y.Device, "device");
    }
  }

  // x * y + z: one kernel, since Compiled disposes the product before the capture ends.
  [Test]
  public static void IntermediatesAreDisposedSoAChainIsOneKernel() {
    Tensor product = null;
    using (Compiled compiled = Compiled.Of(inputs => {
             product = inputs[0] * inputs[1];
             return new[] { product + inputs[2] };
           }))
    using (Tensor x = Tensor.Ones(1000)) {
      Plan plan = compiled.PlanFor(x, x, x);
      Check.True(product.IsDisposed, "the body's intermediate is disposed");
      Check.Equal(1L, plan.Stats.Kernels, plan.Report);
      Check.True(plan.Stats.BytesAvoided > 0, plan.Report);
    }
  }

  [Test]
  public static void TheBodysExceptionPropagatesAndNoCaptureStaysActive() {
    var thrown = new ArgumentException("from the body");
    using (Compiled compiled = Compiled.Of(inputs => {
             using (-inputs[0]) throw thrown;
           }))
    using (Tensor x = Tensor.Ones(2)) {
      var e = Check.Throws<ArgumentException>(() => compiled.Run(x), "the body's exception");
      Check.True(ReferenceEquals(thrown, e), "the body's exception itself: " + e);
      Check.True(!Capture.IsActive, "the capture is abandoned");
      Check.Equal(0, compiled.PlanCount, "plans");
    }
  }

  [Test]
  public static void ANullResultOrOutputIsRefused() {
    using (Compiled none = Compiled.Of(inputs => null))
    using (Compiled withNull = Compiled.Of(inputs => new[] { -inputs[0], null }))
    using (Tensor x = Tensor.Ones(2)) {
      var e = Check.Throws<InvalidOperationException>(() => none.Run(x), "a null result");
      Check.Equal("Compiled.Run: the body's result is null", e.Message, "message");
      e = Check.Throws<InvalidOperationException>(() => withNull.PlanFor(x), "a null output");
      Check.Equal("Compiled.PlanFor: the body's result[1] is null", e.Message, "message");
      Check.True(!Capture.IsActive, "the capture is abandoned");
      Check.Equal(0, none.PlanCount + withNull.PlanCount, "plans");
    }
  }

  // The least recently used plan goes (disposed) once a new signature would make one too many.
  [Test]
  public static void KeepsAtMostMaxPlansTheLeastRecentlyUsedFirstOut() {
    using (Compiled compiled = Compiled.Of(inputs => new[] { -inputs[0] })) {
      var plans = new Plan[Compiled.MaxPlans + 2];
      for (int n = 1; n <= Compiled.MaxPlans; ++n) plans[n] = PlanAt(compiled, n);
      Check.True(ReferenceEquals(plans[1], PlanAt(compiled, 1)),
                 "a known size: its plan, now the most recent");
      plans[Compiled.MaxPlans + 1] = PlanAt(compiled, Compiled.MaxPlans + 1);
      Check.Equal(Compiled.MaxPlans, compiled.PlanCount, "plans");
      Check.True(IsDisposed(plans[2]), "size 2, the least recently used, is dropped");
      Check.True(!IsDisposed(plans[1]), "size 1 was used again");
      Check.True(ReferenceEquals(plans[3], PlanAt(compiled, 3)), "size 3 is kept");
      compiled.Dispose();
      Check.True(IsDisposed(plans[1]) && IsDisposed(plans[3]), "Dispose disposes every plan");
    }
  }

  static Plan PlanAt(Compiled compiled, long n) {
    using (Tensor x = Tensor.Zeros(n)) return compiled.PlanFor(x);
  }

  static bool IsDisposed(Plan plan) {
    return plan.ToString() == "Plan (disposed)";
  }

  [Test]
  public static void NullArgumentsAndUseAfterDisposeAreRefused() {
    var e = Check.Throws<ArgumentNullException>(() => Compiled.Of(null), "a null body");
    Check.True(e.Message.StartsWith("Compiled.Of: body is null"), e.Message);
    var compiled = Compiled.Of(inputs => new[] { -inputs[0] });
    using (Tensor x = Tensor.Ones(2)) {
      e = Check.Throws<ArgumentNullException>(() => compiled.Run(null), "null inputs");
      Check.True(e.Message.StartsWith("Compiled.Run: inputs is null"), e.Message);
      e = Check.Throws<ArgumentNullException>(() => compiled.Run(x, null), "a null input");
      Check.True(e.Message.StartsWith("Compiled.Run: inputs[1] is null"), e.Message);
      compiled.Run(x)[0].Dispose();
      compiled.Dispose();
      Check.Equal(0, compiled.PlanCount, "plans once disposed");
      var disposed = Check.Throws<ObjectDisposedException>(() => compiled.Run(x), "a run");
      Check.True(disposed.Message.Contains("Compiled.Run: Compiled used after Dispose()"),
                 disposed.Message);
      compiled.Dispose();  // twice is harmless
    }
  }
}
