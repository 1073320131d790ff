using System;

namespace Minitensor {

/// <summary>
/// Grad mode of the calling thread (torch.no_grad): while off, ops record nothing.
/// <code>using (NoGrad.Enter()) { ... }</code> turns it off and restores it on Dispose, which
/// must happen on the same thread.
/// </summary>
public sealed class NoGrad : IDisposable {
  readonly bool wasEnabled;
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
    restored = true;
    minitensor_native.mt_set_grad_enabled(wasEnabled ? 1 : 0);
  }

  public static bool IsGradEnabled {
    get { return minitensor_native.mt_grad_enabled() != 0; }
    set { minitensor_native.mt_set_grad_enabled(value ? 1 : 0); }
  }
}

}
