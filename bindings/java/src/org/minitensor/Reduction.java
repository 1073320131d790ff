package org.minitensor;

/** How a loss folds its per-element values. */
public enum Reduction {
  MEAN(MinitensorNative.MT_REDUCTION_MEAN),
  SUM(MinitensorNative.MT_REDUCTION_SUM),
  NONE(MinitensorNative.MT_REDUCTION_NONE);

  final int code;

  Reduction(int code) {
    this.code = code;
  }
}
