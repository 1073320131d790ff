package org.minitensor;

/** Elementwise f(x) (mt_map's ops). */
public enum MapOp {
  NEG(MinitensorNative.MT_MAP_NEG),
  ID(MinitensorNative.MT_MAP_ID),
  EXP(MinitensorNative.MT_MAP_EXP),
  LOG(MinitensorNative.MT_MAP_LOG),
  SIGMOID(MinitensorNative.MT_MAP_SIGMOID),
  RELU(MinitensorNative.MT_MAP_RELU),
  TANH(MinitensorNative.MT_MAP_TANH),
  INV(MinitensorNative.MT_MAP_INV),
  ABS(MinitensorNative.MT_MAP_ABS),
  SQRT(MinitensorNative.MT_MAP_SQRT),
  SQUARE(MinitensorNative.MT_MAP_SQUARE);

  final int code;

  MapOp(int code) {
    this.code = code;
  }

  /** The library's name of the op, e.g. "exp" (mt_map_name). */
  public String opName() {
    return MinitensorNative.mt_map_name(code);
  }
}
