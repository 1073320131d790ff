package org.minitensor;

/** Where a tensor lives: a device type (MT_DEVICE_*; 0 is the CPU) and an index. */
public record Device(int type, int index) {
  /** "cpu:0", or "device type T:I" for a type this version does not know. */
  @Override
  public String toString() {
    String name = type == MinitensorNative.MT_DEVICE_CPU ? "cpu" : "device type " + type;
    return name + ":" + index;
  }
}
