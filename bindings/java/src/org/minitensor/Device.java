package org.minitensor;

/** Where a tensor lives: a device type (MT_DEVICE_*) and an index ("cpu", "cuda:0"). */
public record Device(int type, int index) {
  public static final Device CPU = new Device(MinitensorNative.MT_DEVICE_CPU, 0);

  public static Device cuda(int index) {
    return new Device(MinitensorNative.MT_DEVICE_CUDA, index);
  }

  /** "cpu", "cuda" (cuda:0) or "cuda:N"; IllegalArgumentException for anything else. */
  public static Device parse(String text) {
    Args.notNull(text, "Device.parse", "text");
    if (text.equals("cpu")) return CPU;
    if (text.equals("cuda")) return cuda(0);
    if (text.matches("cuda:[0-9]{1,9}")) return cuda(Integer.parseInt(text.substring(5)));
    throw new IllegalArgumentException(
        "unknown device '" + text + "' (expected 'cpu', 'cuda' or 'cuda:N' with N >= 0)");
  }

  /** "cpu", "cuda:0", or "device type T:I" for a type this version does not know. */
  @Override
  public String toString() {
    if (type == MinitensorNative.MT_DEVICE_CPU) return "cpu";
    return (type == MinitensorNative.MT_DEVICE_CUDA ? "cuda" : "device type " + type) + ":" + index;
  }
}
