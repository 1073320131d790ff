namespace Minitensor {

/// <summary>Element types.</summary>
public enum DType {
  Float32 = minitensor_native.MT_FLOAT32,
  Float64 = minitensor_native.MT_FLOAT64
}

/// <summary>Device types; this version has only the CPU.</summary>
public enum DeviceType {
  Cpu = minitensor_native.MT_DEVICE_CPU
}

/// <summary>Where a tensor's memory lives.</summary>
public struct Device {
  public Device(DeviceType type, int index) {
    Type = type;
    Index = index;
  }

  public DeviceType Type { get; }
  public int Index { get; }

  public override string ToString() {
    return Type.ToString().ToLowerInvariant() + ":" + Index;
  }
}

}
