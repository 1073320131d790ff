package org.minitensor;

/** Runs a native call with a one-element out-array and gives back what it wrote there. */
final class Out {
  private Out() {}

  /** A call that writes a long (a new handle, 0 for none; a size) into out[0]. */
  @FunctionalInterface
  interface LongCall {
    void call(long[] out);
  }

  /** A call that writes an int (a count, a flag, an enum value) into out[0]. */
  @FunctionalInterface
  interface IntCall {
    void call(int[] out);
  }

  @FunctionalInterface
  interface DoubleCall {
    void call(double[] out);
  }

  static long ofLong(LongCall call) {
    long[] out = new long[1];
    call.call(out);
    return out[0];
  }

  static int ofInt(IntCall call) {
    int[] out = new int[1];
    call.call(out);
    return out[0];
  }

  static boolean ofFlag(IntCall call) {
    return ofInt(call) != 0;
  }

  static double ofDouble(DoubleCall call) {
    double[] out = new double[1];
    call.call(out);
    return out[0];
  }
}
