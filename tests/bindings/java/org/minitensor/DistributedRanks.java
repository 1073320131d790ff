package org.minitensor;

import java.util.Arrays;
import java.util.List;

/**
 * org.minitensor's Communicator, ShardedSampler and DataParallel under a launcher:
 * mpirun -np N java ... org.minitensor.DistributedRanks N (ctest BindingsJavaDistributed; a
 * program, not a JUnit test: it needs the ranks). The collectives give the expected values on
 * every rank; G1: every rank starts from another random MLP, DataParallel gives them rank 0's
 * parameters, and after two epochs of the sharded sampler and SGD every rank's parameters are
 * the same bits (checked by gathering them). Last, ranks that call different collectives get
 * COLLECTIVE_MISMATCH, and then the communicator refuses with COLLECTIVE_FAILED.
 */
final class DistributedRanks {
  private static final int POINTS = 48;
  private static final int GLOBAL_BATCH = 8;

  private DistributedRanks() {}

  private static void check(boolean condition, String what) {
    if (!condition) {
      throw new AssertionError(what);
    }
  }

  private static void collectives(Communicator comm, int n) {
    try (Tensor t = Tensor.fromArray(new double[] {comm.rank() + 1, comm.rank() + 1})) {
      check(comm.allReduce(t) == t, "allReduce returns its tensor");
      check(Arrays.equals(t.toDoubleArray(), new double[] {n * (n + 1) / 2, n * (n + 1) / 2}),
          "ordered sum");
    }
    try (Tensor t = Tensor.fromArray(new double[] {comm.rank()})) {
      comm.allReduce(t, ReduceOp.MAX, false);
      check(t.toDoubleArray()[0] == n - 1, "engine max");
    }
    try (Tensor b = Tensor.fromArray(new double[] {comm.rank(), 7})) {
      comm.broadcast(b, n - 1);
      check(Arrays.equals(b.toDoubleArray(), new double[] {n - 1, 7}), "broadcast");
    }
    try (Tensor t = Tensor.fromArray(new double[] {comm.rank()}, 1, 1);
         Tensor g = comm.allGather(t)) {
      check(Arrays.equals(g.shape(), new long[] {n, 1, 1}), "all-gather's shape");
      for (int r = 0; r < n; ++r) {
        check(g.toDoubleArray()[r] == r, "all-gather's row " + r);
      }
    }
    comm.barrier();
  }

  /** Whether every rank holds the same bits in every parameter. */
  private static boolean sameOnEveryRank(Communicator comm, List<Tensor> params) {
    for (Tensor p : params) {
      try (Tensor gathered = comm.allGather(p)) {
        float[] rows = gathered.toFloatArray();
        int size = rows.length / comm.size();
        for (int r = 1; r < comm.size(); ++r) {
          if (!Arrays.equals(rows, 0, size, rows, r * size, (r + 1) * size)) {
            return false;
          }
        }
      }
    }
    return true;
  }

  /** The rows `indices` of `values`, a (POINTS, columns) row-major array. */
  private static Tensor rows(float[] values, int columns, long[] indices) {
    float[] picked = new float[indices.length * columns];
    for (int i = 0; i < indices.length; ++i) {
      System.arraycopy(values, (int) indices[i] * columns, picked, i * columns, columns);
    }
    return Tensor.fromArray(picked, indices.length, columns);
  }

  private static void g1(Communicator comm) {
    float[] x;
    float[] y;
    try (Generator gx = new Generator(1); Generator gy = new Generator(2);
         Tensor tx = Tensor.randn(new long[] {POINTS, 2}, DType.FLOAT32, 0, 1, gx, Device.CPU);
         Tensor ty = Tensor.randn(new long[] {POINTS, 1}, DType.FLOAT32, 0, 1, gy, Device.CPU)) {
      x = tx.toFloatArray();
      y = ty.toFloatArray();
    }
    try (Generator init = new Generator(10 + comm.rank());
         Mlp model = new Mlp(new long[] {2, 8, 1}, DType.FLOAT32, init)) {
      List<Tensor> params = model.parameters();
      check(!sameOnEveryRank(comm, params), "the inits should differ");
      try (DataParallel ddp = new DataParallel(params, comm, 64);
           ShardedSampler sampler = new ShardedSampler(POINTS, GLOBAL_BATCH, comm, 5);
           Optimizer sgd = Optimizer.sgd(params, 0.1, 0, 0, false)) {
        check(ddp.bucketCount() > 1, "several buckets");
        ddp.setOverlap(DataParallel.Overlap.ON); // G1 below holds with the communication thread
        check(ddp.overlap(), "overlap on");
        check(sameOnEveryRank(comm, params), "rank 0's parameters everywhere");
        check(sampler.steps() == POINTS / GLOBAL_BATCH, "steps");
        for (int epoch = 0; epoch < 2; ++epoch) {
          sampler.setEpoch(epoch);
          for (long[] indices : sampler) {
            sgd.zeroGrad();
            try (Tensor xb = rows(x, 2, indices); Tensor yb = rows(y, 1, indices);
                 Tensor out = model.forward(xb);
                 Tensor loss = Loss.mseLoss(out, yb, Reduction.MEAN)) {
              loss.backward();
            }
            ddp.reduceGradients();
            sgd.step();
          }
        }
        check(sameOnEveryRank(comm, params), "G1: the ranks' parameters differ");
      }
      params.forEach(Tensor::close);
    }
  }

  private static void mismatch(Communicator comm) {
    try (Tensor t = Tensor.zeros(DType.FLOAT32, comm.rank() == 1 ? 2 : 3)) {
      comm.allReduce(t);
      throw new AssertionError("a mismatched allReduce did not throw");
    } catch (MinitensorException e) {
      check(e.getStatus() == Status.COLLECTIVE_MISMATCH && e.getMessage().contains("rank 1"),
          "mismatch: " + e.getMessage());
    }
    try {
      comm.barrier();
      throw new AssertionError("a broken communicator did not refuse a barrier");
    } catch (MinitensorException e) {
      check(e.getStatus() == Status.COLLECTIVE_FAILED, "broken: " + e.getMessage());
    }
  }

  public static void main(String[] args) {
    int n = Integer.parseInt(args[0]);
    try (Communicator comm = Communicator.fromEnvironment()) {
      check(comm.size() == n && comm.engine().equals("mpi") && comm.rank() < n, "the world");
      check(comm.timeout() == 300 && comm.setTimeout(120).timeout() == 120, "the timeout");
      collectives(comm, n);
      g1(comm);
      mismatch(comm);
      System.out.printf("rank %d of %d: ok%n", comm.rank(), n);
    }
  }
}
