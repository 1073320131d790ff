package org.minitensor;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * This rank's share of a data set: every epoch, a permutation of 0 .. datasetSize - 1 drawn
 * from seed + epoch alone (the same on every rank) is cut into {@link #steps()} global batches
 * of globalBatch indices (the remainder is left out), and each global batch into one contiguous
 * block of {@link #localBatch()} indices per rank, in rank order. Iterating gives this rank's
 * block of each step of the current epoch.
 */
public final class ShardedSampler extends NativeObject implements Iterable<long[]> {
  /**
   * For `comm`'s rank; globalBatch must be a multiple of the world size and at most
   * datasetSize. It starts at epoch 0.
   */
  public ShardedSampler(long datasetSize, long globalBatch, Communicator comm, long seed) {
    super(Out.ofLong(out -> MinitensorNative.mt_sampler_create(datasetSize, globalBatch,
              Args.notNull(comm, "ShardedSampler", "comm").size(), comm.rank(), seed, out)),
        MinitensorNativeJNI::mt_sampler_release);
  }

  /** The global batches of an epoch. */
  public long steps() {
    return Out.ofLong(out -> MinitensorNative.mt_sampler_steps(this, out));
  }

  /** This rank's share of each global batch. */
  public long localBatch() {
    return Out.ofLong(out -> MinitensorNative.mt_sampler_local_batch(this, out));
  }

  /** Draws the permutation of `epoch` (>= 0). */
  public void setEpoch(long epoch) {
    MinitensorNative.mt_sampler_set_epoch(this, epoch);
  }

  /** This rank's indices of step `step` (0 .. steps() - 1). */
  public long[] indices(long step) {
    long[] out = new long[Math.toIntExact(localBatch())];
    MinitensorNative.mt_sampler_indices(this, step, out);
    return out;
  }

  /** This rank's block of each step of the current epoch, in order. */
  @Override
  public Iterator<long[]> iterator() {
    long steps = steps();
    return new Iterator<long[]>() {
      private long step;

      @Override
      public boolean hasNext() {
        return step < steps;
      }

      @Override
      public long[] next() {
        if (!hasNext()) {
          throw new NoSuchElementException("ShardedSampler: past the epoch's last step");
        }
        return indices(step++);
      }
    };
  }
}
