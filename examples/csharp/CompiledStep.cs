using System;
using System.Collections.Generic;
using Minitensor;

// --compile (examples/c/compiled_step.c): the classifier's training step captured once per
// minibatch length (a ragged last minibatch is a second capture) and compiled into a Plan; each
// minibatch runs its length's plan, whose output is the batch's loss, bitwise eager's.
sealed class CompiledStep : IDisposable {
  readonly Classifier classifier;
  // In the order of their capture.
  readonly List<KeyValuePair<long, Plan>> plans = new List<KeyValuePair<long, Plan>>();

  public CompiledStep(Classifier classifier) {
    this.classifier = classifier;
  }

  // A Classifier.TrainEpoch step: the batch's mean loss.
  public double TrainBatch(Tensor batchX, Tensor batchY) {
    Tensor[] outputs = PlanFor(batchY.Shape[0]).Run(batchX, batchY);
    using (Tensor loss = outputs[0]) return loss.Item();
  }

  Plan PlanFor(long length) {
    foreach (KeyValuePair<long, Plan> known in plans) {
      if (known.Key == length) return known.Value;
    }
    Plan plan = Capture(length);
    plans.Add(new KeyValuePair<long, Plan>(length, plan));
    return plan;
  }

  // The plan of the step on `length` points (length, 2) with labels (length,).
  Plan Capture(long length) {
    using (var capture = Minitensor.Capture.Begin()) {
      Tensor x = capture.Input(new long[] { length, 2 }, classifier.DType);
      Tensor y = capture.Input(new long[] { length }, classifier.DType);
      Plan plan;
      using (Tensor loss = classifier.Step(x, y)) plan = capture.End(loss);
      x.Dispose();  // the capture has ended: the plan keeps what it needs
      y.Dispose();
      return plan;
    }
  }

  // One line per plan: its minibatch length, ops, kernels and fused kernels.
  public IEnumerable<string> Describe() {
    foreach (KeyValuePair<long, Plan> known in plans) {
      PlanStats stats = known.Value.Stats;
      yield return "plan for minibatches of " + known.Key + ": " + stats.Ops + " ops -> " +
                   stats.Kernels + " kernels, " + stats.FusedKernels + " fused";
    }
  }

  public void Dispose() {
    foreach (KeyValuePair<long, Plan> known in plans) known.Value.Dispose();
  }
}
