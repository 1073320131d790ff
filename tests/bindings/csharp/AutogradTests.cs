// Reverse-mode autodiff: gradients against hand-derived values and finite differences, the
// library's MLP with its optimizers, no-grad scopes.
using System;
using System.Linq;
using Minitensor;

static class AutogradTests {
  [Test]
  public static void GradientOfSumOfSquares() {
    double[] xs = { 1, -2, 3 };
    using (Tensor x = Tensor.FromArray(xs)) {
      x.RequiresGrad = true;
      Check.True(x.IsLeaf && x.RequiresGrad, "x is a leaf parameter");
      Check.Equal(null, x.Grad, "no gradient before backward");
      using (Tensor square = x * x)
      using (Tensor y = square.Sum()) {
        Check.Equal("mul", square.GradFnName, "grad fn of x * x");
        Check.Equal("sum", y.GradFnName, "grad fn of the sum");
        Check.Equal(null, x.GradFnName, "a leaf has no grad fn");
        Check.True(!y.IsLeaf && y.RequiresGrad, "y is recorded");
        y.Backward();
      }
      using (Tensor grad = x.Grad)
        Check.Tensor(new long[] { 3 }, xs.Select(v => 2 * v).ToArray(), grad, 0, "2x");
      using (Tensor y = (x * x).Sum()) y.Backward();
      using (Tensor grad = x.Grad)
        Check.Tensor(new long[] { 3 }, xs.Select(v => 4 * v).ToArray(), grad, 0, "accumulated");
      x.ZeroGrad();
      Check.Equal(null, x.Grad, "ZeroGrad clears");
    }
  }

  [Test]
  public static void BackwardWithGradAndRetainedGraph() {
    using (Tensor x = Tensor.FromArray(new double[] { 1, 2, 3 }))
    using (Tensor seed = Tensor.FromArray(new double[] { 1, 10, 100 })) {
      x.RequiresGrad = true;
      using (Tensor y = x * 3) {
        y.Backward(seed, retainGraph: true);
        y.Backward(seed);
      }
      using (Tensor grad = x.Grad)
        Check.Tensor(new long[] { 3 }, new double[] { 6, 60, 600 }, grad, 0, "2 * 3 * seed");
    }
  }

  // loss = mse(relu(x @ w1 + b1) @ w2 + b2, t) with requires-grad tensors.
  [Test]
  public static void HandBuiltMlpMatchesFiniteDifferences() {
    using (var generator = new Generator(21))
    using (Tensor x = Tensor.Randn(new long[] { 4, 2 }, DType.Float64, generator: generator))
    using (Tensor t = Tensor.Randn(new long[] { 4, 1 }, DType.Float64, generator: generator)) {
      Tensor[] parameters = {
        Tensor.Randn(new long[] { 2, 3 }, DType.Float64, generator: generator),
        Tensor.Randn(new long[] { 3 }, DType.Float64, generator: generator),
        Tensor.Randn(new long[] { 3, 1 }, DType.Float64, generator: generator),
        Tensor.Randn(new long[] { 1 }, DType.Float64, generator: generator),
      };
      foreach (Tensor p in parameters) p.RequiresGrad = true;
      CheckGradients(parameters, () => {
        using (Tensor h = x.MatMul(parameters[0]))
        using (Tensor hb = h + parameters[1])
        using (Tensor a = hb.Relu())
        using (Tensor o = a.MatMul(parameters[2]))
        using (Tensor ob = o + parameters[3])
          return Loss.MseLoss(ob, t);
      });
      foreach (Tensor p in parameters) p.Dispose();
    }
  }

  // The library's MLP 2 -> 4 -> 3 -> 1 with binary cross-entropy.
  [Test]
  public static void LibraryMlpMatchesFiniteDifferences() {
    using (var generator = new Generator(4))
    using (var mlp = new Mlp(new long[] { 2, 4, 3, 1 }, DType.Float64, generator))
    using (Dataset data = Dataset.Make(DatasetKind.Circle, 8, 5, DType.Float64))
    using (Tensor target = data.Y.View(8, 1)) {
      Tensor[] parameters = mlp.Parameters;
      CheckGradients(parameters, () => {
        using (Tensor logits = mlp.Forward(data.X))
        using (Tensor probs = logits.Sigmoid())
          return Loss.BinaryCrossEntropy(probs, target);
      });
      foreach (Tensor p in parameters) p.Dispose();
    }
  }

  // Backward through loss() against central differences of loss() for every element of every
  // parameter (float64 parameters of rank 1 or 2).
  static void CheckGradients(Tensor[] parameters, Func<Tensor> loss) {
    foreach (Tensor p in parameters) p.ZeroGrad();
    using (Tensor l = loss()) l.Backward();
    const double eps = 1e-6;
    using (NoGrad.Enter()) {
      for (int k = 0; k < parameters.Length; ++k) {
        Tensor p = parameters[k];
        double[] grad = GradientOf(p);
        Check.True(grad.Any(v => v != 0), "a gradient reached parameter " + k);
        for (long i = 0; i < p.Numel; ++i) {
          long[] index = p.NDim == 2 ? new[] { i / p.Size(1), i % p.Size(1) } : new[] { i };
          double value = p[index];
          p[index] = value + eps;
          double up = Value(loss);
          p[index] = value - eps;
          double down = Value(loss);
          p[index] = value;
          Check.Close((up - down) / (2 * eps), grad[i], 1e-6,
                      "d loss / d parameter " + k + " element " + i);
        }
      }
    }
  }

  static double[] GradientOf(Tensor parameter) {
    using (Tensor grad = parameter.Grad) return grad.ToDoubleArray();
  }

  static double Value(Func<Tensor> make) {
    using (Tensor t = make()) return t.Item();
  }

  [Test]
  public static void SgdStepIsParameterMinusLrTimesGrad() {
    const double lr = 0.1;
    using (var generator = new Generator(8))
    using (var mlp = new Mlp(new long[] { 2, 4, 1 }, DType.Float64, generator))
    using (Dataset data = Dataset.Make(DatasetKind.Diag, 16, 9, DType.Float64)) {
      Tensor[] parameters = mlp.Parameters;
      using (var sgd = new Sgd(parameters, lr))
      using (Tensor logits = mlp.Forward(data.X))
      using (Tensor target = data.Y.View(16, 1))
      using (Tensor probs = logits.Sigmoid())
      using (Tensor loss = Loss.BinaryCrossEntropy(probs, target)) {
        sgd.ZeroGrad();
        loss.Backward();
        double[][] before = parameters.Select(p => p.ToDoubleArray()).ToArray();
        double[][] grads = parameters.Select(GradientOf).ToArray();
        sgd.Step();
        for (int k = 0; k < parameters.Length; ++k)
          Check.Close(before[k].Zip(grads[k], (p, g) => p - lr * g).ToArray(),
                      parameters[k].ToDoubleArray(), 1e-15, "parameter " + k);
        sgd.ZeroGrad();
        Check.True(parameters.All(p => p.Grad == null), "ZeroGrad clears every gradient");
      }
      foreach (Tensor p in parameters) p.Dispose();
    }
  }

  // Adam's first step moves each parameter by lr * g / (|g| + eps): lr against the gradient.
  [Test]
  public static void AdamFirstStepMovesByLr() {
    const double lr = 0.01;
    using (Tensor w = Tensor.FromArray(new double[] { 1, -2, 3 })) {
      w.RequiresGrad = true;
      using (var adam = new Adam(new[] { w }, lr)) {
        using (Tensor l = (w * w).Sum()) l.Backward();  // gradient 2w
        adam.Step();
      }
      Check.Tensor(new long[] { 3 }, new[] { 1 - lr, -2 + lr, 3 - lr }, w, 1e-9, "one step");
    }
  }

  [Test]
  public static void TrainingLowersTheLoss() {
    using (var generator = new Generator(3))
    using (var mlp = new Mlp(new long[] { 2, 8, 8, 1 }, DType.Float32, generator))
    using (Dataset data = Dataset.Make(DatasetKind.Simple, 40, 4))
    using (Tensor target = data.Y.View(40, 1)) {
      Tensor[] parameters = mlp.Parameters;
      var losses = new double[100];
      using (var adam = new Adam(parameters, 0.05)) {
        for (int step = 0; step < losses.Length; ++step) {
          using (Tensor logits = mlp.Forward(data.X))
          using (Tensor probs = logits.Sigmoid())
          using (Tensor loss = Loss.BinaryCrossEntropy(probs, target)) {
            adam.ZeroGrad();
            loss.Backward();
            adam.Step();
            losses[step] = loss.Item();
          }
        }
      }
      Check.True(losses[99] < 0.5 * losses[0],
                 "loss " + losses[0] + " -> " + losses[99] + " after 100 Adam steps");
      foreach (Tensor p in parameters) p.Dispose();
    }
  }

  [Test]
  public static void NoGradScopes() {
    using (Tensor x = Tensor.Ones(3)) {
      x.RequiresGrad = true;
      Check.True(NoGrad.IsGradEnabled, "grad mode starts on");
      NoGrad outer = NoGrad.Enter();
      NoGrad inner = NoGrad.Enter();
      using (Tensor y = x * 2) {
        Check.True(!y.RequiresGrad && y.GradFnName == null, "nothing recorded in the scope");
      }
      inner.Dispose();
      inner.Dispose();  // a second Dispose restores nothing more
      Check.True(!NoGrad.IsGradEnabled, "still off inside the outer scope");
      outer.Dispose();
      Check.True(NoGrad.IsGradEnabled, "on again after the outer scope");
      using (Tensor y = x * 2) Check.True(y.RequiresGrad, "recorded again");
      NoGrad.IsGradEnabled = false;
      Check.True(!NoGrad.IsGradEnabled, "switched off");
      NoGrad.IsGradEnabled = true;
    }
  }

  [Test]
  public static void DetachLeavesTheGraph() {
    using (Tensor x = Tensor.Ones(3)) {
      x.RequiresGrad = true;
      using (Tensor y = x * 2)
      using (Tensor d = y.Detach()) {
        Check.True(!d.RequiresGrad && d.IsLeaf, "detached is a plain leaf");
        Check.True(d.SharesMemory(y), "detached shares memory");
      }
    }
  }
}
