using System;

namespace Minitensor {

// The public API's null checks, made before any native call: the C API would read a null array
// as an empty one (a null shape as rank 0) and a null handle as its default, so a null that a
// member does not document as a default is the caller's bug. It gets an ArgumentNullException
// whose ParamName is the parameter and whose message names the member, "Tensor.Zeros: shape
// is null" (a constructor by its class: "Mlp: sizes is null"), or the element, "Sgd:
// parameters[1] is null". The message is built only on failure.
internal static class Args {
  // `value` itself; ArgumentNullException for null.
  public static T NotNull<T>(T value, string member, string parameter) where T : class {
    if (value == null) throw Null(member, parameter, parameter);
    return value;
  }

  // `values` itself when neither it nor one of its elements is null.
  public static T[] NoNulls<T>(T[] values, string member, string parameter) where T : class {
    NotNull(values, member, parameter);
    for (int i = 0; i < values.Length; ++i) {
      if (values[i] == null) throw Null(member, parameter, parameter + "[" + i + "]");
    }
    return values;
  }

  static ArgumentNullException Null(string member, string parameter, string what) {
    return new ArgumentNullException(parameter, member + ": " + what + " is null");
  }
}

}
