using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace Minitensor {

// C's mt_csharp_span (minitensor_csharp.i): an array's elements, their count and dtype.
[StructLayout(LayoutKind.Sequential)]
internal struct NativeSpan {
  public IntPtr Data;
  public long Length;
  public int DType;
}

// A C# array pinned for one native call: the typemaps of minitensor_csharp.i make one before
// the call and dispose it after. A null array is (NULL, 0).
internal sealed class PinnedArray : IDisposable {
  GCHandle pin;
  readonly List<NativeHandle> borrowed;
  public readonly NativeSpan Span;

  PinnedArray(Array values, int dtype, List<NativeHandle> borrowed) {
    this.borrowed = borrowed;
    Span.DType = dtype;
    if (values != null) {
      pin = GCHandle.Alloc(values, GCHandleType.Pinned);
      Span.Data = pin.AddrOfPinnedObject();
      Span.Length = values.Length;
    }
  }

  // Sizes, dims, indices: long[] as (const int64_t*, int32_t count).
  public static PinnedArray Sizes(long[] values) {
    return new PinnedArray(values, 0, null);
  }

  // Elements for mt_from_buffer and mt_to_buffer: float[] or double[] (of any rank, row-major).
  public static PinnedArray Elements(Array values) {
    return new PinnedArray(values, DTypeOf(values), null);
  }

  // Tensors as (mt_tensor* const*, count); each handle is held until Dispose.
  public static PinnedArray Handles(Tensor[] tensors) {
    if (tensors == null) return new PinnedArray(null, 0, null);
    var pointers = new IntPtr[tensors.Length];
    var held = new List<NativeHandle>(tensors.Length);
    try {
      for (int i = 0; i < tensors.Length; ++i) {
        TensorHandle handle = Tensor.HandleOf(tensors[i]);
        bool added = false;
        handle.DangerousAddRef(ref added);
        if (added) held.Add(handle);
        pointers[i] = handle.DangerousGetHandle();
      }
    } catch {
      Release(held);
      throw;
    }
    return new PinnedArray(pointers, 0, held);
  }

  // Out-pointers (a plan run's results) as (mt_tensor**, count): the call writes the array.
  public static PinnedArray Pointers(IntPtr[] values) {
    return new PinnedArray(values, 0, null);
  }

  public void Dispose() {
    if (pin.IsAllocated) pin.Free();
    Release(borrowed);
  }

  static void Release(List<NativeHandle> handles) {
    if (handles == null) return;
    foreach (NativeHandle handle in handles) handle.DangerousRelease();
    handles.Clear();
  }

  static int DTypeOf(Array values) {
    if (values == null) return (int)Minitensor.DType.Float64;
    Type element = values.GetType().GetElementType();
    if (element == typeof(float)) return (int)Minitensor.DType.Float32;
    if (element == typeof(double)) return (int)Minitensor.DType.Float64;
    throw new ArgumentException(
        "tensor elements are copied from and to float or double arrays, not " +
        values.GetType().Name, nameof(values));
  }
}

// Strings that the library allocates (mt_to_string, mt_take_diagnostics).
internal static class NativeText {
  // A copy of `text` as a C# string (null for NULL); frees `text`.
  public static string Take(IntPtr text) {
    try {
      return Marshal.PtrToStringAnsi(text);
    } finally {
      minitensor_native.mt_string_free(text);
    }
  }
}

}
