namespace Minitensor {

/// <summary>Elementwise f(x) (Tensor.Map).</summary>
public enum MapOp {
  Neg = minitensor_native.MT_MAP_NEG,
  Id = minitensor_native.MT_MAP_ID,
  Exp = minitensor_native.MT_MAP_EXP,
  Log = minitensor_native.MT_MAP_LOG,
  Sigmoid = minitensor_native.MT_MAP_SIGMOID,
  Relu = minitensor_native.MT_MAP_RELU,
  Tanh = minitensor_native.MT_MAP_TANH,
  Inv = minitensor_native.MT_MAP_INV,
  Abs = minitensor_native.MT_MAP_ABS,
  Sqrt = minitensor_native.MT_MAP_SQRT,
  Square = minitensor_native.MT_MAP_SQUARE
}

/// <summary>Elementwise f(a, b) with numpy broadcasting (Tensor.Zip); comparisons give 1 or 0.
/// </summary>
public enum ZipOp {
  Add = minitensor_native.MT_ZIP_ADD,
  Sub = minitensor_native.MT_ZIP_SUB,
  Mul = minitensor_native.MT_ZIP_MUL,
  Div = minitensor_native.MT_ZIP_DIV,
  Pow = minitensor_native.MT_ZIP_POW,
  Max = minitensor_native.MT_ZIP_MAX,
  Min = minitensor_native.MT_ZIP_MIN,
  Lt = minitensor_native.MT_ZIP_LT,
  Gt = minitensor_native.MT_ZIP_GT,
  Eq = minitensor_native.MT_ZIP_EQ,
  IsClose = minitensor_native.MT_ZIP_IS_CLOSE,
  BinaryCrossEntropy = minitensor_native.MT_ZIP_BINARY_CROSS_ENTROPY
}

/// <summary>Folds over dims (Tensor.Reduce).</summary>
public enum ReduceOp {
  Sum = minitensor_native.MT_REDUCE_SUM,
  Prod = minitensor_native.MT_REDUCE_PROD,
  Max = minitensor_native.MT_REDUCE_MAX,
  Min = minitensor_native.MT_REDUCE_MIN
}

/// <summary>The library's names of the ops ("exp", "add", "sum"); null for an unknown op.
/// </summary>
public static class OpNames {
  public static string Name(this MapOp op) {
    return minitensor_native.mt_map_name((int)op);
  }

  public static string Name(this ZipOp op) {
    return minitensor_native.mt_zip_name((int)op);
  }

  public static string Name(this ReduceOp op) {
    return minitensor_native.mt_reduce_name((int)op);
  }
}

}
