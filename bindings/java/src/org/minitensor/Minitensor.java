package org.minitensor;

import java.util.ArrayList;
import java.util.List;

/** The library's version and its process-wide settings (safe from any thread). */
public final class Minitensor {
  private Minitensor() {}

  /** The running library's version, "0.1.0". */
  public static String version() {
    return MinitensorNative.mt_version();
  }

  /** The running library's ABI version (MT_ABI_VERSION). */
  public static int abiVersion() {
    return MinitensorNative.mt_abi_version();
  }

  /** The backends' names: "cpu_par" (parallel, the default), "cpu_seq" (the reference). */
  public static List<String> backends() {
    int count = MinitensorNative.mt_backend_count();
    List<String> names = new ArrayList<>(count);
    for (int i = 0; i < count; ++i) {
      names.add(MinitensorNative.mt_backend_name(i));
    }
    return names;
  }

  /** Runs every later op on the backend named `name`. */
  public static void setBackend(String name) {
    Args.notNull(name, "Minitensor.setBackend", "name");
    MinitensorNative.mt_set_backend(name);
  }

  public static String currentBackend() {
    return MinitensorNative.mt_current_backend();
  }

  /** Threads of the parallel backend. */
  public static int numThreads() {
    int threads = MinitensorNative.mt_num_threads();
    if (threads < 0) {
      // The library reports a bad MINITENSOR_NUM_THREADS as -1 with a message, no status.
      throw new MinitensorException(Status.INVALID_ARGUMENT.code, MinitensorNative.mt_last_error());
    }
    return threads;
  }

  /** 1 to 4096 threads, or 0 for the default. */
  public static void setNumThreads(int threads) {
    MinitensorNative.mt_set_num_threads(threads);
  }

  public static void setDiagnostics(DiagnosticsMode mode) {
    Args.notNull(mode, "Minitensor.setDiagnostics", "mode");
    MinitensorNative.mt_set_diagnostics(mode.code);
  }

  public static DiagnosticsMode diagnostics() {
    return DiagnosticsMode.of(MinitensorNative.mt_diagnostics());
  }

  /** The op reports kept since the last call, one line each, oldest first; clears them. */
  public static String takeDiagnostics() {
    String[] text = new String[1];
    MinitensorNative.mt_take_diagnostics(text);
    return text[0];
  }

  /** Whether ops on this thread record gradients (see NoGrad). */
  public static boolean gradEnabled() {
    return MinitensorNative.mt_grad_enabled() != 0;
  }

  /** Sets this thread's grad mode; returns the previous one. */
  public static boolean setGradEnabled(boolean enabled) {
    return MinitensorNative.mt_set_grad_enabled(Codes.flag(enabled)) != 0;
  }

  /** Restarts the default generator from `seed`. */
  public static void manualSeed(long seed) {
    MinitensorNative.mt_manual_seed(null, seed);
  }
}
