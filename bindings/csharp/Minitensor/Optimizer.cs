using System;

namespace Minitensor {

/// <summary>An optimizer over parameters (leaf tensors that require grad; it keeps its own
/// reference to each), with torch.optim's update rules.</summary>
public abstract class Optimizer : IDisposable {
  readonly OptimizerHandle handle;

  internal Optimizer(OptimizerHandle handle) {
    this.handle = handle;
  }

  internal static OptimizerHandle HandleOf(Optimizer optimizer) {
    if (optimizer == null) return OptimizerHandle.Null;
    return NativeHandle.Live(optimizer.handle, optimizer);
  }

  /// <summary>One update from the parameters' gradients (those without one are skipped).
  /// </summary>
  public void Step() {
    minitensor_native.mt_optimizer_step(this);
  }

  /// <summary>Clears every parameter's gradient.</summary>
  public void ZeroGrad() {
    minitensor_native.mt_optimizer_zero_grad(this);
  }

  public void Dispose() {
    handle.Dispose();
  }
}

/// <summary>torch.optim.SGD.</summary>
public sealed class Sgd : Optimizer {
  public Sgd(Tensor[] parameters, double lr, double momentum = 0, double weightDecay = 0,
             bool nesterov = false)
      : base(Create(parameters, lr, momentum, weightDecay, nesterov)) {}

  static OptimizerHandle Create(Tensor[] parameters, double lr, double momentum,
                                double weightDecay, bool nesterov) {
    minitensor_native.mt_sgd_create(Args.NoNulls(parameters, "Sgd", "parameters"), lr, momentum,
                                    weightDecay, nesterov ? 1 : 0, out OptimizerHandle handle);
    return handle;
  }
}

/// <summary>torch.optim.Adam.</summary>
public sealed class Adam : Optimizer {
  public Adam(Tensor[] parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
              double eps = 1e-8, double weightDecay = 0)
      : base(Create(parameters, lr, beta1, beta2, eps, weightDecay)) {}

  static OptimizerHandle Create(Tensor[] parameters, double lr, double beta1, double beta2,
                                double eps, double weightDecay) {
    minitensor_native.mt_adam_create(Args.NoNulls(parameters, "Adam", "parameters"), lr, beta1,
                                     beta2, eps, weightDecay, out OptimizerHandle handle);
    return handle;
  }
}

}
