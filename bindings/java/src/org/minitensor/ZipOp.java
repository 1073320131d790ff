package org.minitensor;

/** Elementwise f(a, b) with numpy broadcasting (mt_zip's ops). */
public enum ZipOp {
  ADD(MinitensorNative.MT_ZIP_ADD),
  SUB(MinitensorNative.MT_ZIP_SUB),
  MUL(MinitensorNative.MT_ZIP_MUL),
  DIV(MinitensorNative.MT_ZIP_DIV),
  POW(MinitensorNative.MT_ZIP_POW),
  MAX(MinitensorNative.MT_ZIP_MAX),
  MIN(MinitensorNative.MT_ZIP_MIN),
  LT(MinitensorNative.MT_ZIP_LT),
  GT(MinitensorNative.MT_ZIP_GT),
  EQ(MinitensorNative.MT_ZIP_EQ),
  IS_CLOSE(MinitensorNative.MT_ZIP_IS_CLOSE),
  BINARY_CROSS_ENTROPY(MinitensorNative.MT_ZIP_BINARY_CROSS_ENTROPY);

  final int code;

  ZipOp(int code) {
    this.code = code;
  }

  /** The library's name of the op, e.g. "add" (mt_zip_name). */
  public String opName() {
    return MinitensorNative.mt_zip_name(code);
  }
}
