// Bad input gives a MinitensorException with the C library's message (function, problem,
// values) and status, or a C# argument exception; never a crash.
using System;
using Minitensor;

static class ErrorTests {
  [Test]
  public static void ShapeMismatch() {
    using (Tensor a = Tensor.Ones(2, 3))
    using (Tensor b = Tensor.Ones(4)) {
      MinitensorException e = Check.Fails(Status.ShapeMismatch, () => (a + b).Dispose(),
                                          "mt_zip: shapes (2, 3) and (4,) do not broadcast");
      Check.True(e.Message.StartsWith("mt_zip:"), "the message starts with the function");
      Check.Fails(Status.ShapeMismatch, () => a.MatMul(a), "mt_matmul", "(2, 3)");
      Check.Fails(Status.ShapeMismatch, () => a.View(4), "mt_view", "(2, 3)", "(4,)");
      Check.Fails(Status.ShapeMismatch, () => Tensor.FromArray(new float[5], 2, 3),
                  "mt_from_buffer", "5");
    }
  }

  // A null operand is refused before the library sees it, naming the member and the parameter
  // (NullArgumentTests checks every member).
  [Test]
  public static void NullHandlesAreRefused() {
    Func<Action, string, string> message =
        (action, what) => Check.Throws<ArgumentNullException>(action, what).Message;
    using (Tensor a = Tensor.Ones(2)) {
      Check.True(message(() => a.MatMul(null), "matmul").StartsWith("Tensor.MatMul: other is null"),
                 "MatMul");
      Check.True(message(() => (2.0 >= (Tensor)null).Dispose(), ">=")
                     .StartsWith("Tensor.operator >=: b is null"), "operator >=");
      Check.True(message(() => new Sgd(new Tensor[] { a, null }, 0.1), "Sgd")
                     .StartsWith("Sgd: parameters[1] is null"), "Sgd");
    }
  }

  [Test]
  public static void BadDimsAndIndices() {
    using (Tensor a = Tensor.Zeros(2, 3)) {
      Check.Fails(Status.IndexOutOfRange, () => a.Sum(5), "mt_reduce", "5");
      Check.Fails(Status.IndexOutOfRange, () => a.Transpose(0, 3), "mt_transpose", "3");
      Check.Fails(Status.IndexOutOfRange, () => a.Select(1, 3), "mt_select", "3");
      Check.Fails(Status.IndexOutOfRange, () => { double v = a[2, 0]; }, "mt_get", "2");
      Check.Fails(Status.IndexOutOfRange, () => { a[0, -1] = 1; }, "mt_set", "-1");
      Check.Fails(Status.IndexOutOfRange, () => { double v = a[1]; }, "mt_get", "(1,)", "(2, 3)");
      Check.Fails(Status.InvalidArgument, () => a.Permute(0, 0), "mt_permute");
      Check.Fails(Status.ShapeMismatch, () => a.Squeeze(0), "mt_squeeze", "2");
      Check.Fails(Status.ShapeMismatch, () => a.Expand(4, 3, 2), "mt_expand");
      Check.Fails(Status.InvalidArgument, () => a.Slice(1, 0, 3, 0), "mt_slice", "step");
      Check.Fails(Status.ShapeMismatch, () => a.Item(), "mt_item", "(2, 3)");
    }
  }

  [Test]
  public static void BadSizes() {
    Check.Fails(Status.Overflow, () => Tensor.Zeros(long.MaxValue, 2), "mt_zeros");
    Check.Fails(Status.InvalidArgument, () => Tensor.Zeros(3, -1), "mt_zeros", "-1");
    Check.Fails(Status.InvalidArgument, () => Tensor.Zeros(new long[17]), "mt_zeros", "17");
    Check.Fails(Status.InvalidArgument, () => Tensor.Arange(0, 1, 0), "mt_arange");
    Check.Fails(Status.InvalidArgument, () => new Mlp(new long[] { 2 }), "mt_mlp_create", "2");
  }

  [Test]
  public static void BadEnumValues() {
    using (Tensor a = Tensor.Ones(2)) {
      Check.Fails(Status.DTypeMismatch, () => Tensor.Zeros(new long[] { 2 }, (DType)7),
                  "mt_zeros", "unknown dtype 7");
      Check.Fails(Status.DTypeMismatch, () => a.To((DType)(-1)), "mt_to_dtype", "-1");
      Check.Fails(Status.InvalidArgument, () => a.Map((MapOp)99), "mt_map", "unknown map op 99");
      Check.Fails(Status.InvalidArgument, () => Tensor.Zip((ZipOp)12, a, a), "mt_zip", "12");
      Check.Fails(Status.InvalidArgument, () => a.Reduce((ReduceOp)4), "mt_reduce", "4");
      Check.Fails(Status.InvalidArgument, () => Loss.MseLoss(a, a, (Reduction)3),
                  "mt_mse_loss", "3");
      Check.Fails(Status.InvalidArgument,
                  () => Dataset.Make((DatasetKind)6, 10, 1), "mt_dataset", "6");
    }
  }

  [Test]
  public static void ElementArraysMustBeFloatOrDouble() {
    var e = Check.Throws<ArgumentException>(
        () => Tensor.FromArray(new int[] { 1, 2 }, new long[] { 2 }, DType.Float32), "int[]");
    Check.True(e.Message.Contains("Int32[]"), "the message names the array type: " + e.Message);
    // A jagged array, even one with a null row, is not a block of elements: refused by type.
    e = Check.Throws<ArgumentException>(
        () => Tensor.FromArray(new double[][] { new double[] { 1 }, null }), "double[][]");
    Check.True(e.Message.Contains("Double[][]"), "the message names the array type: " + e.Message);
  }

  // The library reads a NULL array with a count of 0 as empty: a null from C# is a bug.
  [Test]
  public static void NullArraysAreArgumentErrors() {
    Func<Action, string, string> paramName =
        (action, what) => Check.Throws<ArgumentNullException>(action, what).ParamName;
    Check.Equal("values", paramName(() => Tensor.FromArray((float[])null, 0), "values"),
                "FromArray");
    Check.Equal("parameters", paramName(() => new Sgd(null, 0.1), "SGD"), "Sgd");
    Check.Equal("parameters", paramName(() => new Adam(null), "Adam"), "Adam");
  }

  // An expanded view can hold more elements than a C# array; its memory is one element.
  [Test]
  public static void TooManyElementsForAnArray() {
    using (Tensor one = Tensor.Scalar(1))
    using (Tensor huge = one.Expand(1L << 31)) {
      Check.Fails(Status.Overflow, () => huge.ToFloatArray(),
                  "ToFloatArray: shape (2147483648,) has 2147483648 elements", "2147483647");
      Check.Fails(Status.Overflow, () => huge.ToDoubleArray(), "ToDoubleArray", "(2147483648,)");
    }
  }

  [Test]
  public static void AutogradMisuse() {
    using (Tensor x = Tensor.Ones(3))
    using (Tensor out3 = Tensor.Zeros(3)) {
      x.RequiresGrad = true;
      using (Tensor y = x * 2) {
        Check.Fails(Status.InvalidArgument, () => y.RequiresGrad = false,
                    "mt_set_requires_grad");
        Check.Fails(Status.InvalidArgument, () => y.Backward(), "mt_backward", "(3,)",
                    "not one element");
      }
      Check.Fails(Status.InvalidArgument, () => x.MapInto(MapOp.Exp, out3), "mt_map_out",
                  "grad");
      using (NoGrad.Enter()) x.MapInto(MapOp.Exp, out3);  // fine without grad
      Check.Close(Math.E, out3[0], 1e-7, "exp into a plain tensor");
    }
  }

  [Test]
  public static void EmptyMaxAndRuntimeSettings() {
    using (Tensor empty = Tensor.Zeros(0))
      Check.Fails(Status.InvalidArgument, () => empty.Max(), "mt_reduce", "max");
    Check.Fails(Status.InvalidArgument, () => Dataset.KindOf("moons"), "mt_dataset_kind",
                "'moons'", "xor", "spiral");
    Check.Fails(Status.InvalidArgument, () => Runtime.Backend = "gpu", "mt_set_backend", "gpu");
    Check.Fails(Status.InvalidArgument, () => Runtime.NumThreads = 5000, "mt_set_num_threads",
                "5000");
    Check.Fails(Status.InvalidArgument, () => Runtime.Diagnostics = (DiagnosticsMode)3,
                "mt_set_diagnostics", "3");
  }

  [Test]
  public static void AFailureLeavesNothingPending() {
    using (Tensor a = Tensor.Ones(2, 3)) {
      Check.Fails(Status.IndexOutOfRange, () => a.Sum(9), "mt_reduce");
      using (Tensor sum = a.Sum()) Check.Equal(6.0, sum.Item(), "the next call works");
    }
  }
}
