// Views (sharing memory, strided) and copies.
using System;
using System.Linq;
using Minitensor;

static class ViewTests {
  // 0, 1, ..., n - 1 as float64 in `shape`.
  static Tensor Counting(params long[] shape) {
    long n = shape.Aggregate(1L, (a, b) => a * b);
    return Tensor.FromArray(Enumerable.Range(0, (int)n).Select(i => (double)i).ToArray(), shape);
  }

  [Test]
  public static void ViewSharesMemory() {
    using (Tensor x = Counting(12))
    using (Tensor v = x.View(3, 4))
    using (Tensor inferred = x.View(-1, 6)) {
      Check.Equal(new long[] { 3, 4 }, v.Shape, "view shape");
      Check.Equal(new long[] { 2, 6 }, inferred.Shape, "view with -1");
      Check.True(v.SharesMemory(x), "view shares memory");
      v[2, 3] = 100;
      Check.Equal(100.0, x[11], "write through the view");
    }
  }

  [Test]
  public static void PermuteAndTranspose() {
    using (Tensor x = Counting(2, 3, 4))
    using (Tensor p = x.Permute(2, 0, 1))
    using (Tensor t = x.Transpose(0, 2)) {
      Check.Equal(new long[] { 4, 2, 3 }, p.Shape, "permute shape");
      Check.Equal(new long[] { 1, 12, 4 }, p.Strides, "permute strides");
      Check.Equal(new long[] { 4, 3, 2 }, t.Shape, "transpose shape");
      Check.True(!t.IsContiguous, "transpose is strided");
      for (long i = 0; i < 2; ++i)
        for (long j = 0; j < 3; ++j)
          for (long k = 0; k < 4; ++k) {
            Check.Equal(x[i, j, k], p[k, i, j], "permuted element");
            Check.Equal(x[i, j, k], t[k, j, i], "transposed element");
          }
    }
  }

  [Test]
  public static void ReshapeCopiesOnlyWhenNeeded() {
    using (Tensor x = Counting(2, 3))
    using (Tensor flat = x.Reshape(6))
    using (Tensor t = x.Transpose(0, 1))
    using (Tensor tflat = t.Reshape(6)) {
      Check.True(flat.SharesMemory(x), "contiguous reshape is a view");
      Check.True(!tflat.SharesMemory(x), "strided reshape copies");
      Check.Tensor(new long[] { 6 }, new double[] { 0, 3, 1, 4, 2, 5 }, tflat, 0, "copy order");
    }
  }

  [Test]
  public static void ExpandRepeatsWithStrideZero() {
    using (Tensor column = Counting(3, 1))
    using (Tensor wide = column.Expand(3, 4))
    using (Tensor batched = column.Expand(2, -1, 2)) {
      Check.Equal(new long[] { 1, 0 }, wide.Strides, "expand strides");
      Check.Tensor(new long[] { 3, 4 }, new double[] { 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2 }, wide,
                   0, "expand values");
      Check.Equal(new long[] { 2, 3, 2 }, batched.Shape, "expand with a new dim and -1");
    }
  }

  [Test]
  public static void NarrowSliceSelect() {
    using (Tensor x = Counting(3, 4))
    using (Tensor narrow = x.Narrow(1, 1, 2))
    using (Tensor even = x.Slice(1, 0, 4, 2))
    using (Tensor lastTwo = x.Slice(1, -2, 100))
    using (Tensor lastRow = x.Select(0, -1)) {
      Check.Tensor(new long[] { 3, 2 }, new double[] { 1, 2, 5, 6, 9, 10 }, narrow, 0, "narrow");
      Check.Tensor(new long[] { 3, 2 }, new double[] { 0, 2, 4, 6, 8, 10 }, even, 0, "step 2");
      Check.Tensor(new long[] { 3, 2 }, new double[] { 2, 3, 6, 7, 10, 11 }, lastTwo, 0,
                   "negative start, clamped stop");
      Check.Tensor(new long[] { 4 }, new double[] { 8, 9, 10, 11 }, lastRow, 0, "select(0, -1)");
      Check.True(narrow.SharesMemory(x) && lastRow.SharesMemory(x), "they are views");
    }
  }

  [Test]
  public static void UnsqueezeSqueeze() {
    using (Tensor x = Counting(3, 4))
    using (Tensor u = x.Unsqueeze(0))
    using (Tensor back = u.Squeeze(0))
    using (Tensor last = x.Unsqueeze(-1)) {
      Check.Equal(new long[] { 1, 3, 4 }, u.Shape, "unsqueeze(0)");
      Check.Equal(new long[] { 3, 4 }, back.Shape, "squeeze(0)");
      Check.Equal(new long[] { 3, 4, 1 }, last.Shape, "unsqueeze(-1)");
    }
  }

  [Test]
  public static void Copies() {
    using (Tensor x = Counting(2, 3))
    using (Tensor t = x.Transpose(0, 1))
    using (Tensor contiguous = t.Contiguous())
    using (Tensor same = x.Contiguous())
    using (Tensor clone = x.Clone())
    using (Tensor single = x.To(DType.Float32)) {
      Check.True(contiguous.IsContiguous && !contiguous.SharesMemory(x), "contiguous copy");
      Check.Tensor(new long[] { 3, 2 }, new double[] { 0, 3, 1, 4, 2, 5 }, contiguous, 0,
                   "contiguous values");
      Check.True(same.SharesMemory(x), "contiguous of a contiguous tensor is itself");
      Check.True(!clone.SharesMemory(x), "clone copies");
      Check.Tensor(new long[] { 2, 3 }, x.ToDoubleArray(), clone, 0, "clone values");
      Check.Equal(DType.Float32, single.DType, "to(float32)");
      Check.Tensor(new long[] { 2, 3 }, x.ToDoubleArray(), single, 0, "converted values");
    }
  }
}
