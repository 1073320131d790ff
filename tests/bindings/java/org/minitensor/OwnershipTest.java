package org.minitensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.minitensor.Expect.shape;

import java.util.List;
import org.junit.jupiter.api.Test;

class OwnershipTest {
  @Test
  void viewsOutliveTheirBase() {
    Tensor base = Tensor.arange(0, 6, 1, DType.FLOAT64);
    Tensor view = base.view(2, 3);
    Tensor column = view.select(1, 2);
    base.close();
    view.close();
    Expect.values(column, shape(2), 2, 5);
    column.close();
  }

  @Test
  void closingTwiceIsHarmless() {
    Tensor t = Tensor.ones(DType.FLOAT32, 2);
    assertFalse(t.isClosed());
    t.close();
    t.close();
    assertTrue(t.isClosed());
    assertEquals("Tensor(closed)", t.toString());
    Optimizer optimizer;
    try (Tensor p = Tensor.ones(DType.FLOAT32, 2).requiresGrad(true)) {
      optimizer = Optimizer.sgd(List.of(p), 0.1, 0, 0, false);
    }
    optimizer.close();
    optimizer.close();
    try (Dataset data = Dataset.make(DatasetKind.CIRCLE, 10, 1, DType.FLOAT32)) {
      data.close(); // then again by try-with-resources
      assertTrue(data.x().isClosed());
      assertTrue(data.y().isClosed());
    }
  }

  /**
   * A call that fails on a closed argument gives back its use of the others, so close frees
   * them: the next tensor of that size reuses the memory (or the system got it back).
   */
  @Test
  void closeFreesAfterACallFailedOnAClosedArgument() throws Exception {
    Tensor closed = Tensor.ones(DType.FLOAT32, 1);
    closed.close();
    long before = Expect.residentKiB();
    Tensor big = Tensor.full(1, DType.FLOAT64, 64L << 20); // 512 MiB
    assertThrows(IllegalStateException.class, () -> big.add(closed));
    big.close();
    try (Tensor again = Tensor.full(2, DType.FLOAT64, 64L << 20)) {
      long growth = Expect.residentKiB() - before;
      assertTrue(growth < 700 * 1024, "two 512 MiB tensors in turn took " + growth + " KiB");
    }
  }

  @Test
  void newReferenceIsClosedSeparately() {
    Tensor a = Tensor.full(3, DType.FLOAT64, 2);
    Tensor b = a.newReference();
    a.close();
    Expect.values(b, shape(2), 3, 3);
    b.close();
  }

  @Test
  void parametersOutliveTheModelAndTheOptimizerKeepsThem() {
    Mlp model = new Mlp(shape(2, 4, 1), DType.FLOAT64, null);
    List<Tensor> parameters = model.parameters();
    Tensor weight = model.parameter(0);
    model.close();
    try (Optimizer sgd = Optimizer.sgd(parameters, 0.5, 0, 0, false)) {
      double before = weight.get(0, 0);
      try (Tensor loss = weight.sum()) {
        loss.backward();
      }
      parameters.forEach(Tensor::close); // the optimizer still holds them
      sgd.step();
      assertEquals(before - 0.5, weight.get(0, 0), 1e-12);
    }
    weight.close();
  }

  @Test
  void toStringIsTheLibrarysText() {
    try (Tensor t = Tensor.fromArray(new float[] {1, 2, 3, 4}, 2, 2)) {
      assertEquals("tensor([[1., 2.],\n        [3., 4.]], dtype=float32)", t.toString());
    }
  }

  @Test
  void closedGradIsNotTheParameter() {
    try (Tensor p = Tensor.ones(DType.FLOAT64, 2).requiresGrad(true); Tensor s = p.sum()) {
      s.backward();
      Tensor grad = p.grad();
      grad.close();
      assertThrows(IllegalStateException.class, grad::item);
      try (Tensor again = p.grad()) {
        Expect.values(again, shape(2), 1, 1);
      }
    }
  }
}
