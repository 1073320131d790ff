package org.minitensor;

import java.util.Optional;
import java.util.function.ToIntFunction;

/** Java values for the C API's enum values and booleans. */
final class Codes {
  private Codes() {}

  /** A C boolean (int32_t 0 or 1). */
  static int flag(boolean value) {
    return value ? 1 : 0;
  }

  /** The enum constant that stands for C value `value`. */
  static <E extends Enum<E>> Optional<E> find(E[] values, ToIntFunction<E> code, int value) {
    for (E candidate : values) {
      if (code.applyAsInt(candidate) == value) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
