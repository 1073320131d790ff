package org.minitensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.minitensor.Expect.shape;

import java.util.List;
import org.junit.jupiter.api.Test;

class AutodiffTest {
  private static final double[] X = {0.5, -1, 2, 0.25, -0.75, 1.5, 1, 1};
  private static final double[] T = {1, -1, 0.5, 2};

  @Test
  void gradientOfASumOfSquares() {
    try (Tensor x = Tensor.fromArray(new double[] {1, -2, 3}, 3).requiresGrad(true);
        Tensor square = x.mul(x);
        Tensor y = square.sum()) {
      assertTrue(x.isLeaf());
      assertTrue(x.requiresGrad());
      assertFalse(y.isLeaf());
      assertEquals("mul", square.gradFnName());
      assertEquals("sum", y.gradFnName());
      assertNull(x.gradFnName());
      assertNull(x.grad());
      y.backward(null, true);
      try (Tensor grad = x.grad()) {
        Expect.values(grad, shape(3), 2, -4, 6);
      }
      y.backward(); // accumulates
      try (Tensor grad = x.grad()) {
        Expect.values(grad, shape(3), 4, -8, 12);
      }
      x.zeroGrad();
      assertNull(x.grad());
    }
  }

  @Test
  void backwardWithAnExplicitGradient() {
    try (Tensor x = Tensor.fromArray(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor y = x.exp();
        Tensor seed = Tensor.fromArray(new double[] {1, 10}, 2)) {
      y.backward(seed, false);
      try (Tensor grad = x.grad()) {
        Expect.values(grad, shape(2), new double[] {Math.exp(1), 10 * Math.exp(2)}, 1e-12);
      }
      Expect.failure(Status.INVALID_ARGUMENT, () -> y.backward(seed, false), "mt_backward");
    }
  }

  @Test
  void noGradScopeRecordsNothing() {
    try (Tensor x = Tensor.ones(DType.FLOAT64, 2).requiresGrad(true)) {
      assertTrue(Minitensor.gradEnabled());
      try (NoGrad outer = NoGrad.enter()) {
        assertFalse(Minitensor.gradEnabled());
        try (NoGrad inner = NoGrad.enter(); Tensor y = x.mul(2)) {
          assertFalse(y.requiresGrad());
          assertNull(y.gradFnName());
        }
        assertFalse(Minitensor.gradEnabled());
      }
      assertTrue(Minitensor.gradEnabled());
      assertTrue(Minitensor.setGradEnabled(false));
      assertFalse(Minitensor.setGradEnabled(true));
    }
  }

  /** Grad mode is per thread: closing a scope elsewhere would switch the wrong thread's. */
  @Test
  void noGradScopeClosesOnItsOwnThread() throws Exception {
    NoGrad scope = NoGrad.enter();
    try {
      Thread other = new Thread(() -> {
        IllegalStateException e = assertThrows(IllegalStateException.class, scope::close);
        assertTrue(e.getMessage().contains("cannot be closed on thread"), e.getMessage());
        assertTrue(Minitensor.gradEnabled()); // this thread's mode is untouched
      });
      Throwable[] failure = new Throwable[1];
      other.setUncaughtExceptionHandler((thread, error) -> failure[0] = error);
      other.start();
      other.join();
      assertNull(failure[0]);
      assertFalse(Minitensor.gradEnabled());
    } finally {
      scope.close();
    }
    assertTrue(Minitensor.gradEnabled());
  }

  @Test
  void detachSharesMemoryOutsideTheGraph() {
    try (Tensor x = Tensor.ones(DType.FLOAT64, 3).requiresGrad(true);
        Tensor y = x.mul(3);
        Tensor d = y.detach()) {
      assertFalse(d.requiresGrad());
      assertTrue(d.isLeaf());
      assertTrue(d.sharesMemory(y));
      Expect.failure(Status.INVALID_ARGUMENT, () -> y.requiresGrad(false), "mt_set_requires_grad");
    }
  }

  @Test
  void outOpsRefuseParametersWhileGradIsOn() {
    try (Tensor p = Tensor.ones(DType.FLOAT64, 2).requiresGrad(true)) {
      Expect.failure(Status.INVALID_ARGUMENT, () -> p.mapInto(MapOp.NEG, p), "mt_map_out");
      Expect.failure(Status.INVALID_ARGUMENT, () -> p.set(5, 0), "mt_set");
      try (NoGrad scope = NoGrad.enter()) {
        p.mapInto(MapOp.NEG, p);
        p.set(5, 0);
      }
      Expect.values(p, shape(2), 5, -1);
    }
  }

  @Test
  void handBuiltMlpHasTheChainRuleGradients() {
    double[] w1 = {0.1, -0.2, 0.3, 0.4, -0.5, 0.6};
    double[] b1 = {0.05, -0.1, 0.2};
    double[] w2 = {0.7, -0.8, 0.9};
    double[] b2 = {-0.3};
    ReferenceMlp expected = new ReferenceMlp(X, w1, b1, w2, b2, T, 4, 2, 3, 1);
    try (Tensor x = Tensor.fromArray(X, 4, 2);
        Tensor t = Tensor.fromArray(T, 4, 1);
        Tensor tw1 = Tensor.fromArray(w1, 3, 2).requiresGrad(true);
        Tensor tb1 = Tensor.fromArray(b1, 3).requiresGrad(true);
        Tensor tw2 = Tensor.fromArray(w2, 1, 3).requiresGrad(true);
        Tensor tb2 = Tensor.fromArray(b2, 1).requiresGrad(true);
        Tensor w1t = tw1.transpose(0, 1);
        Tensor z1 = x.matmul(w1t);
        Tensor z1b = z1.add(tb1);
        Tensor a1 = z1b.relu();
        Tensor w2t = tw2.transpose(0, 1);
        Tensor z2 = a1.matmul(w2t);
        Tensor out = z2.add(tb2);
        Tensor loss = Loss.mseLoss(out, t, Reduction.MEAN)) {
      Expect.values(out, shape(4, 1), expected.out, 1e-12);
      assertEquals(expected.loss, loss.item(), 1e-12);
      loss.backward();
      checkGradient(tw1, expected.gradW1);
      checkGradient(tb1, expected.gradB1);
      checkGradient(tw2, expected.gradW2);
      checkGradient(tb2, expected.gradB2);
    }
  }

  private static void checkGradient(Tensor parameter, double[] expected) {
    try (Tensor grad = parameter.grad()) {
      Expect.values(grad, parameter.shape(), expected, 1e-12);
    }
  }

  @Test
  void libraryMlpHasTheChainRuleGradients() {
    try (Generator generator = new Generator(3);
        Mlp model = new Mlp(shape(2, 3, 1), DType.FLOAT64, generator);
        Tensor x = Tensor.fromArray(X, 4, 2);
        Tensor t = Tensor.fromArray(T, 4, 1);
        Tensor out = model.forward(x);
        Tensor loss = Loss.mseLoss(out, t, Reduction.MEAN)) {
      List<Tensor> p = model.parameters();
      assertEquals(4, p.size());
      assertArrayEquals(shape(3, 2), p.get(0).shape());
      assertArrayEquals(shape(1), p.get(3).shape());
      ReferenceMlp expected = new ReferenceMlp(X, p.get(0).toDoubleArray(),
          p.get(1).toDoubleArray(), p.get(2).toDoubleArray(), p.get(3).toDoubleArray(), T,
          4, 2, 3, 1);
      Expect.values(out, shape(4, 1), expected.out, 1e-12);
      assertEquals(expected.loss, loss.item(), 1e-12);
      loss.backward();
      checkGradient(p.get(0), expected.gradW1);
      checkGradient(p.get(1), expected.gradB1);
      checkGradient(p.get(2), expected.gradW2);
      checkGradient(p.get(3), expected.gradB2);
      p.forEach(Tensor::close);
    }
  }

  @Test
  void sgdAndAdamFollowTheirUpdateRules() {
    double[] start = {1, -2, 3};
    double[] grad = {0.5, -0.25, 2}; // d/dp of sum(p * grad)
    try (Tensor p = Tensor.fromArray(start, 3).requiresGrad(true);
        Tensor q = Tensor.fromArray(start, 3).requiresGrad(true);
        Tensor g = Tensor.fromArray(grad, 3);
        Optimizer sgd = Optimizer.sgd(List.of(p), 0.1, 0, 0, false);
        Optimizer adam = Optimizer.adam(List.of(q), 0.01, 0.9, 0.999, 1e-8, 0)) {
      try (Tensor lp = p.mul(g).sum(); Tensor lq = q.mul(g).sum()) {
        lp.backward();
        lq.backward();
      }
      sgd.step();
      adam.step();
      double[] sgdExpected = new double[3];
      double[] adamExpected = new double[3];
      for (int i = 0; i < 3; ++i) {
        sgdExpected[i] = start[i] - 0.1 * grad[i];
        // First Adam step: the bias-corrected moments are g and g^2.
        adamExpected[i] = start[i] - 0.01 * grad[i] / (Math.abs(grad[i]) + 1e-8);
      }
      Expect.values(p, shape(3), sgdExpected, 1e-12);
      Expect.values(q, shape(3), adamExpected, 1e-12);
      sgd.zeroGrad();
      assertNull(p.grad());
    }
  }

  @Test
  void linearIsAnAffineMap() {
    try (Generator generator = new Generator(1);
        Linear layer = new Linear(2, 3, DType.FLOAT64, true, generator);
        Linear plain = new Linear(2, 3, DType.FLOAT64, false, generator);
        Tensor w = layer.weight();
        Tensor b = layer.bias();
        Tensor x = Tensor.fromArray(X, 4, 2);
        Tensor y = layer.forward(x)) {
      assertNull(plain.bias());
      assertTrue(w.requiresGrad());
      double[] weights = w.toDoubleArray();
      double[] bias = b.toDoubleArray();
      double bound = 1 / Math.sqrt(2);
      double[] expected = new double[12];
      for (int r = 0; r < 4; ++r) {
        for (int j = 0; j < 3; ++j) {
          expected[3 * r + j] =
              bias[j] + X[2 * r] * weights[2 * j] + X[2 * r + 1] * weights[2 * j + 1];
        }
      }
      for (double v : weights) {
        assertTrue(Math.abs(v) <= bound);
      }
      Expect.values(y, shape(4, 3), expected, 1e-12);
    }
  }

  @Test
  void trainingAnMlpLowersTheLoss() {
    try (Dataset data = Dataset.make(DatasetKind.SIMPLE, 64, 5, DType.FLOAT32);
        Generator generator = new Generator(5);
        Mlp model = new Mlp(shape(2, 8, 1), DType.FLOAT32, generator);
        Tensor target = data.y().view(64, 1)) {
      List<Tensor> parameters = model.parameters();
      try (Optimizer sgd = Optimizer.sgd(parameters, 0.5, 0.9, 0, false)) {
        parameters.forEach(Tensor::close);
        double first = 0;
        double last = 0;
        for (int step = 0; step < 100; ++step) {
          try (Tensor logits = model.forward(data.x()); Tensor probs = logits.sigmoid();
              Tensor loss = Loss.binaryCrossEntropy(probs, target, Reduction.MEAN)) {
            sgd.zeroGrad();
            loss.backward();
            sgd.step();
            last = loss.item();
            first = step == 0 ? last : first;
          }
        }
        assertTrue(last < 0.5 * first, "loss " + first + " -> " + last);
      }
    }
  }
}
