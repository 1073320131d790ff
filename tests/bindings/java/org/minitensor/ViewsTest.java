package org.minitensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.minitensor.Expect.shape;

import org.junit.jupiter.api.Test;

class ViewsTest {
  /** 0..23 as (2, 3, 4): element (i, j, k) is 12 i + 4 j + k. */
  private static Tensor cube() {
    return Tensor.arange(0, 24, 1, DType.FLOAT64).view(2, 3, 4);
  }

  @Test
  void viewHasRowMajorStrides() {
    try (Tensor c = cube()) {
      assertArrayEquals(shape(2, 3, 4), c.shape());
      assertArrayEquals(shape(12, 4, 1), c.strides());
      assertEquals(4, c.size(-1));
      assertEquals(4, c.stride(1));
      assertEquals(1 * 12 + 2 * 4 + 3, c.get(1, 2, 3));
    }
  }

  @Test
  void permuteAndTransposeMoveDims() {
    try (Tensor c = cube(); Tensor p = c.permute(2, 0, 1); Tensor t = c.transpose(0, 2)) {
      assertArrayEquals(shape(4, 2, 3), p.shape());
      assertArrayEquals(shape(1, 12, 4), p.strides());
      assertFalse(p.isContiguous());
      assertTrue(p.sharesMemory(c));
      assertArrayEquals(shape(4, 3, 2), t.shape());
      for (long i = 0; i < 2; ++i) {
        for (long j = 0; j < 3; ++j) {
          for (long k = 0; k < 4; ++k) {
            assertEquals(c.get(i, j, k), p.get(k, i, j));
            assertEquals(c.get(i, j, k), t.get(k, j, i));
          }
        }
      }
      try (Tensor contiguous = p.contiguous(); Tensor reshaped = p.reshape(24)) {
        assertTrue(contiguous.isContiguous());
        assertFalse(contiguous.sharesMemory(c));
        assertEquals(p.get(3, 1, 2), contiguous.get(3, 1, 2));
        assertFalse(reshaped.sharesMemory(c)); // a copy: no view can flatten p
        assertEquals(c.get(0, 2, 0), reshaped.get(2)); // p's (0, 0, 2) is c's (0, 2, 0)
        assertArrayEquals(contiguous.toDoubleArray(), reshaped.toDoubleArray());
      }
      Expect.failure(Status.SHAPE_MISMATCH, () -> p.view(24), "mt_view");
    }
  }

  @Test
  void expandRepeatsWithStrideZero() {
    try (Tensor column = Tensor.fromArray(new double[] {1, 2, 3}, 3, 1);
        Tensor wide = column.expand(3, 4);
        Tensor kept = column.expand(2, -1, 2)) {
      assertArrayEquals(shape(1, 0), wide.strides());
      Expect.values(wide, shape(3, 4), 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
      assertArrayEquals(shape(2, 3, 2), kept.shape());
      Expect.failure(Status.SHAPE_MISMATCH, () -> column.expand(2, 4), "mt_expand");
    }
  }

  @Test
  void narrowSliceSelect() {
    try (Tensor c = cube();
        Tensor narrow = c.narrow(1, 1, 2);
        Tensor everyOther = c.slice(2, 0, 4, 2);
        Tensor clamped = c.slice(2, -3, 100, 1);
        Tensor second = c.select(0, 1);
        Tensor lastColumn = c.select(-1, -1)) {
      assertArrayEquals(shape(2, 2, 4), narrow.shape());
      assertEquals(c.get(1, 2, 3), narrow.get(1, 1, 3));
      assertArrayEquals(shape(2, 3, 2), everyOther.shape());
      assertEquals(c.get(1, 1, 2), everyOther.get(1, 1, 1));
      assertArrayEquals(shape(2, 3, 3), clamped.shape());
      assertEquals(c.get(0, 0, 1), clamped.get(0, 0, 0));
      Expect.values(second, shape(3, 4), 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23);
      Expect.values(lastColumn, shape(2, 3), 3, 7, 11, 15, 19, 23);
      Expect.failure(Status.INDEX_OUT_OF_RANGE, () -> c.narrow(1, 2, 2), "mt_narrow");
      Expect.failure(Status.INDEX_OUT_OF_RANGE, () -> c.select(0, 2), "mt_select");
    }
  }

  @Test
  void unsqueezeAndSqueeze() {
    try (Tensor c = cube(); Tensor u = c.unsqueeze(0); Tensor back = u.squeeze(0);
        Tensor end = c.unsqueeze(-1)) {
      assertArrayEquals(shape(1, 2, 3, 4), u.shape());
      assertArrayEquals(shape(2, 3, 4), back.shape());
      assertArrayEquals(shape(2, 3, 4, 1), end.shape());
      Expect.failure(Status.SHAPE_MISMATCH, () -> c.squeeze(0), "mt_squeeze");
    }
  }

  @Test
  void viewsShareWritesAndCopiesDoNot() {
    try (Tensor c = cube();
        Tensor row = c.select(0, 1);
        Tensor copy = c.clone();
        Tensor narrow32 = c.to(DType.FLOAT32);
        Tensor same = c.contiguous()) {
      row.set(100, 0, 0);
      assertEquals(100, c.get(1, 0, 0));
      assertTrue(row.sharesMemory(c));
      assertTrue(same.sharesMemory(c));
      assertFalse(copy.sharesMemory(c));
      assertEquals(12, copy.get(1, 0, 0));
      copy.set(-1, 0, 0, 0);
      assertEquals(0, c.get(0, 0, 0));
      assertEquals(DType.FLOAT32, narrow32.dtype());
      assertEquals(12, narrow32.get(1, 0, 0));
    }
  }

  @Test
  void viewOfTheWrongSizeFails() {
    try (Tensor c = cube()) {
      Expect.failure(Status.SHAPE_MISMATCH, () -> c.view(5, 5), "mt_view", "(2, 3, 4)", "(5, 5)");
      try (Tensor inferred = c.view(-1, 6)) {
        assertArrayEquals(shape(4, 6), inferred.shape());
      }
    }
  }
}
