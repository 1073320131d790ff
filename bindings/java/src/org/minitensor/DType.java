package org.minitensor;

/** Element types. */
public enum DType {
  FLOAT32(MinitensorNative.MT_FLOAT32),
  FLOAT64(MinitensorNative.MT_FLOAT64);

  final int code;

  DType(int code) {
    this.code = code;
  }

  /** Bytes per element (numpy's itemsize): 4 or 8. */
  public int itemSize() {
    return this == FLOAT64 ? Double.BYTES : Float.BYTES;
  }

  /** "float32" or "float64". */
  @Override
  public String toString() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  static DType of(int code) {
    return Codes.find(values(), dtype -> dtype.code, code)
        .orElseThrow(() -> new IllegalArgumentException("unknown dtype code " + code));
  }
}
