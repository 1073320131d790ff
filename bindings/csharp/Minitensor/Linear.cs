using System;

namespace Minitensor {

/// <summary>torch.nn.Linear: x (..., inFeatures) -> x @ Weight^T + Bias; weight and bias are
/// uniform in +-1/sqrt(inFeatures) and require grad.</summary>
public sealed class Linear : IDisposable {
  readonly LinearHandle handle;

  /// <summary>Weights drawn from `generator` (null: the default one).</summary>
  public Linear(long inFeatures, long outFeatures, DType dtype = DType.Float32, bool bias = true,
                Generator generator = null) {
    minitensor_native.mt_linear_create(inFeatures, outFeatures, (int)dtype, bias ? 1 : 0,
                                       generator, out handle);
  }

  internal static LinearHandle HandleOf(Linear layer) {
    return layer == null ? LinearHandle.Null : NativeHandle.Live(layer.handle, layer);
  }

  /// <summary>Moves the parameters to `device` (in place, as torch's module.to).</summary>
  public Linear To(Device device) {
    minitensor_native.mt_linear_to_device(this, (int)device.Type, device.Index);
    return this;
  }

  public Tensor Forward(Tensor x) {
    Args.NotNull(x, "Linear.Forward", "x");
    minitensor_native.mt_linear_forward(this, x, out TensorHandle result);
    return new Tensor(result);
  }

  /// <summary>The weight (outFeatures, inFeatures) itself: updating it changes the layer.
  /// </summary>
  public Tensor Weight {
    get {
      minitensor_native.mt_linear_weight(this, out TensorHandle weight);
      return new Tensor(weight);
    }
  }

  /// <summary>The bias (outFeatures), or null for a layer without one.</summary>
  public Tensor Bias {
    get {
      minitensor_native.mt_linear_bias(this, out TensorHandle bias);
      return Tensor.Adopt(bias);
    }
  }

  public void Dispose() {
    handle.Dispose();
  }
}

}
