namespace Minitensor {

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
