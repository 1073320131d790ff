package org.minitensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Tensors that are never closed are released by the Cleaner: memory stays bounded. */
class GarbageCollectionTest {
  private static final int TENSORS = 100_000;
  /** 16 KiB each: 1.6 GB for all of them if none were released. */
  private static final long ELEMENTS = 2048;
  private static final long BOUND_KIB = 800 * 1024;

  @Test
  void droppedTensorsAreReleased() throws Exception {
    long before = Expect.residentKiB();
    long peak = before;
    for (int i = 0; i < TENSORS; ++i) {
      Tensor t = Tensor.full(i, DType.FLOAT64, ELEMENTS);
      Tensor view = t.view(32, -1);
      if (i % 1000 == 0) {
        assertEquals(i, view.get(31, 63));
        peak = Math.max(peak, Expect.residentKiB());
      }
    }
    long growth = peak - before;
    assertTrue(growth < BOUND_KIB, "resident memory grew by " + growth / 1024 + " MiB for "
        + TENSORS + " dropped tensors of " + ELEMENTS * 8 / 1024 + " KiB");
  }
}
