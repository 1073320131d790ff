package org.minitensor.examples;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.minitensor.Capture;
import org.minitensor.Plan;
import org.minitensor.PlanStats;
import org.minitensor.Tensor;

/**
 * --compile (examples/c/compiled_step.c): the classifier's training step captured once per
 * minibatch length (a ragged last minibatch is a second capture) and compiled into a Plan;
 * each minibatch runs its length's plan, whose output is the batch's loss, bitwise eager's.
 */
final class CompiledStep implements Classifier.BatchStep, AutoCloseable {
  private final Classifier model;
  private final Map<Long, Plan> plans = new LinkedHashMap<>();

  CompiledStep(Classifier model) {
    this.model = model;
  }

  @Override
  public double train(Tensor batchX, Tensor batchY) {
    Plan plan = plans.computeIfAbsent(batchY.shape()[0], this::capture);
    try (Tensor loss = plan.run(batchX, batchY)[0]) {
      return loss.item();
    }
  }

  /** The plan of the step on `length` points (length, 2) with labels (length,). */
  private Plan capture(long length) {
    try (Capture capture = Capture.begin()) {
      Tensor x = capture.input(model.dtype(), length, 2);
      Tensor y = capture.input(model.dtype(), length);
      Plan plan;
      try (Tensor loss = model.step(x, y, null)) {
        plan = capture.end(loss);
      }
      x.close(); // the capture has ended: the plan keeps what it needs
      y.close();
      return plan;
    }
  }

  /** One line per plan: its minibatch length, ops, kernels and fused kernels. */
  List<String> describe() {
    List<String> lines = new ArrayList<>();
    plans.forEach((length, plan) -> {
      PlanStats stats = plan.stats();
      lines.add("plan for minibatches of " + length + ": " + stats.ops() + " ops -> "
          + stats.kernels() + " kernels, " + stats.fusedKernels() + " fused");
    });
    return lines;
  }

  @Override
  public void close() {
    plans.values().forEach(Plan::close);
  }
}
