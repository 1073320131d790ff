package org.minitensor;

/** What the library records per op (Minitensor.setDiagnostics). */
public enum DiagnosticsMode {
  OFF(MinitensorNative.MT_DIAGNOSTICS_OFF),
  /** Keep a report per op: Minitensor.takeDiagnostics(). */
  COLLECT(MinitensorNative.MT_DIAGNOSTICS_COLLECT),
  /** Keep them and print a line per op to stderr. */
  PRINT(MinitensorNative.MT_DIAGNOSTICS_PRINT);

  final int code;

  DiagnosticsMode(int code) {
    this.code = code;
  }

  static DiagnosticsMode of(int code) {
    return Codes.find(values(), mode -> mode.code, code)
        .orElseThrow(() -> new IllegalArgumentException("unknown diagnostics mode " + code));
  }
}
