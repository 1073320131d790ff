using System;

namespace Minitensor {

/// <summary>What a failed call reports (the C API's MT_ERR_* codes).</summary>
public enum Status {
  Ok = minitensor_native.MT_OK,
  InvalidArgument = minitensor_native.MT_ERR_INVALID_ARGUMENT,
  ShapeMismatch = minitensor_native.MT_ERR_SHAPE_MISMATCH,
  IndexOutOfRange = minitensor_native.MT_ERR_INDEX_OUT_OF_RANGE,
  DTypeMismatch = minitensor_native.MT_ERR_DTYPE_MISMATCH,
  Overflow = minitensor_native.MT_ERR_OVERFLOW,
  OutOfMemory = minitensor_native.MT_ERR_OUT_OF_MEMORY,
  Unsupported = minitensor_native.MT_ERR_UNSUPPORTED,
  Internal = minitensor_native.MT_ERR_INTERNAL,
  /// <summary>Operands on different devices.</summary>
  DeviceMismatch = minitensor_native.MT_ERR_DEVICE_MISMATCH,
  /// <summary>A device this process cannot use (no CUDA plugin, driver or GPU).</summary>
  DeviceUnavailable = minitensor_native.MT_ERR_DEVICE_UNAVAILABLE,
  /// <summary>The communication engine failed, or an earlier failed collective broke the
  /// world.</summary>
  CollectiveFailed = minitensor_native.MT_ERR_COLLECTIVE_FAILED,
  /// <summary>Ranks called different collectives (or on tensors of other shapes or dtypes).
  /// </summary>
  CollectiveMismatch = minitensor_native.MT_ERR_COLLECTIVE_MISMATCH,
  /// <summary>What a capture does not allow (a value read, a nested capture, ...).</summary>
  Capture = minitensor_native.MT_ERR_CAPTURE
}

/// <summary>A failed library call: the library's message (it names the function, the problem
/// and the values) and its status.</summary>
public sealed class MinitensorException : Exception {
  public MinitensorException(Status status, string message) : base(message) {
    Status = status;
  }

  public Status Status { get; }

  // For the few functions that report failure by a NULL or -1 result instead of a status.
  internal static MinitensorException FromLastError(Status status) {
    return new MinitensorException(status, minitensor_native.mt_last_error());
  }
}

}
