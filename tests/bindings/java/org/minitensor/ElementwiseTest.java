package org.minitensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.minitensor.Expect.shape;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ElementwiseTest {
  private static final double[] XS = {-2, -0.5, 0.25, 1, 3};
  private static final double[] YS = {1.5, -0.5, 2, 1, -4};

  /** Java's f on each element of XS, next to the tensor op (float64, within 1e-12). */
  private static void checkMap(Function<Tensor, Tensor> op, DoubleUnaryOperator f) {
    double[] expected = new double[XS.length];
    for (int i = 0; i < XS.length; ++i) {
      expected[i] = f.applyAsDouble(XS[i]);
    }
    try (Tensor x = Tensor.fromArray(XS, XS.length); Tensor result = op.apply(x)) {
      assertArrayEquals(expected, result.toDoubleArray(), 1e-12);
    }
  }

  private static void checkZip(Function<Tensor, Function<Tensor, Tensor>> op,
      DoubleBinaryOperator f) {
    double[] expected = new double[XS.length];
    for (int i = 0; i < XS.length; ++i) {
      expected[i] = f.applyAsDouble(XS[i], YS[i]);
    }
    try (Tensor x = Tensor.fromArray(XS, XS.length);
        Tensor y = Tensor.fromArray(YS, YS.length);
        Tensor result = op.apply(x).apply(y)) {
      assertArrayEquals(expected, result.toDoubleArray(), 1e-12);
    }
  }

  @Test
  void mapsMatchJavaMath() {
    checkMap(Tensor::neg, v -> -v);
    checkMap(x -> x.map(MapOp.ID), v -> v);
    checkMap(Tensor::exp, Math::exp);
    checkMap(Tensor::log, Math::log); // NaN for the negatives, as Java
    checkMap(Tensor::sigmoid, v -> 1 / (1 + Math.exp(-v)));
    checkMap(Tensor::relu, v -> Math.max(v, 0));
    checkMap(Tensor::tanh, Math::tanh);
    checkMap(Tensor::reciprocal, v -> 1 / v);
    checkMap(Tensor::abs, Math::abs);
    checkMap(Tensor::sqrt, Math::sqrt);
    checkMap(Tensor::square, v -> v * v);
  }

  @Test
  void zipsMatchJava() {
    checkZip(x -> x::add, (a, b) -> a + b);
    checkZip(x -> x::sub, (a, b) -> a - b);
    checkZip(x -> x::mul, (a, b) -> a * b);
    checkZip(x -> x::div, (a, b) -> a / b);
    checkZip(x -> x::pow, Math::pow);
    checkZip(x -> x::maximum, Math::max);
    checkZip(x -> x::minimum, Math::min);
    checkZip(x -> x::lt, (a, b) -> a < b ? 1 : 0);
    checkZip(x -> x::gt, (a, b) -> a > b ? 1 : 0);
    checkZip(x -> x::eq, (a, b) -> a == b ? 1 : 0);
    checkZip(x -> x::isClose, (a, b) -> Math.abs(a - b) <= 1e-8 + 1e-5 * Math.abs(b) ? 1 : 0);
  }

  @Test
  void scalarOperandsKeepTheDtype() {
    try (Tensor x = Tensor.fromArray(new float[] {1, 2, 4}, 3);
        Tensor sum = x.add(0.5);
        Tensor quotient = x.div(4);
        Tensor power = x.pow(2);
        Tensor below = x.lt(2);
        Tensor close = x.isClose(2.00001);) {
      assertEquals(DType.FLOAT32, sum.dtype());
      Expect.values(sum, shape(3), 1.5, 2.5, 4.5);
      Expect.values(quotient, shape(3), 0.25, 0.5, 1);
      Expect.values(power, shape(3), 1, 4, 16);
      Expect.values(below, shape(3), 1, 0, 0);
      Expect.values(close, shape(3), 0, 1, 0);
      try (Tensor bigger = x.maximum(2); Tensor smaller = x.minimum(2);
          Tensor diff = x.sub(1); Tensor product = x.mul(-1);
          Tensor above = x.gt(1); Tensor same = x.eq(4)) {
        Expect.values(bigger, shape(3), 2, 2, 4);
        Expect.values(smaller, shape(3), 1, 2, 2);
        Expect.values(diff, shape(3), 0, 1, 3);
        Expect.values(product, shape(3), -1, -2, -4);
        Expect.values(above, shape(3), 0, 1, 1);
        Expect.values(same, shape(3), 0, 0, 1);
      }
    }
  }

  @Test
  void float32WithFloat64GivesFloat64() {
    try (Tensor a = Tensor.ones(DType.FLOAT32, 2);
        Tensor b = Tensor.full(0.1, DType.FLOAT64, 2);
        Tensor sum = a.add(b)) {
      assertEquals(DType.FLOAT64, sum.dtype());
      Expect.values(sum, shape(2), 1.1, 1.1);
    }
  }

  @Test
  void broadcastingFollowsNumpy() {
    try (Tensor matrix = Tensor.arange(0, 6, 1, DType.FLOAT64).view(2, 3);
        Tensor row = Tensor.fromArray(new double[] {10, 20, 30}, 3);
        Tensor column = Tensor.fromArray(new double[] {1, 2, 3}, 3, 1);
        Tensor line = Tensor.fromArray(new double[] {1, 10, 100, 1000}, 1, 4);
        Tensor rowSum = matrix.add(row);
        Tensor outer = column.mul(line)) {
      Expect.values(rowSum, shape(2, 3), 10, 21, 32, 13, 24, 35);
      double[] expected = new double[12];
      for (int i = 0; i < 3; ++i) {
        for (int j = 0; j < 4; ++j) {
          expected[4 * i + j] = (i + 1) * Math.pow(10, j);
        }
      }
      Expect.values(outer, shape(3, 4), expected, 0);
    }
    try (Tensor a = Tensor.ones(DType.FLOAT32, 2, 1, 3);
        Tensor b = Tensor.ones(DType.FLOAT32, 4, 1);
        Tensor c = a.sub(b)) {
      assertArrayEquals(shape(2, 4, 3), c.shape());
    }
  }

  @Test
  void shapesThatDoNotBroadcastFail() {
    try (Tensor a = Tensor.ones(DType.FLOAT32, 2, 3); Tensor b = Tensor.ones(DType.FLOAT32, 4)) {
      Expect.failure(Status.SHAPE_MISMATCH, () -> a.add(b), "mt_zip", "(2, 3)", "(4,)");
    }
  }

  @Test
  void intoVariantsWriteInPlace() {
    try (Tensor a = Tensor.fromArray(new double[] {1, 4, 9}, 3);
        Tensor b = Tensor.fromArray(new double[] {1, 1, 1}, 3);
        Tensor out = Tensor.zeros(DType.FLOAT64, 3)) {
      a.mapInto(MapOp.SQRT, out);
      Expect.values(out, shape(3), 1, 2, 3);
      out.zipInto(ZipOp.ADD, b, out); // in place
      Expect.values(out, shape(3), 2, 3, 4);
      try (Tensor wrong = Tensor.zeros(DType.FLOAT64, 4)) {
        Expect.failure(Status.SHAPE_MISMATCH, () -> a.mapInto(MapOp.EXP, wrong));
      }
    }
  }

  @Test
  void binaryCrossEntropyMatchesItsFormula() {
    double[] p = {0.1, 0.8, 0.5};
    double[] t = {0, 1, 1};
    double expected = 0;
    for (int i = 0; i < 3; ++i) {
      expected -= (t[i] * Math.log(p[i]) + (1 - t[i]) * Math.log(1 - p[i])) / 3;
    }
    try (Tensor probs = Tensor.fromArray(p, 3);
        Tensor target = Tensor.fromArray(t, 3);
        Tensor mean = Loss.binaryCrossEntropy(probs, target, Reduction.MEAN);
        Tensor each = Loss.binaryCrossEntropy(probs, target, Reduction.NONE);
        Tensor zipped = probs.zip(ZipOp.BINARY_CROSS_ENTROPY, target);
        Tensor sum = Loss.binaryCrossEntropy(probs, target, Reduction.SUM)) {
      assertEquals(expected, mean.item(), 1e-12);
      assertEquals(3 * expected, sum.item(), 1e-12);
      assertArrayEquals(each.toDoubleArray(), zipped.toDoubleArray(), 1e-15);
      assertEquals(-Math.log(0.9), each.get(0), 1e-12);
    }
  }

  @Test
  void opsKnowTheirNames() {
    assertEquals("exp", MapOp.EXP.opName());
    assertEquals("add", ZipOp.ADD.opName());
    assertEquals("sum", ReduceOp.SUM.opName());
  }
}
