package org.minitensor;

import java.util.Arrays;
import java.util.Collection;

/**
 * The public API's null checks, made before any native call: the C API would read a null array
 * as an empty one (a null shape as rank 0) and a null handle as its default, so a null that the
 * API does not document as a default is the caller's bug. It gets a NullPointerException naming
 * the method and the parameter, "Tensor.zeros: shape is null" (the class alone for a
 * constructor), or the element, "Optimizer.sgd: parameters[1] is null".
 */
final class Args {
  private Args() {}

  /** `value` itself; NullPointerException("`method`: `parameter` is null") for null. */
  static <T> T notNull(T value, String method, String parameter) {
    if (value == null) {
      throw nullArgument(method, parameter);
    }
    return value;
  }

  /** `values` itself when neither it nor one of its elements is null. */
  static <C extends Collection<?>> C noNulls(C values, String method, String parameter) {
    int index = 0;
    for (Object value : notNull(values, method, parameter)) {
      if (value == null) {
        throw nullArgument(method, parameter + "[" + index + "]");
      }
      ++index;
    }
    return values;
  }

  /** `values` itself when neither it nor one of its elements is null. */
  static <T> T[] noNulls(T[] values, String method, String parameter) {
    noNulls(Arrays.asList(notNull(values, method, parameter)), method, parameter);
    return values;
  }

  private static NullPointerException nullArgument(String method, String parameter) {
    return new NullPointerException(method + ": " + parameter + " is null");
  }
}
