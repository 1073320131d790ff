using System;

namespace Minitensor {

/// <summary>Linear layers sizes[0] -> sizes[1] -> ... with relu between them; Forward returns
/// the last layer's output (the logits) as is.</summary>
public sealed class Mlp : IDisposable {
  readonly MlpHandle handle;

  /// <summary>Weights drawn from `generator` (null: the default one).</summary>
  public Mlp(long[] sizes, DType dtype = DType.Float32, Generator generator = null) {
    minitensor_native.mt_mlp_create(Args.NotNull(sizes, "Mlp", "sizes"), (int)dtype, generator,
                                    out handle);
  }

  internal static MlpHandle HandleOf(Mlp model) {
    return model == null ? MlpHandle.Null : NativeHandle.Live(model.handle, model);
  }

  /// <summary>Moves every layer to `device` (in place, as torch's module.to).</summary>
  public Mlp To(Device device) {
    minitensor_native.mt_mlp_to_device(this, (int)device.Type, device.Index);
    return this;
  }

  public Tensor Forward(Tensor x) {
    Args.NotNull(x, "Mlp.Forward", "x");
    minitensor_native.mt_mlp_forward(this, x, out TensorHandle result);
    return new Tensor(result);
  }

  public int ParameterCount {
    get {
      minitensor_native.mt_mlp_parameter_count(this, out int count);
      return count;
    }
  }

  /// <summary>Parameter `index` itself (layer 0 weight, layer 0 bias, layer 1 weight, ...).
  /// </summary>
  public Tensor Parameter(int index) {
    minitensor_native.mt_mlp_parameter(this, index, out TensorHandle parameter);
    return new Tensor(parameter);
  }

  /// <summary>All parameters, in order; the caller disposes them (the model keeps its own).
  /// </summary>
  public Tensor[] Parameters {
    get {
      var parameters = new Tensor[ParameterCount];
      for (int i = 0; i < parameters.Length; ++i) parameters[i] = Parameter(i);
      return parameters;
    }
  }

  public void Dispose() {
    handle.Dispose();
  }
}

}
