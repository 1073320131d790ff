package org.minitensor;

/**
 * A scope in which ops on this thread record no gradient (torch.no_grad):
 * {@code try (NoGrad scope = NoGrad.enter()) { ... }}. Closing it restores the previous mode;
 * close it on the thread that entered it.
 */
public final class NoGrad implements AutoCloseable {
  private final boolean previous;
  private final Thread thread = Thread.currentThread();
  private boolean closed;

  private NoGrad(boolean previous) {
    this.previous = previous;
  }

  public static NoGrad enter() {
    return new NoGrad(MinitensorNative.mt_set_grad_enabled(0) != 0);
  }

  /** Restores the mode; IllegalStateException on another thread (its mode is not ours). */
  @Override
  public void close() {
    if (Thread.currentThread() != thread) {
      throw new IllegalStateException("NoGrad entered on thread '" + thread.getName()
          + "' cannot be closed on thread '" + Thread.currentThread().getName() + "'");
    }
    if (!closed) {
      closed = true;
      MinitensorNative.mt_set_grad_enabled(Codes.flag(previous));
    }
  }
}
