package org.minitensor;

import static org.minitensor.Args.notNull;
import static org.minitensor.MinitensorNative.*;

/**
 * A strided n-dimensional array of float32 or float64 with reverse-mode autodiff: the C API's
 * mt_tensor. Operations return new tensors; views share memory with the tensor they came from
 * and keep it alive. Close a tensor (try-with-resources) to free it now; a Cleaner frees the
 * ones that are never closed once they are unreachable. A closed tensor throws
 * IllegalStateException when used; failed calls throw MinitensorException with the library's
 * message. equals and hashCode are identity (as for Java arrays): compare values with eq,
 * isClose or toDoubleArray. A null argument throws NullPointerException naming the method and
 * the parameter, except where a method documents null as its default (a generator, backward's
 * gradient).
 */
public final class Tensor extends TensorOps {
  /** Up to this many elements a tensor counts as numel * 8 bytes (a cheap upper bound). */
  private static final long SMALL_NUMEL = 8192;

  Tensor(long handle) {
    super(handle, MinitensorNativeJNI::mt_release, spannedBytes(handle));
    MadeTensors.made(this);
  }

  /**
   * The bytes a tensor's elements span, for GC pacing: a view counts what it addresses (a
   * broadcast view its few real elements), so sharing memory overestimates, never hides it.
   * Only large tensors pay for the exact figure (four more native calls).
   */
  private static long spannedBytes(long handle) {
    long numel = Out.ofLong(out -> MinitensorNativeJNI.mt_numel(handle, out));
    if (numel <= SMALL_NUMEL) {
      return numel * Double.BYTES;
    }
    int[] ndim = new int[1];
    int[] dtype = new int[1];
    MinitensorNativeJNI.mt_ndim(handle, ndim);
    MinitensorNativeJNI.mt_dtype(handle, dtype);
    long[] shape = new long[ndim[0]];
    long[] strides = new long[ndim[0]];
    MinitensorNativeJNI.mt_shape(handle, shape);
    MinitensorNativeJNI.mt_strides(handle, strides);
    long elements = 1;
    for (int d = 0; d < shape.length; ++d) {
      if (shape[d] == 0) {
        return 0;
      }
      elements += (shape[d] - 1) * strides[d];
    }
    return elements * DType.of(dtype[0]).itemSize();
  }

  /** The tensor a native call gives out. */
  static Tensor adopt(Out.LongCall call) {
    return new Tensor(Out.ofLong(call));
  }

  /** The tensor a native call gives out, or null when it gives NULL. */
  static Tensor adoptOrNull(Out.LongCall call) {
    long handle = Out.ofLong(call);
    return handle == 0 ? null : new Tensor(handle);
  }

  // ---- Creation ----------------------------------------------------------------------------

  /** Uninitialized elements. */
  public static Tensor empty(DType dtype, long... shape) {
    notNull(dtype, "Tensor.empty", "dtype");
    notNull(shape, "Tensor.empty", "shape");
    return adopt(out -> mt_empty(shape, dtype.code, out));
  }

  public static Tensor zeros(DType dtype, long... shape) {
    notNull(dtype, "Tensor.zeros", "dtype");
    notNull(shape, "Tensor.zeros", "shape");
    return adopt(out -> mt_zeros(shape, dtype.code, out));
  }

  public static Tensor ones(DType dtype, long... shape) {
    notNull(dtype, "Tensor.ones", "dtype");
    notNull(shape, "Tensor.ones", "shape");
    return adopt(out -> mt_ones(shape, dtype.code, out));
  }

  public static Tensor full(double value, DType dtype, long... shape) {
    notNull(dtype, "Tensor.full", "dtype");
    notNull(shape, "Tensor.full", "shape");
    return adopt(out -> mt_full(shape, value, dtype.code, out));
  }

  // On a device: the creators above with the device before the shape.
  public static Tensor empty(DType dtype, Device device, long... shape) {
    notNull(dtype, "Tensor.empty", "dtype");
    notNull(device, "Tensor.empty", "device");
    notNull(shape, "Tensor.empty", "shape");
    return adopt(out -> mt_empty_on(shape, dtype.code, device.type(), device.index(), out));
  }

  public static Tensor zeros(DType dtype, Device device, long... shape) {
    return fullOn("Tensor.zeros", 0, dtype, device, shape);
  }

  public static Tensor ones(DType dtype, Device device, long... shape) {
    return fullOn("Tensor.ones", 1, dtype, device, shape);
  }

  public static Tensor full(double value, DType dtype, Device device, long... shape) {
    return fullOn("Tensor.full", value, dtype, device, shape);
  }

  /** full on `device` for the public `method` (which null-argument messages name). */
  private static Tensor fullOn(String method, double value, DType dtype, Device device,
      long[] shape) {
    notNull(dtype, method, "dtype");
    notNull(device, method, "device");
    notNull(shape, method, "shape");
    return adopt(
        out -> mt_full_on(shape, value, dtype.code, device.type(), device.index(), out));
  }

  /**
   * rand on `device`: the same numbers as on the CPU for the same generator state (null: the
   * default generator).
   */
  public static Tensor rand(long[] shape, DType dtype, double low, double high,
      Generator generator, Device device) {
    notNull(shape, "Tensor.rand", "shape");
    notNull(dtype, "Tensor.rand", "dtype");
    notNull(device, "Tensor.rand", "device");
    return adopt(out -> mt_rand_on(shape, dtype.code, low, high, generator, device.type(),
        device.index(), out));
  }

  /** randn on `device` (generator null: the default generator). */
  public static Tensor randn(long[] shape, DType dtype, double mean, double std,
      Generator generator, Device device) {
    notNull(shape, "Tensor.randn", "shape");
    notNull(dtype, "Tensor.randn", "dtype");
    notNull(device, "Tensor.randn", "device");
    return adopt(out -> mt_randn_on(shape, dtype.code, mean, std, generator, device.type(),
        device.index(), out));
  }

  /** A copy of `data` (row-major) converted to `dtype`, on `device`. */
  public static Tensor fromArray(double[] data, DType dtype, Device device, long... shape) {
    notNull(data, "Tensor.fromArray", "data");
    notNull(dtype, "Tensor.fromArray", "dtype");
    notNull(device, "Tensor.fromArray", "device");
    notNull(shape, "Tensor.fromArray", "shape");
    return adopt(out -> mt_from_buffer_on(data, shape, dtype.code, device.type(),
        device.index(), out));
  }

  /** A rank-0 tensor holding `value`. */
  public static Tensor scalar(double value, DType dtype) {
    notNull(dtype, "Tensor.scalar", "dtype");
    return adopt(out -> mt_scalar(value, dtype.code, out));
  }

  /** start, start + step, ... while &lt; stop (&gt; stop for a negative step), as numpy.arange. */
  public static Tensor arange(double start, double stop, double step, DType dtype) {
    notNull(dtype, "Tensor.arange", "dtype");
    return adopt(out -> mt_arange(start, stop, step, dtype.code, out));
  }

  /** Uniform samples in [low, high) from `generator` (null: the default generator). */
  public static Tensor rand(long[] shape, DType dtype, double low, double high,
      Generator generator) {
    notNull(shape, "Tensor.rand", "shape");
    notNull(dtype, "Tensor.rand", "dtype");
    return adopt(out -> mt_rand(shape, dtype.code, low, high, generator, out));
  }

  /** Uniform samples in [0, 1) from the default generator. */
  public static Tensor rand(DType dtype, long... shape) {
    return rand(shape, dtype, 0, 1, null);
  }

  /** Normal samples (mean, std) from `generator` (null: the default generator). */
  public static Tensor randn(long[] shape, DType dtype, double mean, double std,
      Generator generator) {
    notNull(shape, "Tensor.randn", "shape");
    notNull(dtype, "Tensor.randn", "dtype");
    return adopt(out -> mt_randn(shape, dtype.code, mean, std, generator, out));
  }

  /** Standard normal samples from the default generator. */
  public static Tensor randn(DType dtype, long... shape) {
    return randn(shape, dtype, 0, 1, null);
  }

  /** A 1-D float32 copy of `data` (as numpy.array of a list). */
  public static Tensor fromArray(float[] data) {
    notNull(data, "Tensor.fromArray", "data");
    return fromArray(data, data.length);
  }

  /** A 1-D float64 copy of `data`. */
  public static Tensor fromArray(double[] data) {
    notNull(data, "Tensor.fromArray", "data");
    return fromArray(data, data.length);
  }

  /** A float32 copy of `data` (row-major) in `shape` (new long[0]: rank 0). */
  public static Tensor fromArray(float[] data, long... shape) {
    return fromArray(data, DType.FLOAT32, shape);
  }

  /** A float64 copy of `data` (row-major) in `shape`. */
  public static Tensor fromArray(double[] data, long... shape) {
    return fromArray(data, DType.FLOAT64, shape);
  }

  /** A copy of `data` (row-major) converted to `dtype`. */
  public static Tensor fromArray(float[] data, DType dtype, long... shape) {
    notNull(data, "Tensor.fromArray", "data");
    notNull(dtype, "Tensor.fromArray", "dtype");
    notNull(shape, "Tensor.fromArray", "shape");
    return adopt(out -> mt_from_buffer(data, shape, dtype.code, out));
  }

  public static Tensor fromArray(double[] data, DType dtype, long... shape) {
    notNull(data, "Tensor.fromArray", "data");
    notNull(dtype, "Tensor.fromArray", "dtype");
    notNull(shape, "Tensor.fromArray", "shape");
    return adopt(out -> mt_from_buffer(data, shape, dtype.code, out));
  }

  // ---- Queries -----------------------------------------------------------------------------

  public int ndim() {
    return Out.ofInt(out -> mt_ndim(this, out));
  }

  public long numel() {
    return Out.ofLong(out -> mt_numel(this, out));
  }

  public DType dtype() {
    return DType.of(Out.ofInt(out -> mt_dtype(this, out)));
  }

  public Device device() {
    int[] type = new int[1];
    int[] index = new int[1];
    mt_device(this, type, index);
    return new Device(type[0], index[0]);
  }

  /** This tensor on `device`: itself when it is there already, else a copy there. */
  public Tensor to(Device device) {
    notNull(device, "Tensor.to", "device");
    return adopt(out -> mt_to_device(this, device.type(), device.index(), out));
  }

  /** This tensor on CUDA device 0. */
  public Tensor cuda() {
    return to(Device.cuda(0));
  }

  /** This tensor on the CPU. */
  public Tensor cpu() {
    return to(Device.CPU);
  }

  /** The size of `dim` (negative: from the end). */
  public long size(long dim) {
    return Out.ofLong(out -> mt_size(this, dim, out));
  }

  /** The stride of `dim` in elements (negative: from the end). */
  public long stride(long dim) {
    return Out.ofLong(out -> mt_stride(this, dim, out));
  }

  public long[] shape() {
    long[] shape = new long[ndim()];
    mt_shape(this, shape);
    return shape;
  }

  /** The strides in elements. */
  public long[] strides() {
    long[] strides = new long[ndim()];
    mt_strides(this, strides);
    return strides;
  }

  public boolean isContiguous() {
    return Out.ofFlag(out -> mt_is_contiguous(this, out));
  }

  /** Whether the two share memory (one is a view of the other, or both of a third). */
  public boolean sharesMemory(Tensor other) {
    notNull(other, "Tensor.sharesMemory", "other");
    return Out.ofFlag(out -> mt_shares_memory(this, other, out));
  }

  /** The value of a one-element tensor. */
  public double item() {
    return Out.ofDouble(out -> mt_item(this, out));
  }

  /** One element by multi-index (ndim values). */
  public double get(long... index) {
    notNull(index, "Tensor.get", "index");
    return Out.ofDouble(out -> mt_get(this, index, out));
  }

  /** Writes one element (seen by all views of this memory). */
  public void set(double value, long... index) {
    notNull(index, "Tensor.set", "index");
    mt_set(this, index, value);
  }

  /** The elements in row-major order as float32. */
  public float[] toFloatArray() {
    float[] values = new float[javaLength()];
    mt_to_buffer(this, values);
    return values;
  }

  /** The elements in row-major order as float64. */
  public double[] toDoubleArray() {
    double[] values = new double[javaLength()];
    mt_to_buffer(this, values);
    return values;
  }

  private int javaLength() {
    long count = numel();
    if (count > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException(count + " elements do not fit in a Java array");
    }
    return (int) count;
  }

  /** numpy-like text, "tensor([1., 2.], dtype=float32)"; "Tensor(closed)" once closed. */
  @Override
  public String toString() {
    if (isClosed()) {
      return "Tensor(closed)";
    }
    String[] text = new String[1];
    mt_to_string(this, text);
    return text[0];
  }

  /** Another Tensor object holding its own reference to this tensor (closed separately). */
  public Tensor newReference() {
    long handle = acquire(this);
    try {
      MinitensorNativeJNI.mt_retain(checked(this, handle));
      return new Tensor(handle);
    } finally {
      release(this, handle);
    }
  }

  // ---- Views (sharing memory) and copies ---------------------------------------------------

  /** The same elements in a new shape without a copy (one size may be -1). */
  public Tensor view(long... shape) {
    notNull(shape, "Tensor.view", "shape");
    return adopt(out -> mt_view(this, shape, out));
  }

  /** view() where possible, else a contiguous copy. */
  public Tensor reshape(long... shape) {
    notNull(shape, "Tensor.reshape", "shape");
    return adopt(out -> mt_reshape(this, shape, out));
  }

  /** Result dim i is dim order[i]. */
  public Tensor permute(long... order) {
    notNull(order, "Tensor.permute", "order");
    return adopt(out -> mt_permute(this, order, out));
  }

  public Tensor transpose(long dim0, long dim1) {
    return adopt(out -> mt_transpose(this, dim0, dim1, out));
  }

  /** numpy's broadcast_to: size-1 dims repeat, leading dims are added; -1 keeps a size. */
  public Tensor expand(long... shape) {
    notNull(shape, "Tensor.expand", "shape");
    return adopt(out -> mt_expand(this, shape, out));
  }

  /** Elements [start, start + length) along `dim`. */
  public Tensor narrow(long dim, long start, long length) {
    return adopt(out -> mt_narrow(this, dim, start, length, out));
  }

  /** Python's x[..., start:stop:step, ...] along `dim`. */
  public Tensor slice(long dim, long start, long stop, long step) {
    return adopt(out -> mt_slice(this, dim, start, stop, step, out));
  }

  /** x[..., index, ...]: removes `dim`. */
  public Tensor select(long dim, long index) {
    return adopt(out -> mt_select(this, dim, index, out));
  }

  public Tensor unsqueeze(long dim) {
    return adopt(out -> mt_unsqueeze(this, dim, out));
  }

  /** Removes `dim`, which must have size 1. */
  public Tensor squeeze(long dim) {
    return adopt(out -> mt_squeeze(this, dim, out));
  }

  /** This tensor itself (a new reference) when contiguous, else a contiguous copy. */
  public Tensor contiguous() {
    return adopt(out -> mt_contiguous(this, out));
  }

  @Override
  public Tensor clone() {
    return adopt(out -> mt_clone(this, out));
  }

  /** A copy converted to `dtype`. */
  public Tensor to(DType dtype) {
    notNull(dtype, "Tensor.to", "dtype");
    return adopt(out -> mt_to_dtype(this, dtype.code, out));
  }

  // ---- Elementwise operations --------------------------------------------------------------
  // The per-op methods, exp() or add(other), are TensorOps' (generated from minitensor.h).

  @Override
  public Tensor map(MapOp op) {
    notNull(op, "Tensor.map", "op");
    return adopt(out -> mt_map(op.code, this, out));
  }

  /** Writes op(this) into `out` (no gradient is recorded). */
  public void mapInto(MapOp op, Tensor out) {
    notNull(op, "Tensor.mapInto", "op");
    notNull(out, "Tensor.mapInto", "out");
    mt_map_out(op.code, this, out);
  }

  /** op(this, other) with numpy broadcasting; float32 with float64 gives float64. */
  @Override
  public Tensor zip(ZipOp op, Tensor other) {
    notNull(op, "Tensor.zip", "op");
    notNull(other, "Tensor.zip", "other");
    return adopt(out -> mt_zip(op.code, this, other, out));
  }

  /** op(this, value), the value as a scalar of this tensor's dtype. */
  @Override
  public Tensor zip(ZipOp op, double value) {
    notNull(op, "Tensor.zip", "op");
    try (Tensor scalar = scalar(value, dtype())) {
      return zip(op, scalar);
    }
  }

  /** Writes op(this, other) into `out` (no gradient is recorded). */
  public void zipInto(ZipOp op, Tensor other, Tensor out) {
    notNull(op, "Tensor.zipInto", "op");
    notNull(other, "Tensor.zipInto", "other");
    notNull(out, "Tensor.zipInto", "out");
    mt_zip_out(op.code, this, other, out);
  }

  // ---- Reductions and matmul ---------------------------------------------------------------
  // The per-op ones, sum(dims) or max(dims, keepdim), are TensorOps'.

  /** Folds `dims` (none: every dim); with keepdim they stay as size 1. */
  @Override
  public Tensor reduce(ReduceOp op, long[] dims, boolean keepdim) {
    notNull(op, "Tensor.reduce", "op");
    notNull(dims, "Tensor.reduce", "dims");
    return adopt(out -> mt_reduce(op.code, this, dims, Codes.flag(keepdim), out));
  }

  /** Writes the reduction into `out` (no gradient is recorded). */
  public void reduceInto(ReduceOp op, long[] dims, boolean keepdim, Tensor out) {
    notNull(op, "Tensor.reduceInto", "op");
    notNull(dims, "Tensor.reduceInto", "dims");
    notNull(out, "Tensor.reduceInto", "out");
    mt_reduce_out(op.code, this, dims, Codes.flag(keepdim), out);
  }

  /** The mean over `dims` (none: of every element). */
  public Tensor mean(long... dims) {
    return mean(dims, false);
  }

  public Tensor mean(long[] dims, boolean keepdim) {
    notNull(dims, "Tensor.mean", "dims");
    return adopt(out -> mt_mean(this, dims, Codes.flag(keepdim), out));
  }

  /** numpy's matmul, with broadcast batch dims. */
  public Tensor matmul(Tensor other) {
    notNull(other, "Tensor.matmul", "other");
    return adopt(out -> mt_matmul(this, other, out));
  }

  /** Writes this @ other into `out` (no gradient is recorded). */
  public void matmulInto(Tensor other, Tensor out) {
    notNull(other, "Tensor.matmulInto", "other");
    notNull(out, "Tensor.matmulInto", "out");
    mt_matmul_out(this, other, out);
  }

  /** log(sum(exp(x))) along `dim`. */
  public Tensor logsumexp(long dim, boolean keepdim) {
    return adopt(out -> mt_logsumexp(this, dim, Codes.flag(keepdim), out));
  }

  public Tensor softmax(long dim) {
    return adopt(out -> mt_softmax(this, dim, out));
  }

  public Tensor logSoftmax(long dim) {
    return adopt(out -> mt_log_softmax(this, dim, out));
  }

  // ---- Autodiff ----------------------------------------------------------------------------

  /** Makes this leaf a parameter whose gradient backward accumulates (or stops that). */
  public Tensor requiresGrad(boolean requiresGrad) {
    mt_set_requires_grad(this, Codes.flag(requiresGrad));
    return this;
  }

  public boolean requiresGrad() {
    return Out.ofFlag(out -> mt_requires_grad(this, out));
  }

  /** Whether no recorded op made this tensor. */
  public boolean isLeaf() {
    return Out.ofFlag(out -> mt_is_leaf(this, out));
  }

  /** The accumulated gradient, or null when there is none. */
  public Tensor grad() {
    return adoptOrNull(out -> mt_grad(this, out));
  }

  /** Clears the gradient (grad() is then null). */
  public void zeroGrad() {
    mt_zero_grad(this);
  }

  /** Backward from a one-element tensor (gradient 1); frees the graph. */
  public void backward() {
    backward(null, false);
  }

  /** Backward with `grad` (this tensor's shape; null for a one-element tensor). */
  public void backward(Tensor grad, boolean retainGraph) {
    mt_backward(this, grad, Codes.flag(retainGraph));
  }

  /** The same memory outside the graph. */
  public Tensor detach() {
    return adopt(out -> mt_detach(this, out));
  }

  /** The op that made this tensor ("matmul", "mul"), null for a leaf. */
  public String gradFnName() {
    return mt_grad_fn_name(this);
  }
}
