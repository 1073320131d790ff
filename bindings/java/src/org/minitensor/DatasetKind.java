package org.minitensor;

/** The toy datasets' labelling rules. */
public enum DatasetKind {
  SIMPLE(MinitensorNative.MT_DATASET_SIMPLE),
  DIAG(MinitensorNative.MT_DATASET_DIAG),
  SPLIT(MinitensorNative.MT_DATASET_SPLIT),
  XOR(MinitensorNative.MT_DATASET_XOR),
  CIRCLE(MinitensorNative.MT_DATASET_CIRCLE),
  SPIRAL(MinitensorNative.MT_DATASET_SPIRAL);

  final int code;

  DatasetKind(int code) {
    this.code = code;
  }

  /** The library's name, e.g. "xor" (mt_dataset_name). */
  public String datasetName() {
    return MinitensorNative.mt_dataset_name(code);
  }

  /** The kind the library calls `name`; MinitensorException listing the names if none. */
  public static DatasetKind fromName(String name) {
    Args.notNull(name, "DatasetKind.fromName", "name");
    int code = Out.ofInt(out -> MinitensorNative.mt_dataset_kind(name, out));
    return Codes.find(values(), kind -> kind.code, code).orElseThrow(
        () -> new IllegalArgumentException("dataset '" + name + "' is newer than these bindings"));
  }
}
