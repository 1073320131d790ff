package org.minitensor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every function of minitensor.h has a Java binding, except those that make no sense here. */
class CoverageTest {
  /**
   * Foreign memory with a C callback, DLPack (Python's), the freeing of C strings, and traced
   * functions, whose body is a C callback (Java has Compiled).
   */
  private static final Set<String> NOT_IN_JAVA = Set.of("mt_from_blob", "mt_to_dlpack",
      "mt_from_dlpack", "mt_string_free", "mt_function_new", "mt_function_release",
      "mt_function_run", "mt_function_plan", "mt_function_plan_count");

  @Test
  void everyHeaderFunctionIsBound() throws Exception {
    String header = System.getProperty("minitensor.header");
    assertFalse(header == null, "run with -Dminitensor.header=<path of minitensor.h>");
    Matcher declaration =
        Pattern.compile("MT_API [^;(]*?\\b(mt_\\w+)\\(").matcher(Files.readString(Path.of(header)));
    Set<String> bound = Arrays.stream(MinitensorNative.class.getDeclaredMethods())
        .map(method -> method.getName()).collect(Collectors.toSet());
    Set<String> missing = new TreeSet<>();
    int declared = 0;
    while (declaration.find()) {
      ++declared;
      String name = declaration.group(1);
      if (!NOT_IN_JAVA.contains(name) && !bound.contains(name)) {
        missing.add(name);
      }
    }
    assertTrue(declared > 100, "found only " + declared + " functions in " + header);
    assertTrue(missing.isEmpty(), "no Java binding for " + missing);
  }
}
