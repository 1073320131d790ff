namespace Minitensor {

// A null array or tensor argument throws ArgumentNullException naming the member and the
// parameter; a null generator is the default one.
public sealed partial class Tensor {
  /// <summary>A tensor with a copy of `values` (float[] or double[], row-major) in `shape`
  /// (the product of the sizes must be values.Length), converted to `dtype`.</summary>
  public static Tensor FromArray(System.Array values, long[] shape, DType dtype) {
    Args.NotNull(values, "Tensor.FromArray", "values");
    Args.NotNull(shape, "Tensor.FromArray", "shape");
    minitensor_native.mt_from_buffer(values, shape, (int)dtype, out TensorHandle result);
    return new Tensor(result);
  }

  /// <summary>A float32 tensor with a copy of `values`; no shape: 1-D.</summary>
  public static Tensor FromArray(float[] values, params long[] shape) {
    return FromArray(values, ShapeOrLength(values, shape), DType.Float32);
  }

  /// <summary>A float64 tensor with a copy of `values`; no shape: 1-D.</summary>
  public static Tensor FromArray(double[] values, params long[] shape) {
    return FromArray(values, ShapeOrLength(values, shape), DType.Float64);
  }

  /// <summary>A tensor in the shape of `values`, a float or double array of any rank
  /// (float[,] gives a float32 matrix, double[] a float64 vector), with a copy of them.
  /// </summary>
  public static Tensor FromArray(System.Array values) {
    Args.NotNull(values, "Tensor.FromArray", "values");
    var shape = new long[values.Rank];
    for (int dim = 0; dim < shape.Length; ++dim) shape[dim] = values.GetLength(dim);
    // Anything but float and double is refused by the copy, which names the array's type.
    bool floats = values.GetType().GetElementType() == typeof(float);
    return FromArray(values, shape, floats ? DType.Float32 : DType.Float64);
  }

  // `shape`, or values' length for an empty one (1-D).
  static long[] ShapeOrLength(System.Array values, long[] shape) {
    Args.NotNull(values, "Tensor.FromArray", "values");
    Args.NotNull(shape, "Tensor.FromArray", "shape");
    return shape.Length > 0 ? shape : new long[] { values.Length };
  }

  /// <summary>A tensor with uninitialized elements.</summary>
  public static Tensor Empty(long[] shape, DType dtype = DType.Float32) {
    Args.NotNull(shape, "Tensor.Empty", "shape");
    minitensor_native.mt_empty(shape, (int)dtype, out TensorHandle result);
    return new Tensor(result);
  }

  public static Tensor Zeros(params long[] shape) {
    return Zeros(shape, DType.Float32);
  }

  public static Tensor Zeros(long[] shape, DType dtype) {
    Args.NotNull(shape, "Tensor.Zeros", "shape");
    minitensor_native.mt_zeros(shape, (int)dtype, out TensorHandle result);
    return new Tensor(result);
  }

  public static Tensor Ones(params long[] shape) {
    return Ones(shape, DType.Float32);
  }

  public static Tensor Ones(long[] shape, DType dtype) {
    Args.NotNull(shape, "Tensor.Ones", "shape");
    minitensor_native.mt_ones(shape, (int)dtype, out TensorHandle result);
    return new Tensor(result);
  }

  public static Tensor Full(long[] shape, double value, DType dtype = DType.Float32) {
    Args.NotNull(shape, "Tensor.Full", "shape");
    minitensor_native.mt_full(shape, value, (int)dtype, out TensorHandle result);
    return new Tensor(result);
  }

  // On a device: the creators above with a device argument.
  public static Tensor Empty(long[] shape, DType dtype, Device device) {
    Args.NotNull(shape, "Tensor.Empty", "shape");
    minitensor_native.mt_empty_on(shape, (int)dtype, (int)device.Type, device.Index,
                                  out TensorHandle result);
    return new Tensor(result);
  }

  public static Tensor Zeros(long[] shape, DType dtype, Device device) {
    return FullOn("Tensor.Zeros", shape, 0, dtype, device);
  }

  public static Tensor Ones(long[] shape, DType dtype, Device device) {
    return FullOn("Tensor.Ones", shape, 1, dtype, device);
  }

  public static Tensor Full(long[] shape, double value, DType dtype, Device device) {
    return FullOn("Tensor.Full", shape, value, dtype, device);
  }

  // Full on `device` for the public `member` (which a null shape's message names).
  static Tensor FullOn(string member, long[] shape, double value, DType dtype, Device device) {
    Args.NotNull(shape, member, "shape");
    minitensor_native.mt_full_on(shape, value, (int)dtype, (int)device.Type, device.Index,
                                 out TensorHandle result);
    return new Tensor(result);
  }

  /// <summary>Rand on `device`: the same numbers as on the CPU for the same generator state
  /// (null: the default one).</summary>
  public static Tensor Rand(long[] shape, DType dtype, double low, double high,
                            Generator generator, Device device) {
    Args.NotNull(shape, "Tensor.Rand", "shape");
    minitensor_native.mt_rand_on(shape, (int)dtype, low, high, generator, (int)device.Type,
                                 device.Index, out TensorHandle result);
    return new Tensor(result);
  }

  /// <summary>Randn on `device` (generator null: the default one).</summary>
  public static Tensor Randn(long[] shape, DType dtype, double mean, double std,
                             Generator generator, Device device) {
    Args.NotNull(shape, "Tensor.Randn", "shape");
    minitensor_native.mt_randn_on(shape, (int)dtype, mean, std, generator, (int)device.Type,
                                  device.Index, out TensorHandle result);
    return new Tensor(result);
  }

  public static Tensor FromArray(System.Array values, long[] shape, DType dtype, Device device) {
    Args.NotNull(values, "Tensor.FromArray", "values");
    Args.NotNull(shape, "Tensor.FromArray", "shape");
    minitensor_native.mt_from_buffer_on(values, shape, (int)dtype, (int)device.Type,
                                        device.Index, out TensorHandle result);
    return new Tensor(result);
  }

  /// <summary>A rank-0 tensor holding `value`.</summary>
  public static Tensor Scalar(double value, DType dtype = DType.Float32) {
    minitensor_native.mt_scalar(value, (int)dtype, out TensorHandle result);
    return new Tensor(result);
  }

  /// <summary>start, start + step, ... while below stop (above it for a negative step).
  /// </summary>
  public static Tensor Arange(double start, double stop, double step = 1,
                              DType dtype = DType.Float32) {
    minitensor_native.mt_arange(start, stop, step, (int)dtype, out TensorHandle result);
    return new Tensor(result);
  }

  /// <summary>Uniform samples in [low, high) from `generator` (null: the default one).
  /// </summary>
  public static Tensor Rand(long[] shape, DType dtype = DType.Float32, double low = 0,
                            double high = 1, Generator generator = null) {
    Args.NotNull(shape, "Tensor.Rand", "shape");
    minitensor_native.mt_rand(shape, (int)dtype, low, high, generator, out TensorHandle result);
    return new Tensor(result);
  }

  /// <summary>Normal samples (mean, std) from `generator` (null: the default one).</summary>
  public static Tensor Randn(long[] shape, DType dtype = DType.Float32, double mean = 0,
                             double std = 1, Generator generator = null) {
    Args.NotNull(shape, "Tensor.Randn", "shape");
    minitensor_native.mt_randn(shape, (int)dtype, mean, std, generator, out TensorHandle result);
    return new Tensor(result);
  }
}

}
