package org.minitensor;

/** The C API's status codes (MT_OK, MT_ERR_*). */
public enum Status {
  OK(MinitensorNative.MT_OK),
  INVALID_ARGUMENT(MinitensorNative.MT_ERR_INVALID_ARGUMENT),
  SHAPE_MISMATCH(MinitensorNative.MT_ERR_SHAPE_MISMATCH),
  INDEX_OUT_OF_RANGE(MinitensorNative.MT_ERR_INDEX_OUT_OF_RANGE),
  DTYPE_MISMATCH(MinitensorNative.MT_ERR_DTYPE_MISMATCH),
  OVERFLOW(MinitensorNative.MT_ERR_OVERFLOW),
  OUT_OF_MEMORY(MinitensorNative.MT_ERR_OUT_OF_MEMORY),
  UNSUPPORTED(MinitensorNative.MT_ERR_UNSUPPORTED),
  INTERNAL(MinitensorNative.MT_ERR_INTERNAL),
  /** Operands on different devices. */
  DEVICE_MISMATCH(MinitensorNative.MT_ERR_DEVICE_MISMATCH),
  /** A device this process cannot use (no CUDA plugin, driver or GPU). */
  DEVICE_UNAVAILABLE(MinitensorNative.MT_ERR_DEVICE_UNAVAILABLE),
  /** The communication engine failed, or an earlier failed collective broke the world. */
  COLLECTIVE_FAILED(MinitensorNative.MT_ERR_COLLECTIVE_FAILED),
  /** Ranks called different collectives (or on tensors of other shapes or dtypes). */
  COLLECTIVE_MISMATCH(MinitensorNative.MT_ERR_COLLECTIVE_MISMATCH),
  /** What a capture does not allow (a value read, a nested capture, ...). */
  CAPTURE(MinitensorNative.MT_ERR_CAPTURE),
  /** A code this version of the bindings does not know (the library is newer). */
  UNKNOWN(-1);

  final int code;

  Status(int code) {
    this.code = code;
  }

  /** The C code, e.g. 2 for SHAPE_MISMATCH. */
  public int code() {
    return code;
  }

  /** The C name, e.g. "MT_ERR_SHAPE_MISMATCH" (mt_status_name). */
  public String cName() {
    return MinitensorNative.mt_status_name(code);
  }

  static Status of(int code) {
    return Codes.find(values(), status -> status.code, code).orElse(UNKNOWN);
  }
}
