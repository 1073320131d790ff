package org.minitensor.examples;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.minitensor.Compiled;
import org.minitensor.DType;
import org.minitensor.PlanStats;
import org.minitensor.Tensor;

/**
 * --compile (examples/c/compiled_step.c): the classifier's training step as a Compiled
 * function; each minibatch runs the plan of its length (a ragged last minibatch is a second
 * one), whose output is the batch's loss, bitwise eager's.
 */
final class CompiledStep implements Classifier.BatchStep, AutoCloseable {
  private final Compiled step;
  private final DType dtype;
  /** The minibatch lengths trained, in order. */
  private final Set<Long> lengths = new LinkedHashSet<>();

  CompiledStep(Classifier model) {
    step = Compiled.of(in -> new Tensor[] {model.step(in[0], in[1], null)});
    dtype = model.dtype();
  }

  @Override
  public double train(Tensor batchX, Tensor batchY) {
    lengths.add(batchY.shape()[0]);
    try (Tensor loss = step.run(batchX, batchY)[0]) {
      return loss.item();
    }
  }

  /** One line per minibatch length trained: its plan's ops, kernels and fused kernels. */
  List<String> describe() {
    List<String> lines = new ArrayList<>();
    for (long length : lengths) {
      // Inputs of a minibatch's signature (their values do not matter).
      try (Tensor x = Tensor.empty(dtype, length, 2);
          Tensor y = Tensor.empty(dtype, length)) {
        PlanStats stats = step.plan(x, y).stats();
        lines.add("plan for minibatches of " + length + ": " + stats.ops() + " ops -> "
            + stats.kernels() + " kernels, " + stats.fusedKernels() + " fused");
      }
    }
    return lines;
  }

  @Override
  public void close() {
    step.close();
  }
}
