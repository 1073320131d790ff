using System;

namespace Minitensor {

/// <summary>The processes a launcher (mpirun) started, which train together: this one is rank
/// Rank of Size. Without a launcher it is a world of one, whose collectives leave their tensors
/// as they are. Every rank calls the collectives in the same order, on tensors of the same
/// shape and dtype: else each rank gets a MinitensorException of Status.CollectiveMismatch;
/// after a failed collective (that, or CollectiveFailed: an engine error, a rank that did not
/// come within the timeout) every later one fails with CollectiveFailed.</summary>
public sealed class Communicator : IDisposable {
  readonly CommunicatorHandle handle;

  Communicator(CommunicatorHandle handle) {
    this.handle = handle;
  }

  internal static CommunicatorHandle HandleOf(Communicator communicator) {
    if (communicator == null) return CommunicatorHandle.Null;
    return NativeHandle.Live(communicator.handle, communicator);
  }

  /// <summary>The launcher's world (joined on the first call), or a world of one.</summary>
  public static Communicator FromEnvironment() {
    minitensor_native.mt_communicator_from_environment(out CommunicatorHandle handle);
    return new Communicator(handle);
  }

  /// <summary>This process's rank, 0 .. Size - 1.</summary>
  public int Rank {
    get {
      minitensor_native.mt_communicator_rank(this, out int rank);
      return rank;
    }
  }

  /// <summary>The number of ranks.</summary>
  public int Size {
    get {
      minitensor_native.mt_communicator_size(this, out int size);
      return size;
    }
  }

  /// <summary>This rank's place among the ranks on its machine (to choose a GPU).</summary>
  public int LocalRank {
    get {
      minitensor_native.mt_communicator_local_rank(this, out int localRank);
      return localRank;
    }
  }

  /// <summary>The engine: "mpi", "nccl", or "none" for a world of one.</summary>
  public string Engine {
    get {
      minitensor_native.mt_communicator_engine(this, out string engine);
      return engine;
    }
  }

  /// <summary>Seconds this communicator's collectives wait for every rank before failing
  /// (MINITENSOR_DIST_TIMEOUT, 300 by default); settable, for this communicator only.</summary>
  public double Timeout {
    get {
      minitensor_native.mt_communicator_timeout(this, out double seconds);
      return seconds;
    }
    set { minitensor_native.mt_communicator_set_timeout(this, value); }
  }

  /// <summary>Replaces `tensor` by `op` over every rank's tensor, in place, and returns it.
  /// Ordered: the ranks' tensors are combined in rank order, so every rank gets the same bits
  /// and runs repeat; otherwise the engine's own all-reduce (its order, so its rounding, is the
  /// engine's).</summary>
  public Tensor AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum, bool ordered = true) {
    Args.NotNull(tensor, "Communicator.AllReduce", "tensor");
    minitensor_native.mt_all_reduce(this, tensor, (int)op,
                                    ordered ? minitensor_native.MT_ALL_REDUCE_ORDERED
                                            : minitensor_native.MT_ALL_REDUCE_ENGINE);
    return tensor;
  }

  /// <summary>Replaces `tensor` by rank `root`'s, in place, and returns it.</summary>
  public Tensor Broadcast(Tensor tensor, int root = 0) {
    Args.NotNull(tensor, "Communicator.Broadcast", "tensor");
    minitensor_native.mt_broadcast(this, tensor, root);
    return tensor;
  }

  /// <summary>A new tensor of shape (Size, tensor's shape...) whose row r is rank r's tensor.
  /// </summary>
  public Tensor AllGather(Tensor tensor) {
    Args.NotNull(tensor, "Communicator.AllGather", "tensor");
    minitensor_native.mt_all_gather(this, tensor, out TensorHandle result);
    return new Tensor(result);
  }

  /// <summary>Returns once every rank has entered it.</summary>
  public void Barrier() {
    minitensor_native.mt_barrier(this);
  }

  public void Dispose() {
    handle.Dispose();
  }
}

}
