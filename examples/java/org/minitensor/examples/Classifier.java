package org.minitensor.examples;

import java.util.List;
import org.minitensor.DType;
import org.minitensor.DataParallel;
import org.minitensor.Dataset;
import org.minitensor.DatasetKind;
import org.minitensor.Device;
import org.minitensor.Generator;
import org.minitensor.Loss;
import org.minitensor.Mlp;
import org.minitensor.NoGrad;
import org.minitensor.Optimizer;
import org.minitensor.Reduction;
import org.minitensor.Tensor;

/**
 * MiniTorch's binary classifier: an MLP 2 -> H -> H -> 1 (relu, relu, sigmoid on the logit),
 * binary cross-entropy, plain SGD over minibatches in order. Call for call the C demo's
 * examples/c/classifier.c, so the same seeds give bitwise the same losses.
 */
final class Classifier implements AutoCloseable {
  private final Tensor x;
  private final Tensor y;
  private final Mlp model;
  private final Optimizer optimizer;
  private final long points;
  private final long batch;
  private final DType dtype;

  /**
   * The points come from dataSeed, the initial weights from a generator seeded modelSeed; both
   * live on `device`.
   */
  Classifier(DatasetKind kind, long points, long dataSeed, long hidden, long modelSeed,
      DType dtype, double lr, long batch, Device device) {
    this.points = points;
    this.batch = batch;
    this.dtype = dtype;
    try (Dataset data = Dataset.make(kind, points, dataSeed, dtype)) {
      x = data.x().to(device);
      y = data.y().to(device);
    }
    try (Generator generator = new Generator(modelSeed)) {
      // On the device before the optimizer takes the parameters.
      model = new Mlp(new long[] {2, hidden, hidden, 1}, dtype, generator).to(device);
    }
    // The optimizer keeps its own references to the parameters.
    List<Tensor> parameters = model.parameters();
    try {
      optimizer = Optimizer.sgd(parameters, lr, 0, 0, false);
    } finally {
      parameters.forEach(Tensor::close);
    }
  }

  /** Trains on one minibatch, giving its mean loss: eagerly or by a plan (CompiledStep). */
  @FunctionalInterface
  interface BatchStep {
    double train(Tensor batchX, Tensor batchY);
  }

  /** One epoch, eager; the mean loss per point. */
  double trainEpoch() {
    return trainEpoch((batchX, batchY) -> trainBatch(batchX, batchY, null));
  }

  /** One epoch with each minibatch trained by `step`; the mean loss per point. */
  double trainEpoch(BatchStep step) {
    double total = 0;
    for (long first = 0; first < points; first += batch) {
      long length = Math.min(batch, points - first);
      try (Tensor batchX = x.narrow(0, first, length);
          Tensor batchY = y.narrow(0, first, length)) {
        total += step.train(batchX, batchY) * (double) length;
      }
    }
    return points > 0 ? total / (double) points : 0;
  }

  /**
   * One SGD step on the points batchX and labels batchY, the gradients reduced through `ddp`
   * when not null; the batch's mean loss.
   */
  double trainBatch(Tensor batchX, Tensor batchY, DataParallel ddp) {
    try (Tensor loss = step(batchX, batchY, ddp)) {
      return loss.item();
    }
  }

  /**
   * trainBatch's step, giving the loss tensor (in a capture, one without values: a plan's run
   * gives them).
   */
  Tensor step(Tensor batchX, Tensor batchY, DataParallel ddp) {
    try (Tensor target = batchY.view(batchY.shape()[0], 1);
        Tensor logits = model.forward(batchX);
        Tensor probs = logits.sigmoid()) {
      Tensor loss = Loss.binaryCrossEntropy(probs, target, Reduction.MEAN);
      optimizer.zeroGrad();
      loss.backward();
      if (ddp != null) {
        ddp.reduceGradients();
      }
      optimizer.step();
      return loss;
    }
  }

  /** The model's parameters (new references: close them). */
  List<Tensor> parameters() {
    return model.parameters();
  }

  /** The points, row-major (points, 2), and their labels. */
  double[] points() {
    return x.toDoubleArray();
  }

  double[] labels() {
    return y.toDoubleArray();
  }

  DType dtype() {
    return dtype;
  }

  /** The fraction of points classified right (logit > 0 means class 1), without grad. */
  double accuracy() {
    try (NoGrad scope = NoGrad.enter();
        Tensor logits = model.forward(x);
        Tensor flat = logits.view(points);
        Tensor predicted = flat.gt(0);
        Tensor right = predicted.eq(y);
        Tensor mean = right.mean()) {
      return mean.item();
    }
  }

  @Override
  public void close() {
    optimizer.close();
    model.close();
    y.close();
    x.close();
  }
}
