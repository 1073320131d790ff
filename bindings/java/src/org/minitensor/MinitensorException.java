package org.minitensor;

/** A failed library call: the C status and the library's message (mt_last_error). */
public class MinitensorException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int code;

  /** Thrown from JNI by the bindings: (status, mt_last_error()). */
  MinitensorException(int code, String message) {
    super(message);
    this.code = code;
  }

  public Status getStatus() {
    return Status.of(code);
  }

  /** The raw C status, also for codes newer than this Status enum. */
  public int getCode() {
    return code;
  }
}
