package org.minitensor;

import java.util.List;

/** SGD or Adam over a list of parameters (torch.optim's update rules). */
public final class Optimizer extends NativeObject {
  private Optimizer(long handle) {
    super(handle, MinitensorNativeJNI::mt_optimizer_release);
  }

  /** torch.optim.SGD; the optimizer keeps its own reference to each parameter. */
  public static Optimizer sgd(List<Tensor> parameters, double lr, double momentum,
      double weightDecay, boolean nesterov) {
    Tensor[] params =
        Args.noNulls(parameters, "Optimizer.sgd", "parameters").toArray(new Tensor[0]);
    return new Optimizer(Out.ofLong(out -> MinitensorNative.mt_sgd_create(
        params, lr, momentum, weightDecay, Codes.flag(nesterov), out)));
  }

  /** torch.optim.Adam; the optimizer keeps its own reference to each parameter. */
  public static Optimizer adam(List<Tensor> parameters, double lr, double beta1, double beta2,
      double eps, double weightDecay) {
    Tensor[] params =
        Args.noNulls(parameters, "Optimizer.adam", "parameters").toArray(new Tensor[0]);
    return new Optimizer(Out.ofLong(out -> MinitensorNative.mt_adam_create(
        params, lr, beta1, beta2, eps, weightDecay, out)));
  }

  /** One update from the parameters' gradients (parameters without one are skipped). */
  public void step() {
    MinitensorNative.mt_optimizer_step(this);
  }

  /** Clears every parameter's gradient. */
  public void zeroGrad() {
    MinitensorNative.mt_optimizer_zero_grad(this);
  }
}
