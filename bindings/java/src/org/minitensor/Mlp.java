package org.minitensor;

import java.util.ArrayList;
import java.util.List;

/** Linear layers sizes[0] -> sizes[1] -> ... with relu between them; forward gives logits. */
public final class Mlp extends NativeObject {
  /** Weights drawn from `generator` (null: the default generator). */
  public Mlp(long[] sizes, DType dtype, Generator generator) {
    // The checks run first: they are in super's first argument.
    super(Out.ofLong(out -> MinitensorNative.mt_mlp_create(Args.notNull(sizes, "Mlp", "sizes"),
            Args.notNull(dtype, "Mlp", "dtype").code, generator, out)),
        MinitensorNativeJNI::mt_mlp_release, bytes(sizes, dtype));
  }

  /** The bytes of the layers' weights and biases (for GC pacing). */
  private static long bytes(long[] sizes, DType dtype) {
    long bytes = 0;
    for (int i = 0; i + 1 < sizes.length; ++i) {
      bytes += Linear.bytes(sizes[i], sizes[i + 1], true, dtype);
    }
    return bytes;
  }

  /** Moves every layer to `device` (in place, as torch's module.to); returns this model. */
  public Mlp to(Device device) {
    Args.notNull(device, "Mlp.to", "device");
    MinitensorNative.mt_mlp_to_device(this, device.type(), device.index());
    return this;
  }

  public Tensor forward(Tensor x) {
    Args.notNull(x, "Mlp.forward", "x");
    return Tensor.adopt(out -> MinitensorNative.mt_mlp_forward(this, x, out));
  }

  public int parameterCount() {
    return Out.ofInt(out -> MinitensorNative.mt_mlp_parameter_count(this, out));
  }

  /** Parameter `index`: layer 0 weight, layer 0 bias, layer 1 weight, ... (the tensor itself). */
  public Tensor parameter(int index) {
    return Tensor.adopt(out -> MinitensorNative.mt_mlp_parameter(this, index, out));
  }

  /** Every parameter in order; close them when done (the model keeps its own references). */
  public List<Tensor> parameters() {
    int count = parameterCount();
    List<Tensor> parameters = new ArrayList<>(count);
    for (int i = 0; i < count; ++i) {
      parameters.add(parameter(i));
    }
    return parameters;
  }
}
