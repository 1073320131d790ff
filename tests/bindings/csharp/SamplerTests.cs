// ShardedSampler in a world of one (no launcher: the tests run without mpirun): enumerating
// gives the library's indices of every step in order, the epoch's remainder is left out, and
// the order is drawn from seed + epoch. Over several ranks: DistributedRanks.cs and the C tests.
using System;
using System.Collections.Generic;
using System.Linq;
using Minitensor;

static class SamplerTests {
  const long Dataset = 50;
  const long GlobalBatch = 12;  // 4 steps, 2 samples left out

  static long[][] Epoch(ulong seed, long epoch) {
    using (Communicator comm = Communicator.FromEnvironment())
    using (var sampler = new ShardedSampler(Dataset, GlobalBatch, comm, seed)) {
      sampler.SetEpoch(epoch);
      return sampler.ToArray();
    }
  }

  static bool SameBlocks(long[][] a, long[][] b) {
    return a.Length == b.Length && a.Zip(b, (x, y) => x.SequenceEqual(y)).All(same => same);
  }

  [Test]
  public static void EnumerationIsTheIndicesOfEveryStep() {
    using (Communicator comm = Communicator.FromEnvironment())
    using (var sampler = new ShardedSampler(Dataset, GlobalBatch, comm, 7)) {
      Check.Equal(Dataset / GlobalBatch, sampler.Steps, "steps");
      Check.Equal(GlobalBatch, sampler.LocalBatch, "local batch (one rank: the whole batch)");
      Check.Equal((int)sampler.Steps, sampler.Count(), "blocks");
      var seen = new HashSet<long>();
      int step = 0;
      foreach (long[] block in sampler) {
        Check.Equal(sampler.Indices(step), block, "step " + step);
        foreach (long index in block) {
          Check.True(index >= 0 && index < Dataset, "index " + index + " in the data set");
          Check.True(seen.Add(index), "index " + index + " once in an epoch");
        }
        ++step;
      }
    }
  }

  [Test]
  public static void TheEpochDrawsTheOrder() {
    long[][] first = Epoch(7, 3);
    Check.True(SameBlocks(first, Epoch(7, 3)), "the same seed and epoch, the same order");
    Check.True(!SameBlocks(first, Epoch(7, 4)), "another epoch, another order");
    Check.True(SameBlocks(first, Epoch(8, 2)), "seed + epoch: seed 8 epoch 2 is seed 7 epoch 3");
    using (Communicator comm = Communicator.FromEnvironment())
    using (var sampler = new ShardedSampler(Dataset, GlobalBatch, comm, 7)) {
      sampler.SetEpoch(4);
      sampler.SetEpoch(3);
      Check.True(SameBlocks(first, sampler.ToArray()), "back to epoch 3");
      Check.Fails(Status.InvalidArgument, () => sampler.SetEpoch(-1), "epoch -1 is negative");
      Check.Fails(Status.InvalidArgument, () => sampler.Indices(4), "step 4 is not one of");
    }
  }
}
