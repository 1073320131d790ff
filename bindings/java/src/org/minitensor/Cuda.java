package org.minitensor;

import static org.minitensor.MinitensorNative.*;

/**
 * The CUDA devices. CUDA comes from a plugin loaded on first use; where it cannot be used,
 * isAvailable() is false, unavailableReason() says why, and the other calls throw a
 * MinitensorException with status DEVICE_UNAVAILABLE and that reason.
 */
public final class Cuda {
  private Cuda() {}

  /** The GEMM of CUDA matmuls. */
  public enum Matmul {
    /** minitensor's tiled kernel, every layout (the default). */
    KERNEL(MT_CUDA_MATMUL_KERNEL),
    /** cuBLAS for contiguous operands. */
    CUBLAS(MT_CUDA_MATMUL_CUBLAS);

    final int code;

    Matmul(int code) {
      this.code = code;
    }
  }

  public static int deviceCount() {
    return Out.ofInt(out -> mt_device_count(MT_DEVICE_CUDA, out));
  }

  public static boolean isAvailable() {
    return deviceCount() > 0;
  }

  /** Why CUDA cannot be used ("" when it can). */
  public static String unavailableReason() {
    return mt_device_unavailable_reason(MT_DEVICE_CUDA);
  }

  public static String deviceName(int index) {
    String[] name = new String[1];
    mt_device_name(MT_DEVICE_CUDA, index, name);
    return name[0];
  }

  public static void setMatmul(Matmul which) {
    Args.notNull(which, "Cuda.setMatmul", "which");
    mt_cuda_set_matmul(which.code);
  }

  public static Matmul getMatmul() {
    int code = Out.ofInt(out -> mt_cuda_get_matmul(out));
    return Codes.find(Matmul.values(), matmul -> matmul.code, code).orElseThrow();
  }

  /** Waits until every CUDA device has finished the work queued so far. */
  public static void synchronize() {
    mt_cuda_synchronize();
  }

  /** {bytes held by tensors, bytes cached for reuse} of device `index`. */
  public static long[] memoryStats(int index) {
    long[] inUse = new long[1];
    long[] cached = new long[1];
    mt_cuda_memory_stats(index, inUse, cached);
    return new long[] {inUse[0], cached[0]};
  }

  /** Gives the cached blocks of every CUDA device back to the driver. */
  public static void emptyCache() {
    mt_cuda_empty_cache();
  }
}
