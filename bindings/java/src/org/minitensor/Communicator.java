package org.minitensor;

/**
 * The processes a launcher (mpirun) started, which train together: this one is rank
 * {@link #rank()} of {@link #size()}. Without a launcher it is a world of one, whose
 * collectives leave their tensors as they are. The collectives are called by every rank, in
 * the same order, on tensors of the same shape and dtype: else each rank gets a
 * MinitensorException of status COLLECTIVE_MISMATCH; after a failed collective (that, or
 * COLLECTIVE_FAILED: an engine error, a rank that did not come within the timeout) every later
 * one fails with COLLECTIVE_FAILED.
 */
public final class Communicator extends NativeObject {
  private Communicator(long handle) {
    super(handle, MinitensorNativeJNI::mt_communicator_release);
  }

  /** The launcher's world (joined on the first call), or a world of one. */
  public static Communicator fromEnvironment() {
    return new Communicator(Out.ofLong(MinitensorNative::mt_communicator_from_environment));
  }

  /** This process's rank, 0 .. size() - 1. */
  public int rank() {
    return Out.ofInt(out -> MinitensorNative.mt_communicator_rank(this, out));
  }

  /** The number of ranks. */
  public int size() {
    return Out.ofInt(out -> MinitensorNative.mt_communicator_size(this, out));
  }

  /** This rank's place among the ranks on its machine (to choose a GPU). */
  public int localRank() {
    return Out.ofInt(out -> MinitensorNative.mt_communicator_local_rank(this, out));
  }

  /** The engine: "mpi", "nccl", or "none" for a world of one. */
  public String engine() {
    String[] out = new String[1];
    MinitensorNative.mt_communicator_engine(this, out);
    return out[0];
  }

  /**
   * Seconds this communicator's collectives wait for every rank before failing
   * (MINITENSOR_DIST_TIMEOUT, 300 by default).
   */
  public double timeout() {
    return Out.ofDouble(out -> MinitensorNative.mt_communicator_timeout(this, out));
  }

  /** Sets this communicator's timeout (a positive number of seconds); returns it. */
  public Communicator setTimeout(double seconds) {
    MinitensorNative.mt_communicator_set_timeout(this, seconds);
    return this;
  }

  /**
   * Replaces `tensor` by `op` over every rank's tensor, in place, and returns it. Ordered: the
   * ranks' tensors are combined in rank order, so every rank gets the same bits and runs repeat;
   * otherwise the engine's own all-reduce (its order, so its rounding, is the engine's).
   */
  public Tensor allReduce(Tensor tensor, ReduceOp op, boolean ordered) {
    Args.notNull(tensor, "Communicator.allReduce", "tensor");
    Args.notNull(op, "Communicator.allReduce", "op");
    MinitensorNative.mt_all_reduce(this, tensor, op.code,
        ordered ? MinitensorNative.MT_ALL_REDUCE_ORDERED : MinitensorNative.MT_ALL_REDUCE_ENGINE);
    return tensor;
  }

  /** The ordered sum over every rank's tensor, in place. */
  public Tensor allReduce(Tensor tensor) {
    return allReduce(tensor, ReduceOp.SUM, true);
  }

  /** Replaces `tensor` by rank `root`'s, in place, and returns it. */
  public Tensor broadcast(Tensor tensor, int root) {
    Args.notNull(tensor, "Communicator.broadcast", "tensor");
    MinitensorNative.mt_broadcast(this, tensor, root);
    return tensor;
  }

  /** A new tensor of shape (size(), tensor's shape...) whose row r is rank r's tensor. */
  public Tensor allGather(Tensor tensor) {
    Args.notNull(tensor, "Communicator.allGather", "tensor");
    return Tensor.adopt(out -> MinitensorNative.mt_all_gather(this, tensor, out));
  }

  /** Returns once every rank has entered it. */
  public void barrier() {
    MinitensorNative.mt_barrier(this);
  }
}
