// DistributedRanks.exe: Minitensor's Communicator, ShardedSampler and DataParallel under a
// launcher, mpirun -np N mono DistributedRanks.exe N (ctest BindingsCSharpDistributed). The
// collectives give the expected values on every rank; G1: every rank starts from another random
// MLP, DataParallel gives them rank 0's parameters, and after two epochs of the sharded sampler
// and SGD every rank's parameters are the same bits (checked by gathering them). Last, ranks
// that call different collectives get Status.CollectiveMismatch, and then the communicator
// refuses with Status.CollectiveFailed.
using System;
using System.Linq;
using Minitensor;

static class DistributedRanks {
  const int Points = 48, GlobalBatch = 8;

  static void Collectives(Communicator comm, int n) {
    using (Tensor t = Tensor.FromArray(new double[] { comm.Rank + 1, comm.Rank + 1 })) {
      Check.True(comm.AllReduce(t) == t, "AllReduce returns its tensor");
      Check.Close(new double[] { n * (n + 1) / 2, n * (n + 1) / 2 }, t.ToDoubleArray(), 0,
                  "ordered sum");
    }
    using (Tensor t = Tensor.FromArray(new double[] { comm.Rank })) {
      comm.AllReduce(t, ReduceOp.Max, ordered: false);
      Check.Close(n - 1, t.ToDoubleArray()[0], 0, "engine max");
    }
    using (Tensor b = Tensor.FromArray(new double[] { comm.Rank, 7 })) {
      comm.Broadcast(b, n - 1);
      Check.Close(new double[] { n - 1, 7 }, b.ToDoubleArray(), 0, "broadcast");
    }
    using (Tensor t = Tensor.FromArray(new double[] { comm.Rank }, 1, 1))
    using (Tensor g = comm.AllGather(t)) {
      Check.Equal(new long[] { n, 1, 1 }, g.Shape, "all-gather's shape");
      Check.Close(Enumerable.Range(0, n).Select(r => (double)r).ToArray(), g.ToDoubleArray(), 0,
                  "all-gather's rows");
    }
    comm.Barrier();
  }

  // Whether every rank holds the same bits in every parameter.
  static bool SameOnEveryRank(Communicator comm, Tensor[] parameters) {
    foreach (Tensor p in parameters) {
      using (Tensor gathered = comm.AllGather(p)) {
        float[] rows = gathered.ToFloatArray();
        int size = rows.Length / comm.Size;
        for (int r = 1; r < comm.Size; ++r) {
          if (!rows.Skip(r * size).Take(size).SequenceEqual(rows.Take(size))) return false;
        }
      }
    }
    return true;
  }

  // The rows `indices` of `values`, a (Points, columns) row-major array.
  static Tensor Rows(float[] values, int columns, long[] indices) {
    var picked = new float[indices.Length * columns];
    for (int i = 0; i < indices.Length; ++i)
      Array.Copy(values, indices[i] * columns, picked, i * columns, columns);
    return Tensor.FromArray(picked, indices.Length, columns);
  }

  static void G1(Communicator comm) {
    float[] x, y;
    using (var gx = new Generator(1))
    using (var gy = new Generator(2))
    using (Tensor tx = Tensor.Randn(new long[] { Points, 2 }, generator: gx))
    using (Tensor ty = Tensor.Randn(new long[] { Points, 1 }, generator: gy)) {
      x = tx.ToFloatArray();
      y = ty.ToFloatArray();
    }
    using (var init = new Generator(10 + (ulong)comm.Rank))
    using (var model = new Mlp(new long[] { 2, 8, 1 }, DType.Float32, init)) {
      Tensor[] parameters = model.Parameters;
      Check.True(!SameOnEveryRank(comm, parameters), "the inits should differ");
      using (var ddp = new DataParallel(parameters, comm, 64))
      using (var sampler = new ShardedSampler(Points, GlobalBatch, comm, 5))
      using (var sgd = new Sgd(parameters, 0.1)) {
        Check.True(ddp.BucketCount > 1, "several buckets");
        ddp.SetOverlap(OverlapMode.On); // G1 below holds with the communication thread
        Check.True(ddp.Overlap, "overlap on");
        Check.True(SameOnEveryRank(comm, parameters), "rank 0's parameters everywhere");
        Check.Equal((long)(Points / GlobalBatch), sampler.Steps, "steps");
        for (int epoch = 0; epoch < 2; ++epoch) {
          sampler.SetEpoch(epoch);
          foreach (long[] indices in sampler) {
            sgd.ZeroGrad();
            using (Tensor xb = Rows(x, 2, indices))
            using (Tensor yb = Rows(y, 1, indices))
            using (Tensor output = model.Forward(xb))
            using (Tensor loss = Loss.MseLoss(output, yb))
              loss.Backward();
            ddp.ReduceGradients();
            sgd.Step();
          }
        }
        Check.True(SameOnEveryRank(comm, parameters), "G1: the ranks' parameters differ");
      }
      foreach (Tensor p in parameters) p.Dispose();
    }
  }

  static void Mismatch(Communicator comm) {
    using (Tensor t = Tensor.Zeros(comm.Rank == 1 ? 2 : 3)) {
      Check.Fails(Status.CollectiveMismatch, () => comm.AllReduce(t), "rank 1");
    }
    Check.Fails(Status.CollectiveFailed, () => comm.Barrier());
  }

  static int Main(string[] args) {
    int n = int.Parse(args[0]);
    using (Communicator comm = Communicator.FromEnvironment()) {
      Check.True(comm.Size == n && comm.Engine == "mpi" && comm.Rank < n, "the world");
      Check.True(comm.Timeout == 300, "the default timeout");
      comm.Timeout = 120;
      Check.True(comm.Timeout == 120, "a timeout set");
      Collectives(comm, n);
      G1(comm);
      Mismatch(comm);
      Console.WriteLine("rank {0} of {1}: ok", comm.Rank, n);
    }
    return 0;
  }
}
