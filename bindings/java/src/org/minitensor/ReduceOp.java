package org.minitensor;

/** Folds over dims (mt_reduce's ops). */
public enum ReduceOp {
  SUM(MinitensorNative.MT_REDUCE_SUM),
  PROD(MinitensorNative.MT_REDUCE_PROD),
  MAX(MinitensorNative.MT_REDUCE_MAX),
  MIN(MinitensorNative.MT_REDUCE_MIN);

  final int code;

  ReduceOp(int code) {
    this.code = code;
  }

  /** The library's name of the op, e.g. "sum" (mt_reduce_name). */
  public String opName() {
    return MinitensorNative.mt_reduce_name(code);
  }
}
