namespace Minitensor {

/// <summary>Diagnostics modes (Runtime.Diagnostics).</summary>
public enum DiagnosticsMode {
  Off = minitensor_native.MT_DIAGNOSTICS_OFF,
  /// <summary>Keep a report per op: Runtime.TakeDiagnostics.</summary>
  Collect = minitensor_native.MT_DIAGNOSTICS_COLLECT,
  /// <summary>Keep them and print a line per op to stderr.</summary>
  Print = minitensor_native.MT_DIAGNOSTICS_PRINT
}

/// <summary>The library's version and its process-wide settings (safe from any thread).
/// </summary>
public static class Runtime {
  /// <summary>The running library's version, "0.1.0".</summary>
  public static string Version {
    get { return minitensor_native.mt_version(); }
  }

  /// <summary>The running library's ABI version (counts additions to the C API).</summary>
  public static int AbiVersion {
    get { return minitensor_native.mt_abi_version(); }
  }

  /// <summary>The backends' names: "cpu_par" (parallel, the default) and "cpu_seq".</summary>
  public static string[] Backends {
    get {
      var names = new string[minitensor_native.mt_backend_count()];
      for (int i = 0; i < names.Length; ++i) names[i] = BackendName(i);
      return names;
    }
  }

  static string BackendName(int index) {
    string name = minitensor_native.mt_backend_name(index);
    if (name == null) throw MinitensorException.FromLastError(Status.IndexOutOfRange);
    return name;
  }

  /// <summary>The backend that ops run on; setting it runs every later op on another.
  /// </summary>
  public static string Backend {
    get { return minitensor_native.mt_current_backend(); }
    set { minitensor_native.mt_set_backend(Args.NotNull(value, "Runtime.Backend", "value")); }
  }

  /// <summary>Threads of the parallel backend; set 1 to 4096, or 0 for the default
  /// (MINITENSOR_NUM_THREADS, else the hardware's).</summary>
  public static int NumThreads {
    get {
      int threads = minitensor_native.mt_num_threads();
      if (threads < 0) throw MinitensorException.FromLastError(Status.InvalidArgument);
      return threads;
    }
    set { minitensor_native.mt_set_num_threads(value); }
  }

  public static DiagnosticsMode Diagnostics {
    get { return (DiagnosticsMode)minitensor_native.mt_diagnostics(); }
    set { minitensor_native.mt_set_diagnostics((int)value); }
  }

  /// <summary>The reports kept since the last call, one line per op, oldest first; clears
  /// them.</summary>
  public static string TakeDiagnostics() {
    minitensor_native.mt_take_diagnostics(out string reports);
    return reports;
  }

  /// <summary>"MT_ERR_SHAPE_MISMATCH" for Status.ShapeMismatch.</summary>
  public static string StatusName(Status status) {
    return minitensor_native.mt_status_name((int)status);
  }
}

}
