package org.minitensor;

/** A toy dataset: points x (n, 2) in the unit square and labels y (n,) of 0 or 1. */
public final class Dataset implements AutoCloseable {
  private final Tensor x;
  private final Tensor y;

  private Dataset(Tensor x, Tensor y) {
    this.x = x;
    this.y = y;
  }

  /** `n` points labelled by `kind`'s rule, the same for the same (kind, n, seed) everywhere. */
  public static Dataset make(DatasetKind kind, long n, long seed, DType dtype) {
    Args.notNull(kind, "Dataset.make", "kind");
    Args.notNull(dtype, "Dataset.make", "dtype");
    long[] x = new long[1];
    long[] y = new long[1];
    MinitensorNative.mt_dataset(kind.code, n, seed, dtype.code, x, y);
    return new Dataset(new Tensor(x[0]), new Tensor(y[0]));
  }

  public Tensor x() {
    return x;
  }

  public Tensor y() {
    return y;
  }

  @Override
  public void close() {
    x.close();
    y.close();
  }
}
