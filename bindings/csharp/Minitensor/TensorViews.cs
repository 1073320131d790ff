namespace Minitensor {

// Views share this tensor's memory (writes show in both) and keep it alive; dims may be
// negative (from the end). The copies at the end never share memory, except Contiguous of a
// tensor that already is.
public sealed partial class Tensor {
  /// <summary>The same elements in a new shape without a copy (one size may be -1).</summary>
  public Tensor View(params long[] shape) {
    Args.NotNull(shape, "Tensor.View", "shape");
    minitensor_native.mt_view(this, shape, out TensorHandle result);
    return new Tensor(result);
  }

  /// <summary>View where the strides allow it, else a contiguous copy.</summary>
  public Tensor Reshape(params long[] shape) {
    Args.NotNull(shape, "Tensor.Reshape", "shape");
    minitensor_native.mt_reshape(this, shape, out TensorHandle result);
    return new Tensor(result);
  }

  /// <summary>Result dim i is this tensor's dim order[i].</summary>
  public Tensor Permute(params long[] order) {
    Args.NotNull(order, "Tensor.Permute", "order");
    minitensor_native.mt_permute(this, order, out TensorHandle result);
    return new Tensor(result);
  }

  public Tensor Transpose(long dim0, long dim1) {
    minitensor_native.mt_transpose(this, dim0, dim1, out TensorHandle result);
    return new Tensor(result);
  }

  /// <summary>numpy's broadcast_to: size-1 dims repeat, leading dims are added; -1 keeps a
  /// size.</summary>
  public Tensor Expand(params long[] shape) {
    Args.NotNull(shape, "Tensor.Expand", "shape");
    minitensor_native.mt_expand(this, shape, out TensorHandle result);
    return new Tensor(result);
  }

  /// <summary>Elements [start, start + length) along `dim`.</summary>
  public Tensor Narrow(long dim, long start, long length) {
    minitensor_native.mt_narrow(this, dim, start, length, out TensorHandle result);
    return new Tensor(result);
  }

  /// <summary>Python's x[..., start:stop:step, ...] along `dim` (negative bounds count from
  /// the end, bounds are clamped, step &gt;= 1).</summary>
  public Tensor Slice(long dim, long start, long stop, long step = 1) {
    minitensor_native.mt_slice(this, dim, start, stop, step, out TensorHandle result);
    return new Tensor(result);
  }

  /// <summary>x[..., index, ...]: removes `dim`.</summary>
  public Tensor Select(long dim, long index) {
    minitensor_native.mt_select(this, dim, index, out TensorHandle result);
    return new Tensor(result);
  }

  public Tensor Unsqueeze(long dim) {
    minitensor_native.mt_unsqueeze(this, dim, out TensorHandle result);
    return new Tensor(result);
  }

  /// <summary>Removes `dim`, which must have size 1.</summary>
  public Tensor Squeeze(long dim) {
    minitensor_native.mt_squeeze(this, dim, out TensorHandle result);
    return new Tensor(result);
  }

  /// <summary>A contiguous copy, or this tensor's memory again when it already is contiguous.
  /// </summary>
  public Tensor Contiguous() {
    minitensor_native.mt_contiguous(this, out TensorHandle result);
    return new Tensor(result);
  }

  public Tensor Clone() {
    minitensor_native.mt_clone(this, out TensorHandle result);
    return new Tensor(result);
  }

  /// <summary>A copy converted to `dtype`.</summary>
  public Tensor To(DType dtype) {
    minitensor_native.mt_to_dtype(this, (int)dtype, out TensorHandle result);
    return new Tensor(result);
  }
}

}
