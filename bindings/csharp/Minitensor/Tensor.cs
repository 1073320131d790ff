using System;

namespace Minitensor {

/// <summary>
/// A strided view of reference-counted memory with float32 or float64 elements. Views share
/// memory with the tensor they came from and keep it alive. Dispose releases the tensor at
/// once (twice is harmless); a tensor never disposed is released by the garbage collector.
/// Using a disposed tensor throws ObjectDisposedException; a failed call throws
/// MinitensorException with the library's message. Equals and == compare references, as for
/// any disposable handle (a tensor can key a dictionary); Eq compares elements.
/// </summary>
public sealed partial class Tensor : IDisposable {
  readonly TensorHandle handle;

  internal Tensor(TensorHandle handle) {
    this.handle = handle;
    MadeTensors.Made(this);
  }

  internal TensorHandle Handle {
    get { return NativeHandle.Live(handle, this); }
  }

  // What a native call gets for `tensor`: NULL for null, which the library reports.
  internal static TensorHandle HandleOf(Tensor tensor) {
    return tensor == null ? TensorHandle.Null : tensor.Handle;
  }

  // A tensor the library gave out, or null where it gave NULL (no gradient, no bias).
  internal static Tensor Adopt(TensorHandle handle) {
    return handle.IsInvalid ? null : new Tensor(handle);
  }

  public void Dispose() {
    handle.Dispose();
  }

  public bool IsDisposed {
    get { return handle.IsClosed; }
  }

  // ---- Queries ----------------------------------------------------------------------------

  public int NDim {
    get {
      minitensor_native.mt_ndim(this, out int ndim);
      return ndim;
    }
  }

  public long Numel {
    get {
      minitensor_native.mt_numel(this, out long numel);
      return numel;
    }
  }

  public DType DType {
    get {
      minitensor_native.mt_dtype(this, out int dtype);
      return (DType)dtype;
    }
  }

  public Device Device {
    get {
      minitensor_native.mt_device(this, out int type, out int index);
      return new Device((DeviceType)type, index);
    }
  }

  /// <summary>This tensor on `device`: itself when it is there already, else a copy there.
  /// </summary>
  public Tensor To(Device device) {
    minitensor_native.mt_to_device(this, (int)device.Type, device.Index, out TensorHandle result);
    return new Tensor(result);
  }

  public Tensor Cuda(int index = 0) {
    return To(Device.Cuda(index));
  }

  public Tensor Cpu() {
    return To(Device.Cpu);
  }

  public long[] Shape {
    get {
      var shape = new long[NDim];
      minitensor_native.mt_shape(this, shape);
      return shape;
    }
  }

  /// <summary>Strides in elements.</summary>
  public long[] Strides {
    get {
      var strides = new long[NDim];
      minitensor_native.mt_strides(this, strides);
      return strides;
    }
  }

  /// <summary>The size of one dim; a negative dim counts from the end.</summary>
  public long Size(long dim) {
    minitensor_native.mt_size(this, dim, out long size);
    return size;
  }

  public long Stride(long dim) {
    minitensor_native.mt_stride(this, dim, out long stride);
    return stride;
  }

  public bool IsContiguous {
    get {
      minitensor_native.mt_is_contiguous(this, out int contiguous);
      return contiguous != 0;
    }
  }

  /// <summary>Whether the two tensors share memory (views of one another or of a third).
  /// </summary>
  public bool SharesMemory(Tensor other) {
    Args.NotNull(other, "Tensor.SharesMemory", "other");
    minitensor_native.mt_shares_memory(this, other, out int shares);
    return shares != 0;
  }

  // ---- Elements ---------------------------------------------------------------------------

  /// <summary>The value of a one-element tensor.</summary>
  public double Item() {
    minitensor_native.mt_item(this, out double value);
    return value;
  }

  /// <summary>One element by multi-index (one index per dim). Setting writes into the memory
  /// that all views share.</summary>
  [System.Runtime.CompilerServices.IndexerName("Element")]  // Item is the method above
  public double this[params long[] index] {
    get {
      minitensor_native.mt_get(this, Args.NotNull(index, "Tensor.this[]", "index"),
                               out double value);
      return value;
    }
    set { minitensor_native.mt_set(this, Args.NotNull(index, "Tensor.this[]", "index"), value); }
  }

  /// <summary>The elements in row-major order, converted to float.</summary>
  public float[] ToFloatArray() {
    var values = new float[ArrayLength("ToFloatArray")];
    minitensor_native.mt_to_buffer(this, values);
    return values;
  }

  /// <summary>The elements in row-major order, converted to double.</summary>
  public double[] ToDoubleArray() {
    var values = new double[ArrayLength("ToDoubleArray")];
    minitensor_native.mt_to_buffer(this, values);
    return values;
  }

  // Numel as the length of a C# array, which holds at most int.MaxValue elements (an expanded
  // view can have far more without the memory for them).
  int ArrayLength(string caller) {
    long numel = Numel;
    if (numel > int.MaxValue) {
      throw new MinitensorException(Status.Overflow, caller + ": shape " + ShapeText(Shape) +
          " has " + numel + " elements, more than a C# array holds (" + int.MaxValue + ")");
    }
    return (int)numel;
  }

  // "(2, 3)", "(4,)", "()" as the library writes shapes.
  static string ShapeText(long[] shape) {
    return "(" + string.Join(", ", shape) + (shape.Length == 1 ? ",)" : ")");
  }

  /// <summary>numpy-like text: "tensor([[1., 2.],\n        [3., 4.]], dtype=float32)".
  /// </summary>
  public override string ToString() {
    minitensor_native.mt_to_string(this, out string text);
    return text;
  }
}

}
