using System;
using System.Collections;
using System.Collections.Generic;

namespace Minitensor {

/// <summary>This rank's share of a data set: every epoch, a permutation of 0 .. datasetSize - 1
/// drawn from seed + epoch alone (the same on every rank) is cut into Steps global batches of
/// globalBatch indices (the remainder is left out), and each global batch into one contiguous
/// block of LocalBatch indices per rank, in rank order. Enumerating gives this rank's block of
/// each step of the current epoch.</summary>
public sealed class ShardedSampler : IDisposable, IEnumerable<long[]> {
  readonly SamplerHandle handle;

  /// <summary>For `comm`'s rank; globalBatch must be a multiple of the world size and at most
  /// datasetSize. It starts at epoch 0.</summary>
  public ShardedSampler(long datasetSize, long globalBatch, Communicator comm, ulong seed = 0) {
    Args.NotNull(comm, "ShardedSampler", "comm");
    minitensor_native.mt_sampler_create(datasetSize, globalBatch, comm.Size, comm.Rank, seed,
                                        out handle);
  }

  internal static SamplerHandle HandleOf(ShardedSampler sampler) {
    if (sampler == null) return SamplerHandle.Null;
    return NativeHandle.Live(sampler.handle, sampler);
  }

  /// <summary>The global batches of an epoch.</summary>
  public long Steps {
    get {
      minitensor_native.mt_sampler_steps(this, out long steps);
      return steps;
    }
  }

  /// <summary>This rank's share of each global batch.</summary>
  public long LocalBatch {
    get {
      minitensor_native.mt_sampler_local_batch(this, out long localBatch);
      return localBatch;
    }
  }

  /// <summary>Draws the permutation of `epoch` (>= 0).</summary>
  public void SetEpoch(long epoch) {
    minitensor_native.mt_sampler_set_epoch(this, epoch);
  }

  /// <summary>This rank's indices of step `step` (0 .. Steps - 1).</summary>
  public long[] Indices(long step) {
    var indices = new long[LocalBatch];
    minitensor_native.mt_sampler_indices(this, step, indices);
    return indices;
  }

  /// <summary>This rank's block of each step of the current epoch, in order.</summary>
  public IEnumerator<long[]> GetEnumerator() {
    return Blocks(Steps);  // now, so that a disposed sampler throws here
  }

  IEnumerator IEnumerable.GetEnumerator() {
    return GetEnumerator();
  }

  IEnumerator<long[]> Blocks(long steps) {
    for (long step = 0; step < steps; ++step) yield return Indices(step);
  }

  public void Dispose() {
    handle.Dispose();
  }
}

}
