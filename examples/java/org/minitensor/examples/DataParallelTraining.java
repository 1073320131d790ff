package org.minitensor.examples;

import java.util.List;
import org.minitensor.Communicator;
import org.minitensor.DataParallel;
import org.minitensor.ReduceOp;
import org.minitensor.ShardedSampler;
import org.minitensor.Tensor;

/**
 * --distributed (the C demo's examples/c/distributed.c): the ranks of mpirun each train on
 * their block of every shuffled global batch of --batch points, with the gradients averaged
 * over the ranks before each step, so that every rank holds rank 0's parameters.
 */
final class DataParallelTraining implements AutoCloseable {
  private final Communicator comm;
  private final ShardedSampler sampler;
  private final DataParallel ddp;
  private final double[] points;
  private final double[] labels;

  /** Shards the classifier's points, shuffled from `seed` + epoch. */
  DataParallelTraining(Classifier model, long points, long globalBatch, long seed) {
    comm = Communicator.fromEnvironment();
    sampler = new ShardedSampler(points, globalBatch, comm, seed);
    List<Tensor> parameters = model.parameters();
    try {
      ddp = new DataParallel(parameters, comm);
    } finally {
      parameters.forEach(Tensor::close);
    }
    this.points = model.points();
    this.labels = model.labels();
  }

  int rank() {
    return comm.rank();
  }

  int size() {
    return comm.size();
  }

  /**
   * Epoch `epoch` (0, 1, ...) of this rank's blocks; the mean loss per point of the epoch's
   * global batches: the ranks' sums, added in rank order (the same bits on every rank).
   */
  double trainEpoch(Classifier model, long epoch) {
    sampler.setEpoch(epoch);
    double local = 0;
    for (long[] indices : sampler) {
      double[] xy = new double[2 * indices.length];
      double[] y = new double[indices.length];
      for (int i = 0; i < indices.length; ++i) {
        xy[2 * i] = points[(int) (2 * indices[i])];
        xy[2 * i + 1] = points[(int) (2 * indices[i] + 1)];
        y[i] = labels[(int) indices[i]];
      }
      try (Tensor batchX = Tensor.fromArray(xy, model.dtype(), indices.length, 2);
          Tensor batchY = Tensor.fromArray(y, model.dtype(), indices.length)) {
        local += model.trainBatch(batchX, batchY, ddp) * (double) indices.length;
      }
    }
    try (Tensor total = Tensor.fromArray(new double[] {local})) {
      comm.allReduce(total, ReduceOp.SUM, true);
      return total.toDoubleArray()[0]
          / (double) (sampler.steps() * sampler.localBatch() * comm.size());
    }
  }

  @Override
  public void close() {
    ddp.close();
    sampler.close();
    comm.close();
  }
}
