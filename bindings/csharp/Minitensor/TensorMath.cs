namespace Minitensor {

// Elementwise ops, reductions, matmul and the softmax family. Binary ops broadcast as numpy;
// float32 with float64 gives float64. A double operand becomes a scalar of the tensor's dtype.
public sealed partial class Tensor {
  // ---- Map: f(x) --------------------------------------------------------------------------

  public Tensor Map(MapOp op) {
    minitensor_native.mt_map((int)op, this, out TensorHandle result);
    return new Tensor(result);
  }

  /// <summary>Writes f(this) into `destination` (same shape and dtype; may be this).</summary>
  public void MapInto(MapOp op, Tensor destination) {
    Args.NotNull(destination, "Tensor.MapInto", "destination");
    minitensor_native.mt_map_out((int)op, this, destination);
  }

  // The per-op methods, Exp() or Sqrt(), are generated from minitensor.h (TensorOps.g.cs).

  public static Tensor operator -(Tensor a) {
    minitensor_native.mt_map((int)MapOp.Neg, Args.NotNull(a, "Tensor.operator -", "a"),
                             out TensorHandle result);
    return new Tensor(result);
  }

  // ---- Zip: f(a, b) -----------------------------------------------------------------------

  public static Tensor Zip(ZipOp op, Tensor a, Tensor b) { return Zip(op, a, b, "Tensor.Zip"); }
  public static Tensor Zip(ZipOp op, Tensor a, double b) { return Zip(op, a, b, "Tensor.Zip"); }
  public static Tensor Zip(ZipOp op, double a, Tensor b) { return Zip(op, a, b, "Tensor.Zip"); }

  // Zip and the operators take operands a and b; `member` is the public one, which the
  // message of a null operand names.
  static Tensor Zip(ZipOp op, Tensor a, Tensor b, string member) {
    Args.NotNull(a, member, "a");
    Args.NotNull(b, member, "b");
    minitensor_native.mt_zip((int)op, a, b, out TensorHandle result);
    return new Tensor(result);
  }

  static Tensor Zip(ZipOp op, Tensor a, double b, string member) {
    using (Tensor scalar = ScalarLike(a, b, member, "a")) return Zip(op, a, scalar, member);
  }

  static Tensor Zip(ZipOp op, double a, Tensor b, string member) {
    using (Tensor scalar = ScalarLike(b, a, member, "b")) return Zip(op, scalar, b, member);
  }

  // `value` as a scalar of `tensor`'s dtype; `tensor` is `member`'s operand `operand`.
  static Tensor ScalarLike(Tensor tensor, double value, string member, string operand) {
    return Scalar(value, Args.NotNull(tensor, member, operand).DType);
  }

  /// <summary>Writes f(a, b) into `destination`, which has exactly the result's shape and
  /// dtype (it may be a or b).</summary>
  public static void ZipInto(ZipOp op, Tensor a, Tensor b, Tensor destination) {
    Args.NotNull(a, "Tensor.ZipInto", "a");
    Args.NotNull(b, "Tensor.ZipInto", "b");
    Args.NotNull(destination, "Tensor.ZipInto", "destination");
    minitensor_native.mt_zip_out((int)op, a, b, destination);
  }

  // The operators' names, for the messages of null operands.
  const string Plus = "Tensor.operator +", Minus = "Tensor.operator -",
               Times = "Tensor.operator *", Over = "Tensor.operator /",
               Below = "Tensor.operator <", Above = "Tensor.operator >",
               AtMost = "Tensor.operator <=", AtLeast = "Tensor.operator >=";

  public static Tensor operator +(Tensor a, Tensor b) { return Zip(ZipOp.Add, a, b, Plus); }
  public static Tensor operator +(Tensor a, double b) { return Zip(ZipOp.Add, a, b, Plus); }
  public static Tensor operator +(double a, Tensor b) { return Zip(ZipOp.Add, a, b, Plus); }
  public static Tensor operator -(Tensor a, Tensor b) { return Zip(ZipOp.Sub, a, b, Minus); }
  public static Tensor operator -(Tensor a, double b) { return Zip(ZipOp.Sub, a, b, Minus); }
  public static Tensor operator -(double a, Tensor b) { return Zip(ZipOp.Sub, a, b, Minus); }
  public static Tensor operator *(Tensor a, Tensor b) { return Zip(ZipOp.Mul, a, b, Times); }
  public static Tensor operator *(Tensor a, double b) { return Zip(ZipOp.Mul, a, b, Times); }
  public static Tensor operator *(double a, Tensor b) { return Zip(ZipOp.Mul, a, b, Times); }
  public static Tensor operator /(Tensor a, Tensor b) { return Zip(ZipOp.Div, a, b, Over); }
  public static Tensor operator /(Tensor a, double b) { return Zip(ZipOp.Div, a, b, Over); }
  public static Tensor operator /(double a, Tensor b) { return Zip(ZipOp.Div, a, b, Over); }
  /// <summary>1 where a &lt; b, else 0.</summary>
  public static Tensor operator <(Tensor a, Tensor b) { return Zip(ZipOp.Lt, a, b, Below); }
  public static Tensor operator <(Tensor a, double b) { return Zip(ZipOp.Lt, a, b, Below); }
  public static Tensor operator <(double a, Tensor b) { return Zip(ZipOp.Lt, a, b, Below); }
  /// <summary>1 where a &gt; b, else 0.</summary>
  public static Tensor operator >(Tensor a, Tensor b) { return Zip(ZipOp.Gt, a, b, Above); }
  public static Tensor operator >(Tensor a, double b) { return Zip(ZipOp.Gt, a, b, Above); }
  public static Tensor operator >(double a, Tensor b) { return Zip(ZipOp.Gt, a, b, Above); }

  // C# pairs <= with >=; the library has only the strict comparisons and Eq.
  /// <summary>1 where a &lt;= b, else 0 (0 where either is NaN).</summary>
  public static Tensor operator <=(Tensor a, Tensor b) { return OrEqual(ZipOp.Lt, a, b, AtMost); }
  public static Tensor operator <=(Tensor a, double b) { return OrEqual(ZipOp.Lt, a, b, AtMost); }
  public static Tensor operator <=(double a, Tensor b) { return OrEqual(ZipOp.Lt, a, b, AtMost); }
  /// <summary>1 where a &gt;= b, else 0 (0 where either is NaN).</summary>
  public static Tensor operator >=(Tensor a, Tensor b) { return OrEqual(ZipOp.Gt, a, b, AtLeast); }
  public static Tensor operator >=(Tensor a, double b) { return OrEqual(ZipOp.Gt, a, b, AtLeast); }
  public static Tensor operator >=(double a, Tensor b) { return OrEqual(ZipOp.Gt, a, b, AtLeast); }

  // (a < b) + (a == b) rather than 1 - (a > b), which would be 1 for NaN.
  static Tensor OrEqual(ZipOp strict, Tensor a, Tensor b, string member) {
    using (Tensor unequal = Zip(strict, a, b, member))
    using (Tensor equal = Zip(ZipOp.Eq, a, b, member)) return unequal + equal;
  }

  static Tensor OrEqual(ZipOp strict, Tensor a, double b, string member) {
    using (Tensor scalar = ScalarLike(a, b, member, "a")) return OrEqual(strict, a, scalar, member);
  }

  static Tensor OrEqual(ZipOp strict, double a, Tensor b, string member) {
    using (Tensor scalar = ScalarLike(b, a, member, "b")) return OrEqual(strict, scalar, b, member);
  }

  public Tensor Pow(Tensor exponent) {
    return Zip(ZipOp.Pow, this, Args.NotNull(exponent, "Tensor.Pow", "exponent"));
  }
  public Tensor Pow(double exponent) { return Zip(ZipOp.Pow, this, exponent); }
  /// <summary>Elementwise max(this, other).</summary>
  public Tensor Maximum(Tensor other) {
    return Zip(ZipOp.Max, this, Args.NotNull(other, "Tensor.Maximum", "other"));
  }
  /// <summary>Elementwise min(this, other).</summary>
  public Tensor Minimum(Tensor other) {
    return Zip(ZipOp.Min, this, Args.NotNull(other, "Tensor.Minimum", "other"));
  }
  // Lt, Gt and Eq are generated (TensorOps.g.cs), as any later zip op is.
  /// <summary>1 where not equal, else 0 (1 where either is NaN).</summary>
  public Tensor Ne(Tensor other) { return NotEqual(Eq(Args.NotNull(other, "Tensor.Ne", "other"))); }
  public Tensor Ne(double other) { return NotEqual(Eq(other)); }

  static Tensor NotEqual(Tensor equal) {
    using (equal) return 1 - equal;
  }

  /// <summary>1 where |this - other| &lt;= 1e-8 + 1e-5 |other| (numpy.isclose), else 0.
  /// </summary>
  public Tensor IsClose(Tensor other) {
    return Zip(ZipOp.IsClose, this, Args.NotNull(other, "Tensor.IsClose", "other"));
  }

  // ---- Reductions -------------------------------------------------------------------------

  /// <summary>Folds `dims` (null or empty: every dim); with keepDim they stay as size 1.
  /// </summary>
  public Tensor Reduce(ReduceOp op, long[] dims = null, bool keepDim = false) {
    minitensor_native.mt_reduce((int)op, this, dims, keepDim ? 1 : 0, out TensorHandle result);
    return new Tensor(result);
  }

  /// <summary>Writes the reduction into `destination` (exactly the result's shape and dtype).
  /// </summary>
  public void ReduceInto(ReduceOp op, Tensor destination, long[] dims = null,
                         bool keepDim = false) {
    Args.NotNull(destination, "Tensor.ReduceInto", "destination");
    minitensor_native.mt_reduce_out((int)op, this, dims, keepDim ? 1 : 0, destination);
  }

  // Sum, Prod, Max and Min (dims null or empty: every dim) are generated (TensorOps.g.cs).
  public Tensor Mean() { return Mean(null); }
  public Tensor Mean(long dim, bool keepDim = false) { return Mean(new[] { dim }, keepDim); }

  /// <summary>The sum over `dims` (null or empty: all) divided by their element count.
  /// </summary>
  public Tensor Mean(long[] dims, bool keepDim = false) {
    minitensor_native.mt_mean(this, dims, keepDim ? 1 : 0, out TensorHandle result);
    return new Tensor(result);
  }

  // ---- Matmul and the softmax family ------------------------------------------------------

  /// <summary>numpy's matmul: (..., n, k) @ (..., k, m) with broadcast batch dims.</summary>
  public Tensor MatMul(Tensor other) {
    Args.NotNull(other, "Tensor.MatMul", "other");
    minitensor_native.mt_matmul(this, other, out TensorHandle result);
    return new Tensor(result);
  }

  public void MatMulInto(Tensor other, Tensor destination) {
    Args.NotNull(other, "Tensor.MatMulInto", "other");
    Args.NotNull(destination, "Tensor.MatMulInto", "destination");
    minitensor_native.mt_matmul_out(this, other, destination);
  }

  public Tensor Softmax(long dim) {
    minitensor_native.mt_softmax(this, dim, out TensorHandle result);
    return new Tensor(result);
  }

  public Tensor LogSoftmax(long dim) {
    minitensor_native.mt_log_softmax(this, dim, out TensorHandle result);
    return new Tensor(result);
  }

  public Tensor LogSumExp(long dim, bool keepDim = false) {
    minitensor_native.mt_logsumexp(this, dim, keepDim ? 1 : 0, out TensorHandle result);
    return new Tensor(result);
  }
}

}
