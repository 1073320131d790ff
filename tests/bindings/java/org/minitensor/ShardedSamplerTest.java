package org.minitensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/**
 * ShardedSampler in a world of one (no launcher: tests run without mpirun): iterating gives the
 * library's indices of every step in order, the epoch's remainder is left out, and the order
 * is drawn from seed + epoch. Over several ranks: DistributedRanks.java and the C tests.
 */
class ShardedSamplerTest {
  private static final long DATASET = 50;
  private static final long GLOBAL_BATCH = 12; // 4 steps, 2 samples left out

  /** The blocks that iterating gives, one per step. */
  private static List<long[]> blocks(ShardedSampler sampler) {
    List<long[]> blocks = new ArrayList<>();
    sampler.forEach(blocks::add);
    return blocks;
  }

  private static List<long[]> epoch(long seed, long epoch) {
    try (Communicator comm = Communicator.fromEnvironment();
        ShardedSampler sampler = new ShardedSampler(DATASET, GLOBAL_BATCH, comm, seed)) {
      sampler.setEpoch(epoch);
      return blocks(sampler);
    }
  }

  private static boolean sameBlocks(List<long[]> a, List<long[]> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); ++i) {
      if (!Arrays.equals(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Test
  void iterationIsTheIndicesOfEveryStep() {
    try (Communicator comm = Communicator.fromEnvironment();
        ShardedSampler sampler = new ShardedSampler(DATASET, GLOBAL_BATCH, comm, 7)) {
      assertEquals(DATASET / GLOBAL_BATCH, sampler.steps());
      assertEquals(GLOBAL_BATCH, sampler.localBatch()); // the whole batch: one rank
      List<long[]> blocks = blocks(sampler);
      assertEquals(sampler.steps(), blocks.size());
      boolean[] seen = new boolean[(int) DATASET];
      for (int step = 0; step < blocks.size(); ++step) {
        assertArrayEquals(sampler.indices(step), blocks.get(step), "step " + step);
        for (long index : blocks.get(step)) {
          assertTrue(index >= 0 && index < DATASET, "index " + index);
          assertFalse(seen[(int) index], "index " + index + " twice in an epoch");
          seen[(int) index] = true;
        }
      }
      Iterator<long[]> past = sampler.iterator();
      blocks.forEach(block -> past.next());
      assertFalse(past.hasNext());
      assertThrows(NoSuchElementException.class, past::next);
    }
  }

  @Test
  void theEpochDrawsTheOrder() {
    List<long[]> first = epoch(7, 3);
    assertTrue(sameBlocks(first, epoch(7, 3)), "the same seed and epoch, the same order");
    assertFalse(sameBlocks(first, epoch(7, 4)), "another epoch, another order");
    assertTrue(sameBlocks(first, epoch(8, 2)), "seed + epoch: seed 8 epoch 2 is seed 7 epoch 3");
    try (Communicator comm = Communicator.fromEnvironment();
        ShardedSampler sampler = new ShardedSampler(DATASET, GLOBAL_BATCH, comm, 7)) {
      sampler.setEpoch(4);
      sampler.setEpoch(3);
      assertTrue(sameBlocks(first, blocks(sampler)), "back to epoch 3");
      MinitensorException e = assertThrows(MinitensorException.class, () -> sampler.setEpoch(-1));
      assertEquals(Status.INVALID_ARGUMENT, e.getStatus());
      assertTrue(e.getMessage().contains("epoch -1 is negative"), e.getMessage());
      e = assertThrows(MinitensorException.class, () -> sampler.indices(4));
      assertTrue(e.getMessage().contains("step 4 is not one of"), e.getMessage());
    }
  }
}
