package org.minitensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The whole public API, found by reflection: every public method and constructor of every
 * public class in minitensor.jar refuses a null reference argument with
 * NullPointerException("Class.method: parameter is null") (the class alone for a constructor),
 * except the parameters in NULLABLE; a null element of a list names its index; a closed object,
 * as the receiver or an argument, throws IllegalStateException. Arguments come from a table
 * (VALUES) by parameter type: a type missing there fails the test, so new API cannot dodge it.
 */
class NullArgumentsTest {
  /** The jar's public classes: checked against the jar, so that a new one is not skipped. */
  private static final Set<Class<?>> PUBLIC_CLASSES = Set.of(Capture.class, Communicator.class,
      Compiled.class, Cuda.class,
      Cuda.Matmul.class, DataParallel.class, DataParallel.NoSync.class,
      DataParallel.Overlap.class, Dataset.class,
      DatasetKind.class, Device.class, DiagnosticsMode.class, DType.class, Generator.class,
      Linear.class, Loss.class, MapOp.class, Minitensor.class, MinitensorException.class,
      Mlp.class, NoGrad.class, Optimizer.class, Plan.class, PlanCacheStats.class, PlanStats.class,
      ReduceOp.class,
      Reduction.class, ShardedSampler.class, Status.class, Tensor.class, ZipOp.class,
      // SWIG's interface of the C constants (public in SWIG 4.1; it has no methods).
      MinitensorNativeConstants.class);

  /** Parameters whose null means a default (documented at the method), "Class.method: name". */
  private static final Set<String> NULLABLE = Set.of(
      "Tensor.rand: generator", "Tensor.randn: generator", "Linear: generator",
      "Mlp: generator", // null: the default generator
      "Tensor.backward: grad", // null: 1 for a one-element tensor
      "Device.equals: o", "PlanStats.equals: o",
      "PlanCacheStats.equals: o"); // a record's equals: null is unequal

  /** Instance methods that need no native object, so are fine once it is closed. */
  private static final Set<String> FINE_WHEN_CLOSED = Set.of("Tensor.close", "Tensor.isClosed",
      "Tensor.toString", "Generator.close", "Generator.isClosed", "Linear.close",
      "Linear.isClosed", "Mlp.close", "Mlp.isClosed", "Optimizer.close", "Optimizer.isClosed",
      "Dataset.close", "Dataset.x", "Dataset.y", "Communicator.close", "Communicator.isClosed",
      "ShardedSampler.close", "ShardedSampler.isClosed", "DataParallel.close",
      "DataParallel.isClosed", "DataParallel.NoSync.close", "Plan.close", "Plan.isClosed",
      "Plan.toString", "Compiled.close", "Compiled.planCount");

  /** Native objects the table made for the current call; closed after it. */
  private final List<AutoCloseable> made = new ArrayList<>();

  /** A valid argument for each parameter type (by its generic name), and each receiver. */
  private final Map<String, Supplier<Object>> values = new HashMap<>();

  NullArgumentsTest() {
    value(boolean.class, () -> false);
    value(int.class, () -> 0);
    value(long.class, () -> 1L);
    value(double.class, () -> 1.0);
    value(long[].class, () -> new long[] {2});
    value(float[].class, () -> new float[] {1, 2});
    value(double[].class, () -> new double[] {1, 2});
    value(String.class, () -> "cpu");
    value(Object.class, () -> Device.CPU);
    value(Device.class, () -> Device.CPU);
    value(DType.class, () -> DType.FLOAT32);
    value(MapOp.class, () -> MapOp.EXP);
    value(ZipOp.class, () -> ZipOp.ADD);
    value(ReduceOp.class, () -> ReduceOp.SUM);
    value(Reduction.class, () -> Reduction.MEAN);
    value(DataParallel.Overlap.class, () -> DataParallel.Overlap.ON);
    value(DatasetKind.class, () -> DatasetKind.XOR);
    value(DiagnosticsMode.class, () -> DiagnosticsMode.OFF);
    value(Cuda.Matmul.class, () -> Cuda.Matmul.KERNEL);
    value(Tensor.class, () -> made(Tensor.ones(DType.FLOAT32, 2)));
    value(Tensor[].class, () -> new Tensor[] {made(Tensor.ones(DType.FLOAT32, 2))});
    value(Capture.class, () -> made(Capture.begin()));
    value(Plan.class, this::plan);
    value(Compiled.class, () -> made(Compiled.of(NullArgumentsTest::negate)));
    values.put("java.util.function.Function<org.minitensor.Tensor[], org.minitensor.Tensor[]>",
        () -> (Function<Tensor[], Tensor[]>) NullArgumentsTest::negate);
    value(PlanStats.class, () -> new PlanStats(1, 1, 0, 0, 0));
    value(PlanCacheStats.class, () -> new PlanCacheStats(1, 64, 0, 1, ""));
    value(Generator.class, () -> made(new Generator(1)));
    value(Linear.class, () -> made(new Linear(2, 2, DType.FLOAT32, true, null)));
    value(Mlp.class, () -> made(new Mlp(new long[] {2, 2}, DType.FLOAT32, null)));
    value(Dataset.class, () -> made(Dataset.make(DatasetKind.XOR, 4, 1, DType.FLOAT32)));
    value(Optimizer.class, () -> made(Optimizer.sgd(List.of(parameter()), 0.1, 0, 0, false)));
    // Without a launcher: a world of one.
    value(Communicator.class, () -> made(Communicator.fromEnvironment()));
    value(ShardedSampler.class,
        () -> made(new ShardedSampler(4, 2, made(Communicator.fromEnvironment()), 1)));
    value(DataParallel.class, this::dataParallel);
    value(DataParallel.NoSync.class, () -> made(dataParallel().noSync()));
    values.put("java.util.List<org.minitensor.Tensor>",
        () -> new ArrayList<>(List.of(parameter())));
  }

  private void value(Class<?> type, Supplier<Object> supplier) {
    values.put(type.getTypeName(), supplier);
  }

  private <T extends AutoCloseable> T made(T object) {
    made.add(object);
    return object;
  }

  /** A plan of x + x over a float32 (2,) input, like the table's tensors. */
  private Plan plan() {
    try (Capture capture = Capture.begin()) {
      Tensor x = capture.input(DType.FLOAT32, 2);
      return made(capture.end(x.add(x)));
    }
  }

  /** A Compiled body: -x of its one input. */
  private static Tensor[] negate(Tensor[] inputs) {
    return new Tensor[] {inputs[0].neg()};
  }

  private DataParallel dataParallel() {
    return made(new DataParallel(List.of(parameter()), made(Communicator.fromEnvironment())));
  }

  private Tensor parameter() {
    return made(Tensor.ones(DType.FLOAT32, 2)).requiresGrad(true);
  }

  @AfterEach
  void closeWhatWasMade() throws Exception {
    Collections.reverse(made);
    for (AutoCloseable object : made) {
      object.close();
    }
    made.clear();
  }

  @Test
  void theListOfClassesIsTheJars() throws Exception {
    assertEquals(names(PUBLIC_CLASSES), names(jarsPublicClasses()),
        "PUBLIC_CLASSES must list exactly the public classes of minitensor.jar");
  }

  /** Fails for a type without a value, also where no test below builds the arguments. */
  @Test
  void everyParameterTypeHasAValue() {
    Set<String> missing = new TreeSet<>();
    for (Executable member : publicMembers()) {
      for (java.lang.reflect.Type type : member.getGenericParameterTypes()) {
        if (!values.containsKey(type.getTypeName())) {
          missing.add(name(member) + " takes a " + type.getTypeName());
        }
      }
    }
    assertTrue(missing.isEmpty(), "add a valid value to the table: " + missing);
  }

  @Test
  void nullArgumentsAreRefusedWithTheirNames() throws Exception {
    List<String> failures = new ArrayList<>();
    int members = 0;
    int checked = 0;
    for (Executable member : publicMembers()) {
      ++members;
      Parameter[] parameters = member.getParameters();
      for (int i = 0; i < parameters.length; ++i) {
        if (parameters[i].getType().isPrimitive()) {
          continue;
        }
        ++checked;
        String key = name(member) + ": " + parameters[i].getName();
        Object[] arguments = arguments(member);
        arguments[i] = null;
        Throwable thrown = call(member, arguments);
        if (NULLABLE.contains(key)) {
          // Accepted: the call works, or the library judges the table's other values.
          if (thrown != null && !(thrown instanceof MinitensorException)) {
            failures.add(key + " (nullable): " + thrown);
          }
        } else if (isEnumValueOf(member)) {
          if (!(thrown instanceof NullPointerException)) {
            failures.add(key + ": expected the JDK's NullPointerException, got " + thrown);
          }
        } else {
          expectNull(failures, key, thrown, key + " is null");
        }
      }
    }
    System.out.printf("null arguments: %d public methods and constructors, %d reference"
        + " parameters (%d nullable)%n", members, checked, NULLABLE.size());
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void nullElementsAreRefusedWithTheirIndex() throws Exception {
    List<String> failures = new ArrayList<>();
    int checked = 0;
    for (Executable member : publicMembers()) {
      Parameter[] parameters = member.getParameters();
      for (int i = 0; i < parameters.length; ++i) {
        if (!Collection.class.isAssignableFrom(parameters[i].getType())) {
          continue;
        }
        ++checked;
        Object[] arguments = arguments(member);
        @SuppressWarnings("unchecked")
        Collection<Object> elements = (Collection<Object>) arguments[i];
        elements.add(null);
        String key = name(member) + ": " + parameters[i].getName();
        expectNull(failures, key, call(member, arguments),
            key + "[" + (elements.size() - 1) + "] is null");
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
    assertEquals(4, checked, "list parameters (Optimizer.sgd and adam, DataParallel's two)");
  }

  @Test
  void closedObjectsAreRefused() throws Exception {
    List<String> failures = new ArrayList<>();
    int receivers = 0;
    int closedArguments = 0;
    for (Executable member : publicMembers()) {
      Class<?> owner = member.getDeclaringClass();
      boolean instance = member instanceof Method && !Modifier.isStatic(member.getModifiers());
      // The scopes (NoGrad, Capture) hold no native object.
      if (instance && AutoCloseable.class.isAssignableFrom(owner) && owner != NoGrad.class
          && owner != Capture.class && !FINE_WHEN_CLOSED.contains(name(member))) {
        Object receiver = valueOf(member, owner.getTypeName());
        ((AutoCloseable) receiver).close();
        ++receivers;
        expectClosed(failures, name(member) + " on a closed " + owner.getSimpleName(),
            call((Method) member, receiver, arguments(member)));
      }
      Parameter[] parameters = member.getParameters();
      for (int i = 0; i < parameters.length; ++i) {
        Class<?> type = parameters[i].getType();
        if (!AutoCloseable.class.isAssignableFrom(type) && type != List.class) {
          continue;
        }
        Object[] arguments = arguments(member);
        // The object, or the first of a list of them.
        ((AutoCloseable) (arguments[i] instanceof List<?> list ? list.get(0) : arguments[i]))
            .close();
        ++closedArguments;
        expectClosed(failures, name(member) + ": closed " + parameters[i].getName(),
            call(member, arguments));
      }
    }
    System.out.printf("closed objects: %d methods on a closed receiver, %d closed arguments%n",
        receivers, closedArguments);
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  private static void expectNull(List<String> failures, String key, Throwable thrown,
      String message) {
    if (!(thrown instanceof NullPointerException) || !message.equals(thrown.getMessage())) {
      failures.add(key + ": expected NullPointerException(\"" + message + "\"), got " + thrown);
    }
  }

  private static void expectClosed(List<String> failures, String what, Throwable thrown) {
    if (!(thrown instanceof IllegalStateException)
        || !thrown.getMessage().contains("is closed and cannot be used any more")) {
      failures.add(what + ": expected IllegalStateException, got " + thrown);
    }
  }

  /** Valid arguments for `member` (and a receiver for an instance method), from the table. */
  private Object[] arguments(Executable member) {
    java.lang.reflect.Type[] types = member.getGenericParameterTypes();
    Object[] arguments = new Object[types.length];
    for (int i = 0; i < types.length; ++i) {
      arguments[i] = valueOf(member, types[i].getTypeName());
    }
    return arguments;
  }

  private Object valueOf(Executable member, String type) {
    Supplier<Object> supplier = values.get(type);
    assertTrue(supplier != null,
        () -> name(member) + " takes a " + type + ": add a valid value to the table");
    return supplier.get();
  }

  /** What `member` threw (null for nothing); what it returned is closed. */
  private Throwable call(Executable member, Object[] arguments) throws Exception {
    Object receiver = member instanceof Method && !Modifier.isStatic(member.getModifiers())
        ? valueOf(member, member.getDeclaringClass().getTypeName()) : null;
    return call(member, receiver, arguments);
  }

  private Throwable call(Executable member, Object receiver, Object[] arguments)
      throws Exception {
    try {
      closeLater(member instanceof Constructor<?> constructor
          ? constructor.newInstance(arguments) : ((Method) member).invoke(receiver, arguments));
      return null;
    } catch (InvocationTargetException e) {
      return e.getCause();
    } finally {
      closeWhatWasMade();
    }
  }

  /** Closes `result` (a native object or a list of them) after the call; twice is harmless. */
  private void closeLater(Object result) {
    if (result instanceof AutoCloseable object) {
      made.add(object);
    } else if (result instanceof Collection<?> parts) {
      parts.forEach(this::closeLater);
    }
  }

  /** The public constructors and methods (not the compiler's bridges) of PUBLIC_CLASSES. */
  private static List<Executable> publicMembers() {
    return PUBLIC_CLASSES.stream()
        .flatMap(type -> Stream.concat(Stream.of(type.getDeclaredConstructors()),
            Stream.of(type.getDeclaredMethods())))
        .filter(member -> Modifier.isPublic(member.getModifiers()) && !member.isSynthetic())
        .sorted(Comparator.comparing(Executable::toGenericString))
        .collect(Collectors.toList());
  }

  private static boolean isEnumValueOf(Executable member) {
    return member.getDeclaringClass().isEnum() && member.getName().equals("valueOf");
  }

  /** "Tensor.zeros" for a method, "Mlp" for a constructor, as the messages name them. */
  private static String name(Executable member) {
    String owner = member.getDeclaringClass().getName()
        .substring(Tensor.class.getPackageName().length() + 1).replace('$', '.');
    return member instanceof Constructor ? owner : owner + "." + member.getName();
  }

  /** The public classes (nested ones included) in the jar or directory Tensor came from. */
  private static Set<Class<?>> jarsPublicClasses() throws Exception {
    Path location =
        Path.of(Tensor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    try (FileSystem jar = Files.isDirectory(location) ? null
             : FileSystems.newFileSystem(location)) {
      Path root = jar == null ? location : jar.getPath("/");
      Path packageDir = root.resolve(Tensor.class.getPackageName().replace('.', '/'));
      Set<Class<?>> classes = new HashSet<>();
      try (Stream<Path> files = Files.list(packageDir)) {
        for (Path file : (Iterable<Path>) files::iterator) {
          String fileName = file.getFileName().toString();
          if (fileName.endsWith(".class")) {
            Class<?> type = Class.forName(Tensor.class.getPackageName() + "."
                + fileName.substring(0, fileName.length() - ".class".length()));
            if (isPublicApi(type)) {
              classes.add(type);
            }
          }
        }
      }
      return classes;
    }
  }

  private static boolean isPublicApi(Class<?> type) {
    for (Class<?> c = type; c != null; c = c.getEnclosingClass()) {
      if (!Modifier.isPublic(c.getModifiers()) || c.isAnonymousClass()) {
        return false;
      }
    }
    return true;
  }

  private static Set<String> names(Set<Class<?>> classes) {
    return classes.stream().map(Class::getName).collect(Collectors.toCollection(TreeSet::new));
  }
}
