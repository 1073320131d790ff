package org.minitensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.function.Executable;

/** Assertions the tests share. */
final class Expect {
  private Expect() {}

  /** The tensor's shape and its elements (row-major) within `tolerance`. */
  static void values(Tensor actual, long[] shape, double[] expected, double tolerance) {
    assertArrayEquals(shape, actual.shape(), "shape");
    assertArrayEquals(expected, actual.toDoubleArray(), tolerance, "values");
  }

  static void values(Tensor actual, long[] shape, double... expected) {
    values(actual, shape, expected, 0);
  }

  /** The call fails with MinitensorException(status) whose message contains every fragment. */
  static MinitensorException failure(Status status, Executable call, String... fragments) {
    MinitensorException e = assertThrows(MinitensorException.class, call);
    assertEquals(status, e.getStatus(), () -> "status of: " + e.getMessage());
    for (String fragment : fragments) {
      assertTrue(e.getMessage().contains(fragment),
          () -> "message '" + e.getMessage() + "' lacks '" + fragment + "'");
    }
    return e;
  }

  /** The process's resident memory in KiB (VmRSS). */
  static long residentKiB() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IOException("no VmRSS in /proc/self/status");
  }

  static long[] shape(long... sizes) {
    return sizes;
  }
}
