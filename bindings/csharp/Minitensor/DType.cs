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

/// <summary>Where a tensor's memory lives; devices compare by type and index.</summary>
public struct Device : System.IEquatable<Device> {
  public Device(DeviceType type, int index) {
    Type = type;
    Index = index;
  }

  public DeviceType Type { get; }
  public int Index { get; }

  public bool Equals(Device other) {
    return Type == other.Type && Index == other.Index;
  }

  public override bool Equals(object other) {
    return other is Device device && Equals(device);
  }

  public override int GetHashCode() {
    return (int)Type * 397 ^ Index;
  }

  public static bool operator ==(Device a, Device b) { return a.Equals(b); }
  public static bool operator !=(Device a, Device b) { return !a.Equals(b); }

  public override string ToString() {
    return Type.ToString().ToLowerInvariant() + ":" + Index;
  }
}

}
