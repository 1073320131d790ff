package org.minitensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * Every op of the library, enumerated at run time through its name function (mt_map_name(i) for
 * i = 0, 1, ... until null; mt_zip_name, mt_reduce_name), has its enum member (the name in upper
 * case) and its Tensor method (the name in camelCase) computing that op and refusing nulls.
 */
class OpParityTest {
  /** Methods named otherwise than their op, by "kind op". */
  private static final Map<String, String> METHODS =
      Map.of("map inv", "reciprocal", "zip max", "maximum", "zip min", "minimum");

  /** Ops without a method of their own, and what the API has instead. */
  private static final Map<String, String> NO_METHOD =
      Map.of("map id", "clone()", "zip binary_cross_entropy", "Loss.binaryCrossEntropy");

  private static final double[] XS = {0.5, -1.25, 2, 3, -0.75, 0.25};
  private static final double[] YS = {1.5, -1.25, 0.5};

  /** The library's op names, in code order. */
  private static List<String> cOps(IntFunction<String> nameFunction) {
    List<String> names = new ArrayList<>();
    for (String name; (name = nameFunction.apply(names.size())) != null;) {
      names.add(name);
    }
    assertTrue(names.size() > 1, "the name function named " + names);
    return names;
  }

  /** The members' names and library names are the library's ops', in code order. */
  private static void checkEnum(List<String> ops, Enum<?>[] members, List<String> opNames) {
    assertEquals(ops, opNames, "the enum's opName()s");
    assertEquals(ops.stream().map(String::toUpperCase).toList(),
        Arrays.stream(members).map(Enum::name).toList(), "the enum's members");
  }

  /** The public Tensor method of op `name` taking `parameters`, or null where it has none. */
  private static Method method(
      String kind, String name, List<String> missing, Class<?>... parameters) {
    if (NO_METHOD.containsKey(kind + " " + name)) {
      return null;
    }
    String method = METHODS.getOrDefault(kind + " " + name, camelCase(name));
    try {
      return Tensor.class.getMethod(method, parameters);
    } catch (NoSuchMethodException e) {
      missing.add(name + " (Tensor." + method + Arrays.toString(parameters) + ")");
      return null;
    }
  }

  private static String camelCase(String name) {
    StringBuilder result = new StringBuilder();
    for (String word : name.split("_")) {
      result.append(
          result.length() == 0 ? word : Character.toUpperCase(word.charAt(0)) + word.substring(1));
    }
    return result.toString();
  }

  /** The method's result against the op's, bitwise (NaNs alike). */
  private static void expectSame(List<String> wrong, String name, Tensor viaMethod, Tensor viaOp) {
    try (viaMethod; viaOp) {
      if (!Arrays.equals(viaMethod.toDoubleArray(), viaOp.toDoubleArray())) {
        wrong.add(name);
      }
    }
  }

  private static Tensor call(Method method, Tensor receiver, Object... arguments) throws Exception {
    return (Tensor) method.invoke(receiver, arguments);
  }

  /**
   * The method refuses a null `parameter` as the public API does (NullArgumentsTest sees only the
   * methods Tensor declares, not those of its generated base class).
   */
  private static void expectNullRefused(
      List<String> wrong, Method method, Tensor receiver, String parameter, Object... arguments) {
    String expected = "Tensor." + method.getName() + ": " + parameter + " is null";
    try {
      call(method, receiver, arguments).close();
      wrong.add(expected + ": accepted");
    } catch (InvocationTargetException e) {
      if (!(e.getCause() instanceof NullPointerException)
          || !expected.equals(e.getCause().getMessage())) {
        wrong.add(expected + ": " + e.getCause());
      }
    } catch (Exception e) {
      wrong.add(expected + ": " + e);
    }
  }

  @Test
  void mapOps() throws Exception {
    List<String> ops = cOps(MinitensorNative::mt_map_name);
    checkEnum(ops, MapOp.values(), Arrays.stream(MapOp.values()).map(MapOp::opName).toList());
    List<String> missing = new ArrayList<>();
    List<String> wrong = new ArrayList<>();
    try (Tensor x = Tensor.fromArray(XS, 2, 3)) {
      for (MapOp op : MapOp.values()) {
        Method method = method("map", op.opName(), missing);
        if (method != null) {
          expectSame(wrong, op.opName(), call(method, x), x.map(op));
        }
      }
    }
    assertEquals(List.of(), missing, "map ops without their method");
    assertEquals(List.of(), wrong, "map methods computing another op");
  }

  @Test
  void zipOps() throws Exception {
    List<String> ops = cOps(MinitensorNative::mt_zip_name);
    checkEnum(ops, ZipOp.values(), Arrays.stream(ZipOp.values()).map(ZipOp::opName).toList());
    List<String> missing = new ArrayList<>();
    List<String> wrong = new ArrayList<>();
    try (Tensor x = Tensor.fromArray(XS, 2, 3); Tensor y = Tensor.fromArray(YS, 3)) {
      for (ZipOp op : ZipOp.values()) {
        Method withTensor = method("zip", op.opName(), missing, Tensor.class);
        Method withValue = method("zip", op.opName(), missing, double.class);
        if (withTensor != null && withValue != null) {
          expectSame(wrong, op.opName(), call(withTensor, x, y), x.zip(op, y));
          expectSame(wrong, op.opName() + " (a value)", call(withValue, x, 0.5), x.zip(op, 0.5));
          expectNullRefused(wrong, withTensor, x, "other", (Object) null);
        }
      }
    }
    assertEquals(List.of(), missing, "zip ops without their methods");
    assertEquals(List.of(), wrong, "zip methods computing another op");
  }

  @Test
  void reduceOps() throws Exception {
    List<String> ops = cOps(MinitensorNative::mt_reduce_name);
    checkEnum(
        ops, ReduceOp.values(), Arrays.stream(ReduceOp.values()).map(ReduceOp::opName).toList());
    List<String> missing = new ArrayList<>();
    List<String> wrong = new ArrayList<>();
    long[] dims = {1};
    try (Tensor x = Tensor.fromArray(XS, 2, 3)) {
      for (ReduceOp op : ReduceOp.values()) {
        Method all = method("reduce", op.opName(), missing, long[].class);
        Method keep = method("reduce", op.opName(), missing, long[].class, boolean.class);
        if (all != null && keep != null) {
          expectSame(
              wrong, op.opName(), call(all, x, new long[0]), x.reduce(op, new long[0], false));
          expectSame(wrong, op.opName() + " (keepdim)", call(keep, x, dims, true),
              x.reduce(op, dims, true));
          expectNullRefused(wrong, keep, x, "dims", null, true);
        }
      }
    }
    assertEquals(List.of(), missing, "reduce ops without their methods");
    assertEquals(List.of(), wrong, "reduce methods computing another op");
  }
}
