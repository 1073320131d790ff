using System;
using Minitensor;

// MiniTorch's binary classifier: an MLP 2 -> H -> H -> 1 (relu, relu, then sigmoid on the
// logit), binary cross-entropy, plain SGD over minibatches of consecutive points, with the data
// and the model on options.Device. It makes the library calls of examples/c/classifier.c in the
// same order, so the same seeds give bitwise the same losses as the C demo.
sealed class Classifier : IDisposable {
  readonly Tensor x, y;
  readonly Mlp model;
  readonly Sgd optimizer;
  readonly long points, batch;

  public DType DType { get; }

  public Classifier(TrainOptions options) {
    points = options.Points;
    batch = options.Batch;
    DType = options.DType;
    // Weights from a generator seeded S, points from seed S + 1, as the C demo.
    using (var data = Dataset.Make(options.Dataset, options.Points, options.Seed + 1,
                                   options.DType)) {
      x = data.X.To(options.Device);
      y = data.Y.To(options.Device);
    }
    using (var generator = new Generator(options.Seed)) {
      long[] sizes = { 2, options.Hidden, options.Hidden, 1 };
      // On the device before the optimizer takes the parameters.
      model = new Mlp(sizes, options.DType, generator).To(options.Device);
    }
    // The optimizer keeps its own references to the parameters.
    Tensor[] parameters = model.Parameters;
    try {
      optimizer = new Sgd(parameters, options.Lr);
    } finally {
      foreach (Tensor parameter in parameters) parameter.Dispose();
    }
  }

  /// One epoch over the points in order, eager; returns the mean loss per point.
  public double TrainEpoch() {
    return TrainEpoch((batchX, batchY) => TrainBatch(batchX, batchY));
  }

  /// One epoch with each minibatch trained by `trainBatch` (eagerly or by a plan:
  /// CompiledStep), which returns the batch's mean loss; returns the mean loss per point.
  public double TrainEpoch(Func<Tensor, Tensor, double> trainBatch) {
    double total = 0;
    for (long first = 0; first < points; first += batch) {
      long length = Math.Min(batch, points - first);
      using (Tensor batchX = x.Narrow(0, first, length))
      using (Tensor batchY = y.Narrow(0, first, length))
        total += trainBatch(batchX, batchY) * length;
    }
    return points > 0 ? total / points : 0;
  }

  /// One SGD step on the points batchX and labels batchY, the gradients reduced through `ddp`
  /// when given; returns the batch's mean loss.
  public double TrainBatch(Tensor batchX, Tensor batchY, DataParallel ddp = null) {
    using (Tensor loss = Step(batchX, batchY, ddp)) return loss.Item();
  }

  /// TrainBatch's step, returning the loss tensor (in a capture, one without values: a plan's
  /// run gives them).
  public Tensor Step(Tensor batchX, Tensor batchY, DataParallel ddp = null) {
    using (Tensor target = batchY.View(batchY.Shape[0], 1))
    using (Tensor logits = model.Forward(batchX))
    using (Tensor probs = logits.Sigmoid()) {
      Tensor loss = Loss.BinaryCrossEntropy(probs, target, Reduction.Mean);
      optimizer.ZeroGrad();
      loss.Backward();
      if (ddp != null) ddp.ReduceGradients();
      optimizer.Step();
      return loss;
    }
  }

  /// The model's parameters (new references: dispose them).
  public Tensor[] Parameters {
    get { return model.Parameters; }
  }

  /// The points, row-major (points, 2), and their labels.
  public double[] PointValues() {
    return x.ToDoubleArray();
  }

  public double[] Labels() {
    return y.ToDoubleArray();
  }

  /// The fraction of points classified right (logit > 0 means class 1), without grad.
  public double Accuracy() {
    using (NoGrad.Enter())
    using (Tensor logits = model.Forward(x))
    using (Tensor flat = logits.View(points))
    using (Tensor predicted = flat > 0)
    using (Tensor right = predicted.Eq(y))
    using (Tensor mean = right.Mean()) {
      return mean.Item();
    }
  }

  public void Dispose() {
    optimizer.Dispose();
    model.Dispose();
    y.Dispose();
    x.Dispose();
  }
}
