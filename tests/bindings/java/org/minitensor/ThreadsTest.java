package org.minitensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Several threads at once: their own tensors, shared read-only ones. */
class ThreadsTest {
  private static final int THREADS = 8;
  private static final int ROUNDS = 50;

  @Test
  void threadsComputeTheSameResults() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try (Generator generator = new Generator(21);
        Tensor a = Tensor.randn(new long[] {32, 16}, DType.FLOAT64, 0, 1, generator);
        Tensor b = Tensor.randn(new long[] {16, 8}, DType.FLOAT64, 0, 1, generator);
        Tensor expected = a.matmul(b)) {
      double[] product = expected.toDoubleArray();
      double sumOfA = java.util.Arrays.stream(a.toDoubleArray()).sum();
      List<Future<?>> results = new ArrayList<>();
      for (int thread = 0; thread < THREADS; ++thread) {
        int id = thread;
        results.add(pool.submit(() -> {
          for (int round = 0; round < ROUNDS; ++round) {
            work(id, round, a, b, product, sumOfA);
          }
          return null;
        }));
      }
      for (Future<?> result : results) {
        result.get(); // rethrows a failed assertion of any thread
      }
    } finally {
      pool.shutdown();
    }
  }

  /** close() while other threads use the tensor: they finish or see it closed, never crash. */
  @Test
  void closingWhileOtherThreadsUseItIsSafe() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      for (int round = 0; round < 200; ++round) {
        Tensor x = Tensor.ones(DType.FLOAT64, 64, 64);
        List<Future<?>> results = new ArrayList<>();
        for (int thread = 0; thread < THREADS; ++thread) {
          results.add(pool.submit(() -> useUntilClosed(x)));
        }
        Thread.sleep(0, 100_000);
        x.close();
        for (Future<?> result : results) {
          result.get();
        }
      }
    } finally {
      pool.shutdown();
    }
  }

  private static Void useUntilClosed(Tensor x) {
    try {
      while (true) {
        try (Tensor total = x.sum(); Tensor row = x.select(0, 1)) {
          assertEquals(4096, total.item());
          assertEquals(64, row.numel());
        }
      }
    } catch (IllegalStateException closed) {
      assertTrue(x.isClosed(), closed.getMessage());
      return null;
    }
  }

  private static void work(int id, int round, Tensor a, Tensor b, double[] product,
      double sumOfA) {
    try (Tensor c = a.matmul(b);
        Tensor shifted = a.add(id);
        Tensor total = shifted.sum();
        Tensor own = Tensor.full(id + round, DType.FLOAT64, 3).requiresGrad(true);
        Tensor square = own.mul(own);
        Tensor loss = square.sum()) {
      assertArrayEquals(product, c.toDoubleArray(), 1e-12);
      assertEquals(sumOfA + id * a.numel(), total.item(), 1e-9);
      loss.backward();
      try (Tensor grad = own.grad()) {
        assertArrayEquals(new double[] {2.0 * (id + round), 2.0 * (id + round),
            2.0 * (id + round)}, grad.toDoubleArray());
      }
      // Grad mode is per thread: a scope here does not switch it off elsewhere.
      if (id % 2 == 0) {
        try (NoGrad scope = NoGrad.enter(); Tensor x = own.mul(2)) {
          assertFalse(x.requiresGrad());
        }
      } else {
        try (Tensor x = own.mul(2)) {
          assertTrue(x.requiresGrad());
        }
      }
      // Errors are per thread too: each sees its own message.
      Expect.failure(Status.SHAPE_MISMATCH, () -> a.view(id + 1000), "(" + (id + 1000) + ",)");
    }
  }
}
