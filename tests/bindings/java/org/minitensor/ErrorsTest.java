package org.minitensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Bad input gives an exception with the library's message, never a crash. */
class ErrorsTest {
  @Test
  void exceptionsCarryStatusAndMessage() {
    try (Tensor a = Tensor.ones(DType.FLOAT32, 2, 3)) {
      MinitensorException e = Expect.failure(Status.SHAPE_MISMATCH, () -> a.view(4),
          "mt_view: cannot view a tensor of shape (2, 3) (6 elements) as shape (4,)");
      assertEquals(MinitensorNative.MT_ERR_SHAPE_MISMATCH, e.getCode());
      assertEquals("MT_ERR_SHAPE_MISMATCH", e.getStatus().cName());
      assertTrue(e instanceof RuntimeException);
    }
    assertEquals(Status.UNKNOWN, Status.of(99));
    assertEquals("unknown status", Status.UNKNOWN.cName());
  }

  /** Below the public API's null checks, the generated layer passes null as NULL. */
  @Test
  void nullHandlesAreRejectedByTheLibrary() {
    Expect.failure(Status.INVALID_ARGUMENT, () -> MinitensorNative.mt_ndim(null, new int[1]),
        "mt_ndim", "NULL");
    Expect.failure(Status.INVALID_ARGUMENT,
        () -> MinitensorNative.mt_mlp_forward(null, null, new long[1]), "mt_mlp_forward", "NULL");
    Expect.failure(Status.INVALID_ARGUMENT,
        () -> MinitensorNative.mt_optimizer_step(null), "mt_optimizer_step", "NULL");
    Expect.failure(Status.INVALID_ARGUMENT,
        () -> MinitensorNative.mt_linear_weight(null, new long[1]), "mt_linear_weight", "NULL");
    MinitensorNative.mt_release(null); // releases accept NULL
    MinitensorNative.mt_generator_release(null);
  }

  @Test
  void badOutArraysAndBuffersThrowJavaExceptions() {
    try (Tensor a = Tensor.ones(DType.FLOAT64, 3)) {
      assertThrows(NullPointerException.class, () -> MinitensorNative.mt_ndim(a, null));
      assertThrows(IllegalArgumentException.class, () -> MinitensorNative.mt_numel(a, new long[0]));
      assertThrows(NullPointerException.class, () -> MinitensorNative.mt_to_buffer(a, null));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> MinitensorNative.mt_to_buffer(a, new int[3]));
      assertEquals("buffer is not a float[] or double[]", e.getMessage());
      Expect.failure(Status.SHAPE_MISMATCH, () -> MinitensorNative.mt_to_buffer(a, new double[2]),
          "mt_to_buffer");
    }
  }

  @Test
  void badShapesAndSizes() {
    Expect.failure(Status.INVALID_ARGUMENT, () -> Tensor.zeros(DType.FLOAT32, 2, -1), "mt_zeros",
        "-1");
    Expect.failure(Status.OVERFLOW, () -> Tensor.zeros(DType.FLOAT32, 1L << 40, 1L << 40),
        "mt_zeros");
    Expect.failure(Status.INVALID_ARGUMENT, () -> Tensor.zeros(DType.FLOAT32, new long[17]),
        "mt_zeros", "17");
    Expect.failure(Status.INVALID_ARGUMENT, () -> new Mlp(new long[] {2}, DType.FLOAT32, null),
        "mt_mlp_create");
    Expect.failure(Status.INVALID_ARGUMENT, () -> Tensor.arange(0, 1, 0, DType.FLOAT32),
        "mt_arange");
  }

  @Test
  void wrongDtypes() {
    long[] out = new long[1];
    Expect.failure(Status.DTYPE_MISMATCH,
        () -> MinitensorNative.mt_zeros(new long[] {2}, 7, out), "mt_zeros", "7");
    assertEquals(0, out[0]); // nothing was given out
    Expect.failure(Status.DTYPE_MISMATCH,
        () -> MinitensorNative.mt_scalar(1, -1, out), "mt_scalar");
    try (Tensor doubles = Tensor.ones(DType.FLOAT64, 2);
        Tensor floats = Tensor.zeros(DType.FLOAT32, 2)) {
      Expect.failure(Status.DTYPE_MISMATCH, () -> doubles.mapInto(MapOp.EXP, floats),
          "mt_map_out", "float32", "float64");
    }
  }

  @Test
  void badDimsAndIndices() {
    try (Tensor a = Tensor.arange(0, 6, 1, DType.FLOAT64).view(2, 3)) {
      Expect.failure(Status.INDEX_OUT_OF_RANGE, () -> a.transpose(0, 2), "mt_transpose");
      Expect.failure(Status.INDEX_OUT_OF_RANGE, () -> a.size(-3), "mt_size");
      Expect.failure(Status.INDEX_OUT_OF_RANGE, () -> a.get(2, 0), "mt_get");
      Expect.failure(Status.INDEX_OUT_OF_RANGE, () -> a.get(-1, 0), "mt_get");
      Expect.failure(Status.INDEX_OUT_OF_RANGE, () -> a.get(1), "mt_get", "rank 1");
      Expect.failure(Status.INVALID_ARGUMENT, () -> a.permute(0, 0), "mt_permute");
      Expect.failure(Status.INVALID_ARGUMENT, () -> a.slice(1, 0, 3, 0), "mt_slice");
      Expect.failure(Status.SHAPE_MISMATCH, a::item, "mt_item", "(2, 3)");
    }
  }

  @Test
  void unknownNamesListTheKnownOnes() {
    Expect.failure(Status.INVALID_ARGUMENT, () -> DatasetKind.fromName("moons"),
        "mt_dataset_kind", "moons", "spiral");
    Expect.failure(Status.INVALID_ARGUMENT, () -> Minitensor.setBackend("gpu"), "mt_set_backend",
        "gpu", "cpu_par");
    Expect.failure(Status.INVALID_ARGUMENT, () -> Minitensor.setNumThreads(5000),
        "mt_set_num_threads", "5000");
  }

  /**
   * A null argument is refused with a NullPointerException naming the method and the parameter
   * (NullArgumentsTest checks every one): a null shape was read as rank 0, a null device gave
   * a NullPointerException from inside the method.
   */
  @Test
  void nullArgumentsAreNamed() {
    NullPointerException e = assertThrows(NullPointerException.class,
        () -> Tensor.zeros(DType.FLOAT32, (long[]) null));
    assertEquals("Tensor.zeros: shape is null", e.getMessage());
    e = assertThrows(NullPointerException.class,
        () -> Tensor.zeros(DType.FLOAT32, (Device) null, 2));
    assertEquals("Tensor.zeros: device is null", e.getMessage());
    try (Tensor a = Tensor.ones(DType.FLOAT32, 2)) {
      e = assertThrows(NullPointerException.class, () -> a.add((Tensor) null));
      assertEquals("Tensor.add: other is null", e.getMessage());
      e = assertThrows(NullPointerException.class,
          () -> Optimizer.sgd(Arrays.asList(a, null), 0.1, 0, 0, false));
      assertEquals("Optimizer.sgd: parameters[1] is null", e.getMessage());
    }
  }

  @Test
  void closedObjectsThrowIllegalState() {
    Tensor closed = Tensor.ones(DType.FLOAT32, 2);
    closed.close();
    IllegalStateException e = assertThrows(IllegalStateException.class, closed::sum);
    assertEquals("this Tensor is closed and cannot be used any more", e.getMessage());
    try (Tensor open = Tensor.ones(DType.FLOAT32, 2)) {
      assertThrows(IllegalStateException.class, () -> open.add(closed));
      assertThrows(IllegalStateException.class,
          () -> Optimizer.sgd(Arrays.asList(open, closed), 0.1, 0, 0, false));
    }
    Generator generator = new Generator(1);
    generator.close();
    e = assertThrows(IllegalStateException.class, () -> generator.manualSeed(2));
    assertTrue(e.getMessage().contains("Generator is closed"));
    Mlp model = new Mlp(new long[] {2, 1}, DType.FLOAT32, null);
    model.close();
    assertThrows(IllegalStateException.class, model::parameters);
    Linear layer = new Linear(2, 1, DType.FLOAT32, true, null);
    layer.close();
    assertThrows(IllegalStateException.class, layer::weight);
  }
}
