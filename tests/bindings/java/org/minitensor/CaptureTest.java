package org.minitensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Capture scopes and plans: runs give eager mode's bits; misuse is MinitensorException. */
class CaptureTest {
  /** relu(x @ w + b) * x.sum(): a matmul, an element-wise chain and a reduction. */
  private static Tensor program(Tensor x, Tensor w, Tensor b) {
    try (Tensor product = x.matmul(w);
        Tensor shifted = product.add(b);
        Tensor relu = shifted.relu();
        Tensor total = x.sum()) {
      return relu.mul(total);
    }
  }

  @Test
  void runsEqualEagerBitwiseAndSeeParameterUpdates() {
    try (Generator generator = new Generator(7);
        Tensor w = Tensor.randn(new long[] {3, 4}, DType.FLOAT64, 0, 1, generator);
        Tensor b = Tensor.randn(new long[] {4}, DType.FLOAT64, 0, 1, generator)) {
      Plan plan;
      try (Capture capture = Capture.begin()) {
        assertTrue(Capture.isActive());
        Tensor x = capture.input(DType.FLOAT64, 2, 3);
        try (Tensor y = program(x, w, b)) {
          plan = capture.end(y);
        }
        x.close();
      }
      assertFalse(Capture.isActive());
      try (plan) {
        assertEquals(1, plan.inputCount());
        assertEquals(1, plan.outputCount());
        for (int run = 0; run < 3; ++run) {
          try (Tensor x = Tensor.randn(new long[] {2, 3}, DType.FLOAT64, 0, 1, generator);
              Tensor expected = program(x, w, b)) {
            Tensor[] got = plan.run(x);
            assertEquals(1, got.length);
            assertArrayEquals(expected.toDoubleArray(), got[0].toDoubleArray(), "run " + run);
            got[0].close();
          }
          b.set(run + 1.5, 0); // a parameter update, seen by the next run
        }
        PlanStats stats = plan.stats();
        assertTrue(stats.ops() >= 5 && stats.kernels() >= 1, stats.toString());
        assertTrue(plan.report().contains("kernel"), plan.report());
        assertTrue(plan.toString().startsWith("Plan(" + stats.ops() + " ops"), plan.toString());
      }
      assertEquals("Plan(closed)", plan.toString());
    }
  }

  /** A whole training step (zero_grad, forward, loss, backward, SGD) as one plan. */
  @Test
  void aCapturedTrainingStepTrainsAsEagerBitwise() {
    try (Dataset data = Dataset.make(DatasetKind.XOR, 8, 2, DType.FLOAT64);
        Tensor x = data.x();
        Tensor y = data.y();
        Tensor column = y.view(8, 1);
        Trainer eager = new Trainer();
        Trainer captured = new Trainer()) {
      Plan plan;
      try (Capture capture = Capture.begin()) {
        Tensor px = capture.input(DType.FLOAT64, 8, 2);
        Tensor py = capture.input(DType.FLOAT64, 8, 1);
        try (Tensor loss = captured.step(px, py)) {
          plan = capture.end(loss);
        }
      }
      try (plan) {
        for (int step = 0; step < 5; ++step) {
          Tensor[] got = plan.run(x, column);
          try (Tensor expected = eager.step(x, column); Tensor loss = got[0]) {
            assertEquals(expected.item(), loss.item(), "step " + step);
          }
        }
      }
      List<Tensor> a = eager.model.parameters();
      List<Tensor> b = captured.model.parameters();
      for (int i = 0; i < a.size(); ++i) {
        assertArrayEquals(a.get(i).toDoubleArray(), b.get(i).toDoubleArray(), "parameter " + i);
      }
      a.forEach(Tensor::close);
      b.forEach(Tensor::close);
    }
  }

  /** An MLP 2 -> 4 -> 1 with BCE and SGD. */
  private static final class Trainer implements AutoCloseable {
    final Mlp model;
    final Optimizer optimizer;

    Trainer() {
      try (Generator generator = new Generator(3)) {
        model = new Mlp(new long[] {2, 4, 1}, DType.FLOAT64, generator);
      }
      List<Tensor> parameters = model.parameters();
      optimizer = Optimizer.sgd(parameters, 0.5, 0, 0, false);
      parameters.forEach(Tensor::close);
    }

    Tensor step(Tensor x, Tensor y) {
      try (Tensor logits = model.forward(x); Tensor probs = logits.sigmoid()) {
        Tensor loss = Loss.binaryCrossEntropy(probs, y, Reduction.MEAN);
        optimizer.zeroGrad();
        loss.backward();
        optimizer.step();
        return loss;
      }
    }

    @Override
    public void close() {
      optimizer.close();
      model.close();
    }
  }

  @Test
  void valuesCannotBeReadAndCapturesDoNotNest() {
    try (Capture capture = Capture.begin()) {
      Tensor x = capture.input(DType.FLOAT32, 1);
      Expect.failure(Status.CAPTURE, x::item, "mt_item", "capture is active");
      Expect.failure(Status.CAPTURE, x::toDoubleArray);
      Expect.failure(Status.CAPTURE, Capture::begin, "mt_capture_begin", "do not nest");
      assertTrue(Capture.isActive(), "a refused begin leaves the capture as it was");
    }
    assertFalse(Capture.isActive(), "close() abandons a capture that was not ended");
  }

  @Test
  void tensorsMadeInACaptureHoldNoValuesAfterIt() {
    Tensor y;
    try (Capture capture = Capture.begin()) {
      Tensor x = capture.input(DType.FLOAT32, 1);
      y = x.exp();
      capture.end(y).close();
    }
    Expect.failure(Status.CAPTURE, y::item, "made during a capture");
    y.close();
  }

  @Test
  void runsCheckTheirSignatureAndRefuseToRunInACapture() {
    Plan plan;
    try (Capture capture = Capture.begin()) {
      Tensor x = capture.input(DType.FLOAT32, 2, 3);
      try (Tensor y = x.neg()) {
        plan = capture.end(y);
      }
    }
    try (plan;
        Tensor wrongShape = Tensor.ones(DType.FLOAT32, 3, 2);
        Tensor wrongDtype = Tensor.ones(DType.FLOAT64, 2, 3);
        Tensor right = Tensor.ones(DType.FLOAT32, 2, 3)) {
      Expect.failure(Status.INVALID_ARGUMENT, () -> plan.run(), "takes 1 inputs, given 0");
      Expect.failure(Status.SHAPE_MISMATCH, () -> plan.run(wrongShape), "shape (2, 3)",
          "given (3, 2)");
      Expect.failure(Status.DTYPE_MISMATCH, () -> plan.run(wrongDtype), "must be float32",
          "given float64");
      try (Capture capture = Capture.begin()) {
        Expect.failure(Status.CAPTURE, () -> plan.run(right), "mt_plan_run");
      }
      Tensor[] ok = plan.run(right);
      assertArrayEquals(new double[] {-1, -1, -1, -1, -1, -1}, ok[0].toDoubleArray());
      ok[0].close();
    }
  }

  @Test
  void anEndedOrForeignCaptureIsRefused() throws Exception {
    Capture capture = Capture.begin();
    try (capture) {
      Thread other = new Thread(() -> assertThrows(IllegalStateException.class,
          () -> capture.input(DType.FLOAT32, 1)));
      other.start();
      other.join();
      assertTrue(Capture.isActive());
      Tensor x = capture.input(DType.FLOAT32, 1);
      capture.end(x).close();
    }
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> capture.input(DType.FLOAT32, 1));
    assertTrue(e.getMessage().contains("Capture.input: the capture has ended"), e.getMessage());
  }

  /** x + x captured at (n,): the structure of every n >= 2 is the same. */
  private static void compileDouble(long n) {
    try (Capture capture = Capture.begin()) {
      Tensor x = capture.input(DType.FLOAT32, n);
      try (Tensor y = x.add(x)) {
        capture.end(y).close();
      }
      x.close();
    }
  }

  @Test
  void newSizesHitThePlanCacheAndAMissIsExplained() {
    Plan.clearCache();
    for (long n = 2; n <= 5; ++n) {
      compileDouble(n);
    }
    PlanCacheStats stats = Plan.cacheStats();
    assertEquals(new PlanCacheStats(1, stats.maxEntries(), 3, 1, "the cache is empty"), stats);
    Plan.setCacheMaxEntries(0);
    assertEquals(0, Plan.cacheStats().entries());
    Expect.failure(Status.INVALID_ARGUMENT, () -> Plan.setCacheMaxEntries(-1), "-1");
    Plan.setCacheMaxEntries(64);
    Plan.clearCache();
    assertEquals(new PlanCacheStats(0, 64, 0, 0, ""), Plan.cacheStats());
  }
}
