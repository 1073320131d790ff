package org.minitensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.minitensor.Expect.shape;

import org.junit.jupiter.api.Test;

class ReduceMatmulTest {
  /** [[1, 2, 3], [4, 5, 6]]. */
  private static Tensor matrix() {
    return Tensor.arange(1, 7, 1, DType.FLOAT64).view(2, 3);
  }

  @Test
  void reductionsOverEverythingAndOverDims() {
    try (Tensor m = matrix()) {
      try (Tensor all = m.sum(); Tensor columns = m.sum(0); Tensor rows = m.sum(1);
          Tensor last = m.sum(-1); Tensor kept = m.sum(new long[] {1}, true)) {
        Expect.values(all, shape(), 21);
        Expect.values(columns, shape(3), 5, 7, 9);
        Expect.values(rows, shape(2), 6, 15);
        Expect.values(last, shape(2), 6, 15);
        Expect.values(kept, shape(2, 1), 6, 15);
      }
      try (Tensor prod = m.prod(); Tensor rowProd = m.prod(new long[] {1}, true);
          Tensor max = m.max(); Tensor rowMax = m.max(1);
          Tensor colMax = m.max(new long[] {0}, true);
          Tensor min = m.min(); Tensor colMin = m.min(0);
          Tensor rowMin = m.min(new long[] {1}, false)) {
        Expect.values(prod, shape(), 720);
        Expect.values(rowProd, shape(2, 1), 6, 120);
        Expect.values(max, shape(), 6);
        Expect.values(rowMax, shape(2), 3, 6);
        Expect.values(colMax, shape(1, 3), 4, 5, 6);
        Expect.values(min, shape(), 1);
        Expect.values(colMin, shape(3), 1, 2, 3);
        Expect.values(rowMin, shape(2), 1, 4);
      }
      try (Tensor mean = m.mean(); Tensor colMean = m.mean(new long[] {0}, true);
          Tensor both = m.sum(0, 1)) {
        Expect.values(mean, shape(), 3.5);
        Expect.values(colMean, shape(1, 3), 2.5, 3.5, 4.5);
        Expect.values(both, shape(), 21);
      }
    }
  }

  @Test
  void reductionsOfNothing() {
    try (Tensor empty = Tensor.zeros(DType.FLOAT32, 0); Tensor sum = empty.sum();
        Tensor mean = empty.mean()) {
      assertEquals(0, sum.item());
      assertTrue(Double.isNaN(mean.item()));
      Expect.failure(Status.INVALID_ARGUMENT, empty::max, "mt_reduce");
    }
  }

  @Test
  void reduceIntoWritesTheResult() {
    try (Tensor m = matrix(); Tensor out = Tensor.zeros(DType.FLOAT64, 3)) {
      m.reduceInto(ReduceOp.SUM, new long[] {0}, false, out);
      Expect.values(out, shape(3), 5, 7, 9);
    }
  }

  @Test
  void reductionOverABadDimFails() {
    try (Tensor m = matrix()) {
      Expect.failure(Status.INDEX_OUT_OF_RANGE, () -> m.sum(2), "mt_reduce", "2");
    }
  }

  /** a (n, k) @ b (k, m) by the definition. */
  private static double[] product(double[] a, double[] b, int n, int k, int m) {
    double[] c = new double[n * m];
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < m; ++j) {
        double sum = 0;
        for (int p = 0; p < k; ++p) {
          sum += a[i * k + p] * b[p * m + j];
        }
        c[i * m + j] = sum;
      }
    }
    return c;
  }

  @Test
  void matmulMatchesTheDefinition() {
    try (Generator generator = new Generator(11);
        Tensor a = Tensor.randn(shape(3, 4), DType.FLOAT64, 0, 1, generator);
        Tensor b = Tensor.randn(shape(4, 5), DType.FLOAT64, 0, 1, generator);
        Tensor c = a.matmul(b)) {
      double[] expected = product(a.toDoubleArray(), b.toDoubleArray(), 3, 4, 5);
      Expect.values(c, shape(3, 5), expected, 1e-12);
      try (Tensor out = Tensor.zeros(DType.FLOAT64, 3, 5)) {
        a.matmulInto(b, out);
        Expect.values(out, shape(3, 5), expected, 1e-12);
      }
      // A transposed (strided) operand: (b^T)^T @ ... is b again.
      try (Tensor bt = b.transpose(0, 1); Tensor again = bt.transpose(0, 1);
          Tensor c2 = a.matmul(again)) {
        Expect.values(c2, shape(3, 5), expected, 1e-12);
      }
    }
  }

  @Test
  void matmulOfVectorsAndBatches() {
    try (Generator generator = new Generator(12);
        Tensor batch = Tensor.rand(shape(2, 3, 4), DType.FLOAT64, -1, 1, generator);
        Tensor b = Tensor.rand(shape(4, 2), DType.FLOAT64, -1, 1, generator);
        Tensor v = Tensor.fromArray(new double[] {1, -2, 0.5, 3}, 4);
        Tensor batched = batch.matmul(b);
        Tensor row = v.matmul(b);
        Tensor first = batch.select(0, 0);
        Tensor column = first.matmul(v)) {
      double[] all = batch.toDoubleArray();
      double[] bValues = b.toDoubleArray();
      double[] expected = new double[12];
      for (int i = 0; i < 2; ++i) {
        double[] slice = java.util.Arrays.copyOfRange(all, 12 * i, 12 * i + 12);
        System.arraycopy(product(slice, bValues, 3, 4, 2), 0, expected, 6 * i, 6);
      }
      Expect.values(batched, shape(2, 3, 2), expected, 1e-12);
      Expect.values(row, shape(2), product(v.toDoubleArray(), bValues, 1, 4, 2), 1e-12);
      Expect.values(column, shape(3),
          product(first.toDoubleArray(), v.toDoubleArray(), 3, 4, 1), 1e-12);
    }
  }

  @Test
  void matmulOfMismatchedSizesFails() {
    try (Tensor a = Tensor.ones(DType.FLOAT32, 2, 3); Tensor b = Tensor.ones(DType.FLOAT32, 4, 2)) {
      Expect.failure(Status.SHAPE_MISMATCH, () -> a.matmul(b), "mt_matmul", "(2, 3)", "(4, 2)");
    }
  }

  @Test
  void softmaxFamily() {
    double[] logits = {1, 2, 3, -1, 0, 1};
    try (Tensor x = Tensor.fromArray(logits, 2, 3);
        Tensor softmax = x.softmax(1);
        Tensor logSoftmax = x.logSoftmax(-1);
        Tensor lse = x.logsumexp(1, true)) {
      double[] expected = new double[6];
      double[] expectedLse = new double[2];
      for (int r = 0; r < 2; ++r) {
        double sum = 0;
        for (int c = 0; c < 3; ++c) {
          sum += Math.exp(logits[3 * r + c]);
        }
        expectedLse[r] = Math.log(sum);
        for (int c = 0; c < 3; ++c) {
          expected[3 * r + c] = Math.exp(logits[3 * r + c]) / sum;
        }
      }
      Expect.values(softmax, shape(2, 3), expected, 1e-12);
      Expect.values(lse, shape(2, 1), expectedLse, 1e-12);
      double[] logs = java.util.Arrays.stream(expected).map(Math::log).toArray();
      Expect.values(logSoftmax, shape(2, 3), logs, 1e-12);
      // cross-entropy of class indices 2 and 0: mean of -log softmax at them.
      try (Tensor classes = Tensor.fromArray(new double[] {2, 0}, 2);
          Tensor loss = Loss.crossEntropy(x, classes, Reduction.MEAN)) {
        assertEquals(-(logs[2] + logs[3]) / 2, loss.item(), 1e-12);
      }
      try (Tensor target = Tensor.fromArray(new double[] {0, 1, 3, 2, 2, 2}, 2, 3);
          Tensor mse = Loss.mseLoss(x, target, Reduction.SUM)) {
        assertEquals(1 + 1 + 0 + 9 + 4 + 1, mse.item(), 1e-12);
      }
    }
  }

  @Test
  void shapeOfAScalarResultIsEmpty() {
    try (Tensor m = matrix(); Tensor s = m.sum()) {
      assertArrayEquals(new long[0], s.shape());
    }
  }
}
