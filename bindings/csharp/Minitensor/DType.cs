namespace Minitensor {

/// <summary>Element types.</summary>
public enum DType {
  Float32 = minitensor_native.MT_FLOAT32,
  Float64 = minitensor_native.MT_FLOAT64
}

/// <summary>Device types.</summary>
public enum DeviceType {
  Cpu = minitensor_native.MT_DEVICE_CPU,
  Cuda = minitensor_native.MT_DEVICE_CUDA
}

/// <summary>Where a tensor's memory lives; devices compare by type and index.</summary>
public struct Device : System.IEquatable<Device> {
  public Device(DeviceType type, int index) {
    Type = type;
    Index = index;
  }

  public DeviceType Type { get; }
  public int Index { get; }

  public static readonly Device Cpu = new Device(DeviceType.Cpu, 0);

  public static Device Cuda(int index = 0) {
    return new Device(DeviceType.Cuda, index);
  }

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

  /// <summary>"cpu" or "cuda:0".</summary>
  public override string ToString() {
    return Type == DeviceType.Cpu ? "cpu" : Type.ToString().ToLowerInvariant() + ":" + Index;
  }
}

}
