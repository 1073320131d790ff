using System;

namespace Minitensor {

/// <summary>The toy datasets (MiniTorch's): points in the unit square labelled by a rule.
/// </summary>
public enum DatasetKind {
  Simple = minitensor_native.MT_DATASET_SIMPLE,
  Diag = minitensor_native.MT_DATASET_DIAG,
  Split = minitensor_native.MT_DATASET_SPLIT,
  Xor = minitensor_native.MT_DATASET_XOR,
  Circle = minitensor_native.MT_DATASET_CIRCLE,
  Spiral = minitensor_native.MT_DATASET_SPIRAL
}

/// <summary>X (n, 2) and Y (n,) with labels 0 or 1, the same for the same kind, n and seed
/// everywhere. Dispose releases both.</summary>
public sealed class Dataset : IDisposable {
  Dataset(Tensor x, Tensor y) {
    X = x;
    Y = y;
  }

  public Tensor X { get; }
  public Tensor Y { get; }

  public static Dataset Make(DatasetKind kind, long n, ulong seed, DType dtype = DType.Float32) {
    minitensor_native.mt_dataset((int)kind, n, seed, (int)dtype, out TensorHandle x,
                                 out TensorHandle y);
    return new Dataset(new Tensor(x), new Tensor(y));
  }

  /// <summary>"xor" for DatasetKind.Xor; null for a value outside the enum.</summary>
  public static string Name(DatasetKind kind) {
    return minitensor_native.mt_dataset_name((int)kind);
  }

  /// <summary>The kind named `name`; a MinitensorException listing the names otherwise.
  /// </summary>
  public static DatasetKind KindOf(string name) {
    Args.NotNull(name, "Dataset.KindOf", "name");
    minitensor_native.mt_dataset_kind(name, out int kind);
    return (DatasetKind)kind;
  }

  public void Dispose() {
    X.Dispose();
    Y.Dispose();
  }
}

}
