namespace Minitensor {

/// <summary>The GEMM of CUDA matmuls.</summary>
public enum CudaMatmul {
  /// <summary>minitensor's tiled kernel, every layout (the default).</summary>
  Kernel = minitensor_native.MT_CUDA_MATMUL_KERNEL,
  /// <summary>cuBLAS for contiguous operands.</summary>
  Cublas = minitensor_native.MT_CUDA_MATMUL_CUBLAS
}

/// <summary>The CUDA devices. CUDA comes from a plugin loaded on first use; where it cannot be
/// used, IsAvailable is false, UnavailableReason says why, and the other calls throw a
/// MinitensorException with Status.DeviceUnavailable and that reason.</summary>
public static class Cuda {
  public static int DeviceCount {
    get {
      minitensor_native.mt_device_count(minitensor_native.MT_DEVICE_CUDA, out int count);
      return count;
    }
  }

  public static bool IsAvailable => DeviceCount > 0;

  /// <summary>Why CUDA cannot be used ("" when it can).</summary>
  public static string UnavailableReason =>
      minitensor_native.mt_device_unavailable_reason(minitensor_native.MT_DEVICE_CUDA);

  public static string DeviceName(int index = 0) {
    minitensor_native.mt_device_name(minitensor_native.MT_DEVICE_CUDA, index, out string name);
    return name;
  }

  public static CudaMatmul Matmul {
    get {
      minitensor_native.mt_cuda_get_matmul(out int which);
      return (CudaMatmul)which;
    }
    set { minitensor_native.mt_cuda_set_matmul((int)value); }
  }

  /// <summary>Waits until every CUDA device has finished the work queued so far.</summary>
  public static void Synchronize() {
    minitensor_native.mt_cuda_synchronize();
  }

  /// <summary>Bytes held by tensors and bytes cached for reuse on device `index`.</summary>
  public static (long InUse, long Cached) MemoryStats(int index = 0) {
    minitensor_native.mt_cuda_memory_stats(index, out long inUse, out long cached);
    return (inUse, cached);
  }

  /// <summary>Gives the cached blocks of every CUDA device back to the driver.</summary>
  public static void EmptyCache() {
    minitensor_native.mt_cuda_empty_cache();
  }
}

}
