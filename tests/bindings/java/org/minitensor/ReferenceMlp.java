package org.minitensor;

/**
 * A two-layer MLP computed by hand in Java: out = relu(x W1^T + b1) W2^T + b2, loss = mean
 * squared error against t; the loss and its gradients by the chain rule. Arrays are row-major:
 * x (n, in), w1 (h, in), b1 (h), w2 (o, h), b2 (o), t (n, o).
 */
final class ReferenceMlp {
  final double loss;
  final double[] out;
  final double[] gradW1;
  final double[] gradB1;
  final double[] gradW2;
  final double[] gradB2;

  ReferenceMlp(double[] x, double[] w1, double[] b1, double[] w2, double[] b2, double[] t,
      int n, int in, int h, int o) {
    double[] z1 = new double[n * h];
    double[] a1 = new double[n * h];
    out = new double[n * o];
    for (int r = 0; r < n; ++r) {
      for (int j = 0; j < h; ++j) {
        double sum = b1[j];
        for (int k = 0; k < in; ++k) {
          sum += x[r * in + k] * w1[j * in + k];
        }
        z1[r * h + j] = sum;
        a1[r * h + j] = Math.max(sum, 0);
      }
      for (int j = 0; j < o; ++j) {
        double sum = b2[j];
        for (int k = 0; k < h; ++k) {
          sum += a1[r * h + k] * w2[j * h + k];
        }
        out[r * o + j] = sum;
      }
    }
    double total = 0;
    double[] gradOut = new double[n * o];
    for (int i = 0; i < n * o; ++i) {
      double d = out[i] - t[i];
      total += d * d;
      gradOut[i] = 2 * d / (n * o);
    }
    loss = total / (n * o);
    gradW2 = new double[o * h];
    gradB2 = new double[o];
    gradW1 = new double[h * in];
    gradB1 = new double[h];
    for (int r = 0; r < n; ++r) {
      for (int j = 0; j < o; ++j) {
        double g = gradOut[r * o + j];
        gradB2[j] += g;
        for (int k = 0; k < h; ++k) {
          gradW2[j * h + k] += g * a1[r * h + k];
        }
      }
      for (int k = 0; k < h; ++k) {
        if (z1[r * h + k] <= 0) {
          continue; // relu passes no gradient
        }
        double g = 0;
        for (int j = 0; j < o; ++j) {
          g += gradOut[r * o + j] * w2[j * h + k];
        }
        gradB1[k] += g;
        for (int m = 0; m < in; ++m) {
          gradW1[k * in + m] += g * x[r * in + m];
        }
      }
    }
  }
}
