// Who keeps what alive: views outlive their source, Dispose is idempotent, a disposed object
// gives ObjectDisposedException, parameters outlive their model.
using System;
using Minitensor;

static class OwnershipTests {
  [Test]
  public static void ViewsOutliveTheirSource() {
    Tensor x = Tensor.FromArray(new double[] { 1, 2, 3, 4, 5, 6 });
    Tensor view = x.View(2, 3);
    Tensor column = view.Select(1, 2);
    x.Dispose();
    view.Dispose();
    GC.Collect();
    GC.WaitForPendingFinalizers();
    Check.Tensor(new long[] { 2 }, new double[] { 3, 6 }, column, 0, "column of a freed source");
    column.Dispose();
  }

  [Test]
  public static void DisposingTwiceIsHarmless() {
    Tensor t = Tensor.Ones(2);
    t.Dispose();
    t.Dispose();
    Check.True(t.IsDisposed, "disposed");
    var generator = new Generator(1);
    var layer = new Linear(2, 2);
    var mlp = new Mlp(new long[] { 2, 2 });
    var sgd = new Sgd(mlp.Parameters, 0.1);
    Dataset data = Dataset.Make(DatasetKind.Xor, 4, 1);
    foreach (IDisposable owner in new IDisposable[] { generator, layer, mlp, sgd, data }) {
      owner.Dispose();
      owner.Dispose();
    }
  }

  [Test]
  public static void UsingADisposedObjectThrows() {
    Tensor t = Tensor.Ones(2);
    using (Tensor live = Tensor.Ones(2)) {
      t.Dispose();
      var e = Check.Throws<ObjectDisposedException>(() => t.Sum(), "sum of a disposed tensor");
      Check.True(e.Message.Contains("Tensor used after Dispose()"), "message: " + e.Message);
      Check.Throws<ObjectDisposedException>(() => (live + t).Dispose(), "as the other operand");
      Check.Throws<ObjectDisposedException>(() => t.ToString(), "ToString");
      Check.Throws<ObjectDisposedException>(() => { double v = t[0]; }, "indexer");
      Check.Throws<ObjectDisposedException>(() => new Sgd(new[] { t }, 0.1), "in an array");
    }
    var generator = new Generator(1);
    generator.Dispose();
    var g = Check.Throws<ObjectDisposedException>(
        () => Tensor.Rand(new long[] { 2 }, generator: generator), "disposed generator");
    Check.True(g.Message.Contains("Generator used after Dispose()"), "message: " + g.Message);
    var mlp = new Mlp(new long[] { 2, 1 });
    mlp.Dispose();
    using (Tensor x = Tensor.Ones(1, 2))
      Check.Throws<ObjectDisposedException>(() => mlp.Forward(x), "disposed model");
  }

  // == and Equals are reference identity (Eq compares elements): a tensor can key a
  // dictionary and `t == null` means what it does for any other object.
  [Test]
  public static void EqualityIsIdentity() {
    using (Tensor a = Tensor.Ones(2))
    using (Tensor b = Tensor.Ones(2)) {
      Check.True(a.Equals(a) && !a.Equals(b) && a != b && a != null, "identity");
      var names = new System.Collections.Generic.Dictionary<Tensor, string> { { a, "a" },
                                                                               { b, "b" } };
      Check.Equal("b", names[b], "a tensor as a key");
    }
  }

  [Test]
  public static void ParametersOutliveTheirModel() {
    var mlp = new Mlp(new long[] { 2, 3, 1 }, DType.Float64, new Generator(2));
    Tensor[] parameters = mlp.Parameters;
    double[] weight = parameters[0].ToDoubleArray();
    var sgd = new Sgd(parameters, 0.5);
    mlp.Dispose();
    GC.Collect();
    GC.WaitForPendingFinalizers();
    using (Tensor loss = parameters[0].Sum()) loss.Backward();
    sgd.Step();
    double[] stepped = parameters[0].ToDoubleArray();
    for (int i = 0; i < weight.Length; ++i)
      Check.Close(weight[i] - 0.5, stepped[i], 1e-15, "weight " + i + " after a step");
    sgd.Dispose();
  }

  [Test]
  public static void GradientOutlivesItsTensor() {
    Tensor x = Tensor.FromArray(new double[] { 1, 2 });
    x.RequiresGrad = true;
    using (Tensor y = (x * x).Sum()) y.Backward();
    Tensor grad = x.Grad;
    x.Dispose();
    Check.Tensor(new long[] { 2 }, new double[] { 2, 4 }, grad, 0, "gradient");
    grad.Dispose();
  }
}
