using System;
using Minitensor;

// --distributed (the C demo's examples/c/distributed.c): the ranks of mpirun each train on their
// block of every shuffled global batch of --batch points, with the gradients averaged over the
// ranks before each step, so that every rank holds rank 0's parameters.
sealed class DataParallelTraining : IDisposable {
  readonly Communicator comm;
  readonly ShardedSampler sampler;
  readonly DataParallel ddp;
  readonly double[] points, labels;

  // Shards the classifier's points, shuffled from the seed + epoch.
  public DataParallelTraining(Classifier classifier, TrainOptions options) {
    comm = Communicator.FromEnvironment();
    sampler = new ShardedSampler(options.Points, options.Batch, comm, options.Seed);
    Tensor[] parameters = classifier.Parameters;
    try {
      ddp = new DataParallel(parameters, comm);
    } finally {
      foreach (Tensor parameter in parameters) parameter.Dispose();
    }
    points = classifier.PointValues();
    labels = classifier.Labels();
  }

  public int Rank {
    get { return comm.Rank; }
  }

  public int Size {
    get { return comm.Size; }
  }

  // Epoch `epoch` (0, 1, ...) of this rank's blocks; returns the mean loss per point of the
  // epoch's global batches: the ranks' sums, added in rank order (the same bits on every rank).
  public double TrainEpoch(Classifier classifier, long epoch) {
    sampler.SetEpoch(epoch);
    double local = 0;
    foreach (long[] indices in sampler) {
      var xy = new double[2 * indices.Length];
      var y = new double[indices.Length];
      for (int i = 0; i < indices.Length; ++i) {
        xy[2 * i] = points[2 * indices[i]];
        xy[2 * i + 1] = points[2 * indices[i] + 1];
        y[i] = labels[indices[i]];
      }
      using (Tensor batchX = Tensor.FromArray(xy, new long[] { indices.Length, 2 },
                                              classifier.DType))
      using (Tensor batchY = Tensor.FromArray(y, new long[] { indices.Length }, classifier.DType))
        local += classifier.TrainBatch(batchX, batchY, ddp) * indices.Length;
    }
    using (Tensor total = Tensor.FromArray(new[] { local })) {
      comm.AllReduce(total);
      return total.ToDoubleArray()[0] / (sampler.Steps * sampler.LocalBatch * comm.Size);
    }
  }

  public void Dispose() {
    ddp.Dispose();
    sampler.Dispose();
    comm.Dispose();
  }
}
