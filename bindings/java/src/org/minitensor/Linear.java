package org.minitensor;

/** torch.nn.Linear: x (..., in) -> x @ weight^T + bias; weights uniform in +-1/sqrt(in). */
public final class Linear extends NativeObject {
  /** Weights drawn from `generator` (null: the default generator). */
  public Linear(long inFeatures, long outFeatures, DType dtype, boolean bias,
      Generator generator) {
    // The check runs first: it is in super's first argument.
    super(Out.ofLong(out -> MinitensorNative.mt_linear_create(inFeatures, outFeatures,
            Args.notNull(dtype, "Linear", "dtype").code, Codes.flag(bias), generator, out)),
        MinitensorNativeJNI::mt_linear_release, bytes(inFeatures, outFeatures, bias, dtype));
  }

  /** The bytes of a layer's weight and bias (for GC pacing). */
  static long bytes(long inFeatures, long outFeatures, boolean bias, DType dtype) {
    return (inFeatures + (bias ? 1 : 0)) * outFeatures * dtype.itemSize();
  }

  /** Moves the parameters to `device` (in place, as torch's module.to); returns this layer. */
  public Linear to(Device device) {
    Args.notNull(device, "Linear.to", "device");
    MinitensorNative.mt_linear_to_device(this, device.type(), device.index());
    return this;
  }

  public Tensor forward(Tensor x) {
    Args.notNull(x, "Linear.forward", "x");
    return Tensor.adopt(out -> MinitensorNative.mt_linear_forward(this, x, out));
  }

  /** The weight itself (out, in): updating it changes the layer. */
  public Tensor weight() {
    return Tensor.adopt(out -> MinitensorNative.mt_linear_weight(this, out));
  }

  /** The bias itself (out), or null for a layer without one. */
  public Tensor bias() {
    return Tensor.adoptOrNull(out -> MinitensorNative.mt_linear_bias(this, out));
  }
}
