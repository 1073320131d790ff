// Several threads at once: each with its own tensors and sharing read-only ones; grad mode and
// errors are per thread.
using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using Minitensor;

static class ThreadTests {
  // Runs body(0..count-1) on `count` threads; rethrows the first failure.
  static void OnThreads(int count, Action<int> body) {
    var failures = new ConcurrentQueue<Exception>();
    Thread[] threads = Enumerable.Range(0, count).Select(i => new Thread(() => {
      try {
        body(i);
      } catch (Exception e) {
        failures.Enqueue(e);
      }
    })).ToArray();
    foreach (Thread thread in threads) thread.Start();
    foreach (Thread thread in threads) thread.Join();
    if (failures.TryDequeue(out Exception first))
      throw new CheckFailed(failures.Count + 1 + " threads failed; first: " + first);
  }

  [Test]
  public static void OwnAndSharedTensors() {
    const int n = 16;
    using (var generator = new Generator(99))
    using (Tensor shared = Tensor.Randn(new long[] { n, n }, DType.Float64, generator: generator))
    using (Tensor bias = Tensor.Randn(new long[] { n }, DType.Float64, generator: generator)) {
      double[] a = shared.ToDoubleArray(), b = bias.ToDoubleArray();
      OnThreads(8, thread => {
        for (int iteration = 0; iteration < 40; ++iteration) {
          using (var own = new Generator((ulong)(1000 * thread + iteration)))
          using (Tensor x = Tensor.Rand(new long[] { n, 2 }, DType.Float64, generator: own))
          using (Tensor product = shared.MatMul(x))
          using (Tensor column = bias.View(n, 1))
          using (Tensor y = product + column) {
            double[] xv = x.ToDoubleArray();
            var expected = new double[2 * n];
            for (int i = 0; i < n; ++i)
              for (int j = 0; j < 2; ++j) {
                expected[i * 2 + j] = b[i];
                for (int k = 0; k < n; ++k) expected[i * 2 + j] += a[i * n + k] * xv[k * 2 + j];
              }
            Check.Tensor(new long[] { n, 2 }, expected, y, 1e-13, "thread " + thread);
          }
        }
      });
    }
  }

  [Test]
  public static void GradModeIsPerThread() {
    using (var entered = new Barrier(2))
    using (var checkedOther = new Barrier(2)) {
      OnThreads(2, thread => {
        if (thread == 0) {
          using (NoGrad.Enter()) {
            entered.SignalAndWait();
            checkedOther.SignalAndWait();
            Check.True(!NoGrad.IsGradEnabled, "off in the thread that entered the scope");
          }
        } else {
          entered.SignalAndWait();
          Check.True(NoGrad.IsGradEnabled, "on in the other thread");
          checkedOther.SignalAndWait();
        }
      });
    }
  }

  // Grad mode is per thread: a scope disposed on another thread must not touch that one's.
  [Test]
  public static void NoGradDisposedOnAnotherThreadThrows() {
    NoGrad elsewhere = null;
    OnThreads(1, thread => elsewhere = NoGrad.Enter());
    using (NoGrad.Enter()) {
      var e = Check.Throws<InvalidOperationException>(() => elsewhere.Dispose(), "dispose");
      Check.True(e.Message.Contains("cannot be disposed on thread"), "message: " + e.Message);
      Check.True(!NoGrad.IsGradEnabled, "this thread's no-grad scope is untouched");
    }
  }

  // Dispose during another thread's calls: those calls finish (the handle is held for each)
  // and later ones throw ObjectDisposedException; never a crash or a wrong result.
  [Test]
  public static void DisposeWhileAnotherThreadComputes() {
    for (int round = 0; round < 50; ++round) {
      Tensor t = Tensor.Ones(32, 32);
      using (var started = new ManualResetEventSlim()) {
        OnThreads(2, thread => {
          if (thread == 0) {
            started.Wait();
            t.Dispose();
            return;
          }
          started.Set();
          try {
            for (int i = 0; i < 100; ++i)
              using (Tensor p = t.MatMul(t)) Check.Equal(32.0, p[0, 0], "an element");
          } catch (ObjectDisposedException) {
          }
        });
      }
      Check.True(t.IsDisposed, "disposed");
    }
  }

  [Test]
  public static void ErrorsStayInTheirThread() {
    OnThreads(8, thread => {
      for (int iteration = 0; iteration < 50; ++iteration) {
        using (Tensor a = Tensor.Ones(thread + 2, 3))
        using (Tensor b = Tensor.Ones(thread + 5)) {
          Check.Fails(Status.ShapeMismatch, () => (a + b).Dispose(),
                      "mt_zip: shapes (" + (thread + 2) + ", 3) and (" + (thread + 5) + ",)");
          using (Tensor sum = a.Sum()) Check.Equal(3.0 * (thread + 2), sum.Item(), "sum");
        }
      }
    });
  }
}
