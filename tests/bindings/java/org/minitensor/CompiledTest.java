package org.minitensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Compiled: a plan per input signature, each run eager mode's bits. */
class CompiledTest {
  /**
   * relu(x * w + b) averaged over x's rows: 1/rows is a scalar derived from the size, which a
   * plan captured at another size would get wrong. Its intermediates are left open.
   */
  private static Tensor[] meanOfRows(Tensor x, Tensor w, Tensor b) {
    return new Tensor[] {x.mul(w).add(b).relu().mean(0)};
  }

  private static Tensor randn(Generator generator, DType dtype, long... shape) {
    return Tensor.randn(shape, dtype, 0, 1, generator);
  }

  /** compiled.run(x)'s only output equals the body's, run eagerly, bit for bit. */
  private static void expectEagerBits(Compiled compiled, Function<Tensor[], Tensor[]> body,
      Tensor x, String what) {
    Tensor[] got = compiled.run(x);
    Tensor[] expected = body.apply(new Tensor[] {x});
    assertEquals(1, got.length, what);
    assertArrayEquals(expected[0].toDoubleArray(), got[0].toDoubleArray(), what);
    got[0].close();
    expected[0].close();
  }

  @Test
  void eachNewSizeIsCapturedAgainAndRunsAsEagerBitwise() {
    try (Generator generator = new Generator(11);
        Tensor w = randn(generator, DType.FLOAT64, 4);
        Tensor b = randn(generator, DType.FLOAT64, 4)) {
      Function<Tensor[], Tensor[]> body = in -> meanOfRows(in[0], w, b);
      try (Compiled compiled = Compiled.of(body)) {
        assertEquals(0, compiled.planCount(), "nothing is captured before a run");
        long[] rows = {3, 5, 3, 5};
        int[] plans = {1, 2, 2, 2};
        for (int call = 0; call < rows.length; ++call) {
          try (Tensor x = randn(generator, DType.FLOAT64, rows[call], 4)) {
            expectEagerBits(compiled, body, x, "call " + call + " at " + rows[call] + " rows");
          }
          assertEquals(plans[call], compiled.planCount(), "plans after call " + call);
        }
        assertFalse(Capture.isActive());
      }
    }
  }

  @Test
  void stridesDoNotMakeANewPlan() {
    try (Generator generator = new Generator(12);
        Tensor w = randn(generator, DType.FLOAT64, 4);
        Tensor b = randn(generator, DType.FLOAT64, 4);
        Tensor x = randn(generator, DType.FLOAT64, 3, 4);
        Tensor rows = randn(generator, DType.FLOAT64, 4, 3);
        Tensor transposed = rows.transpose(0, 1)) {
      Function<Tensor[], Tensor[]> body = in -> meanOfRows(in[0], w, b);
      try (Compiled compiled = Compiled.of(body)) {
        expectEagerBits(compiled, body, x, "contiguous");
        expectEagerBits(compiled, body, transposed, "transposed");
        assertEquals(1, compiled.planCount());
      }
    }
  }

  @Test
  void aNewSizeIsAPlanCacheHit() {
    try (Tensor w = Tensor.full(0.5, DType.FLOAT32, 4);
        Tensor b = Tensor.full(-0.25, DType.FLOAT32, 4);
        Compiled compiled = Compiled.of(in -> meanOfRows(in[0], w, b));
        Tensor small = Tensor.ones(DType.FLOAT32, 2, 4);
        Tensor large = Tensor.ones(DType.FLOAT32, 7, 4)) {
      Plan.clearCache();
      compiled.plan(small);
      PlanCacheStats before = Plan.cacheStats();
      compiled.plan(large);
      PlanCacheStats after = Plan.cacheStats();
      assertEquals(before.hits() + 1, after.hits(), after.toString());
      assertEquals(before.misses(), after.misses(), after.toString());
      compiled.plan(large);
      assertEquals(after, Plan.cacheStats(), "a known signature compiles nothing");
    }
  }

  @Test
  void aNewDtypeMakesANewPlan() {
    Function<Tensor[], Tensor[]> body = in -> new Tensor[] {in[0].exp().mul(in[0])};
    try (Compiled compiled = Compiled.of(body);
        Tensor single = Tensor.fromArray(new double[] {0.5, -1.25, 2}, DType.FLOAT32, 3);
        Tensor dual = Tensor.fromArray(new double[] {0.5, -1.25, 2}, DType.FLOAT64, 3)) {
      expectEagerBits(compiled, body, single, "float32");
      expectEagerBits(compiled, body, dual, "float64");
      assertEquals(2, compiled.planCount());
      try (Tensor y = compiled.run(dual)[0]) {
        assertEquals(DType.FLOAT64, y.dtype());
      }
    }
  }

  /** The device is part of the signature: a plan runs on its capture's device. */
  @Test
  void aNewDeviceMakesANewPlan() {
    assumeTrue(Cuda.isAvailable(), Cuda.unavailableReason());
    Function<Tensor[], Tensor[]> body = in -> new Tensor[] {in[0].exp().mul(in[0])};
    try (Compiled compiled = Compiled.of(body);
        Tensor host = Tensor.fromArray(new double[] {0.5, -1.25, 2}, DType.FLOAT32, 3);
        Tensor device = host.cuda()) {
      expectEagerBits(compiled, body, device, "cuda:0");
      expectEagerBits(compiled, body, host, "cpu");
      assertEquals(2, compiled.planCount());
      try (Tensor y = compiled.run(device)[0]) {
        assertEquals(Device.cuda(0), y.device());
      }
    }
  }

  /** x * y + z: one kernel, since Compiled closes the product before the capture ends. */
  @Test
  void intermediatesAreClosedSoAChainIsOneKernel() {
    Tensor[] product = new Tensor[1];
    try (Compiled compiled = Compiled.of(in -> {
      product[0] = in[0].mul(in[1]);
      return new Tensor[] {product[0].add(in[2])};
    });
        Tensor x = Tensor.ones(DType.FLOAT32, 1000)) {
      Plan plan = compiled.plan(x, x, x);
      PlanStats stats = plan.stats();
      assertTrue(product[0].isClosed(), "the body's intermediate is closed");
      assertEquals(1, stats.kernels(), plan.report());
      assertTrue(stats.bytesAvoided() > 0, plan.report());
    }
  }

  @Test
  void theBodysExceptionPropagatesAndNoCaptureStaysActive() {
    IllegalArgumentException thrown = new IllegalArgumentException("from the body");
    try (Compiled compiled = Compiled.of(in -> {
      in[0].neg();
      throw thrown;
    });
        Tensor x = Tensor.ones(DType.FLOAT32, 2)) {
      assertSame(thrown, assertThrows(IllegalArgumentException.class, () -> compiled.run(x)));
      assertFalse(Capture.isActive(), "the capture is abandoned");
      assertEquals(0, compiled.planCount());
    }
  }

  @Test
  void aNullResultOrOutputIsRefused() {
    try (Compiled none = Compiled.of(in -> null);
        Compiled withNull = Compiled.of(in -> new Tensor[] {in[0].neg(), null});
        Tensor x = Tensor.ones(DType.FLOAT32, 2)) {
      NullPointerException e = assertThrows(NullPointerException.class, () -> none.run(x));
      assertEquals("Compiled.run: the body's result is null", e.getMessage());
      e = assertThrows(NullPointerException.class, () -> withNull.plan(x));
      assertEquals("Compiled.plan: the body's result[1] is null", e.getMessage());
      assertFalse(Capture.isActive());
      assertEquals(0, none.planCount() + withNull.planCount());
    }
  }

  /** The least recently used plan goes (closed) once a new signature would make one too many. */
  @Test
  void keepsAtMostMaxPlansTheLeastRecentlyUsedFirstOut() {
    try (Compiled compiled = Compiled.of(in -> new Tensor[] {in[0].neg()})) {
      Plan[] plans = new Plan[Compiled.MAX_PLANS + 2];
      for (int n = 1; n <= Compiled.MAX_PLANS; ++n) {
        plans[n] = planAt(compiled, n);
      }
      assertSame(plans[1], planAt(compiled, 1), "a known size: its plan, now the most recent");
      plans[Compiled.MAX_PLANS + 1] = planAt(compiled, Compiled.MAX_PLANS + 1);
      assertEquals(Compiled.MAX_PLANS, compiled.planCount());
      assertTrue(plans[2].isClosed(), "size 2, the least recently used, is dropped");
      assertFalse(plans[1].isClosed(), "size 1 was used again");
      assertSame(plans[3], planAt(compiled, 3));
      compiled.close();
      assertTrue(plans[1].isClosed() && plans[3].isClosed(), "close() closes every plan");
    }
  }

  private static Plan planAt(Compiled compiled, long n) {
    try (Tensor x = Tensor.zeros(DType.FLOAT32, n)) {
      return compiled.plan(x);
    }
  }

  @Test
  void nullArgumentsAndUseAfterCloseAreRefused() {
    NullPointerException e =
        assertThrows(NullPointerException.class, () -> Compiled.of(null));
    assertEquals("Compiled.of: body is null", e.getMessage());
    Compiled compiled = Compiled.of(in -> new Tensor[] {in[0].neg()});
    try (Tensor x = Tensor.ones(DType.FLOAT32, 2)) {
      e = assertThrows(NullPointerException.class, () -> compiled.run((Tensor[]) null));
      assertEquals("Compiled.run: inputs is null", e.getMessage());
      e = assertThrows(NullPointerException.class, () -> compiled.run(x, null));
      assertEquals("Compiled.run: inputs[1] is null", e.getMessage());
      compiled.run(x)[0].close();
      compiled.close();
      assertEquals(0, compiled.planCount());
      IllegalStateException closed =
          assertThrows(IllegalStateException.class, () -> compiled.run(x));
      assertEquals("Compiled.run: this Compiled is closed and cannot be used any more",
          closed.getMessage());
      compiled.close(); // twice is harmless
    }
  }
}
