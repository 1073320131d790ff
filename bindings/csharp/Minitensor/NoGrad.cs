using System;

namespace Minitensor {

/// <summary>
/// Grad mode of the calling thread (torch.no_grad): while off, ops record nothing.
/// <code>using (NoGrad.Enter()) { ... }</code> turns it off and restores it on Dispose, which
/// must happen on the same thread (elsewhere it throws InvalidOperationException).
/// </summary>
public sealed class NoGrad : IDisposable {
  readonly bool wasEnabled;
  readonly int thread = Environment.CurrentManagedThreadId;
  bool restored;

  NoGrad() {
    wasEnabled = minitensor_native.mt_set_grad_enabled(0) != 0;
  }

  public static NoGrad Enter() {
    return new NoGrad();
  }

  /// <summary>Restores the grad mode from before Enter (once; a second Dispose does nothing).
  /// </summary>
  public void Dispose() {
    if (restored) return;
    // Grad mode is per thread: restoring it here would switch this thread's mode and leave
    // the entering thread without grad for good.
    if (Environment.CurrentManagedThreadId != thread) {
      throw new InvalidOperationException("NoGrad entered on thread " + thread +
          " cannot be disposed on thread " + Environment.CurrentManagedThreadId);
    }
    restored = true;
    minitensor_native.mt_set_grad_enabled(wasEnabled ? 1 : 0);
  }

  public static bool IsGradEnabled {
    get { return minitensor_native.mt_grad_enabled() != 0; }
    set { minitensor_native.mt_set_grad_enabled(value ? 1 : 0); }
  }
}

}
