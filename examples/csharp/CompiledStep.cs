using System;
using System.Collections.Generic;
using Minitensor;

// --compile (examples/c/compiled_step.c): the classifier's training step as a Compiled function;
// each minibatch runs the plan of its length (a ragged last minibatch is a second one), whose
// output is the batch's loss, bitwise eager's.
sealed class CompiledStep : IDisposable {
  readonly Compiled step;
  readonly DType dtype;
  // The minibatch lengths trained, in order.
  readonly List<long> lengths = new List<long>();

  public CompiledStep(Classifier classifier) {
    step = Compiled.Of(input => new[] { classifier.Step(input[0], input[1]) });
    dtype = classifier.DType;
  }

  // A Classifier.TrainEpoch step: the batch's mean loss.
  public double TrainBatch(Tensor batchX, Tensor batchY) {
    long length = batchY.Shape[0];
    if (!lengths.Contains(length)) lengths.Add(length);
    Tensor[] outputs = step.Run(batchX, batchY);
    using (Tensor loss = outputs[0]) return loss.Item();
  }

  // One line per minibatch length trained: its plan's ops, kernels and fused kernels.
  public IEnumerable<string> Describe() {
    foreach (long length in lengths) {
      // Inputs of a minibatch's signature (their values do not matter).
      using (Tensor x = Tensor.Empty(new long[] { length, 2 }, dtype))
      using (Tensor y = Tensor.Empty(new long[] { length }, dtype)) {
        PlanStats stats = step.PlanFor(x, y).Stats;
        yield return "plan for minibatches of " + length + ": " + stats.Ops + " ops -> " +
                     stats.Kernels + " kernels, " + stats.FusedKernels + " fused";
      }
    }
  }

  public void Dispose() {
    step.Dispose();
  }
}
