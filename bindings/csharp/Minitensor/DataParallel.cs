using System;

namespace Minitensor {

/// <summary>Whether DataParallel reduces buckets during backward: On reduces each bucket on a
/// communication thread as soon as its gradients are final (Off: in ReduceGradients); the
/// gradients have the same bits either way. Auto (the default): on for NCCL, and on CPU with
/// several ranks where the affinity mask leaves a CPU beyond minitensor's threads.</summary>
public enum OverlapMode {
  Auto = minitensor_native.MT_OVERLAP_AUTO,
  Off = minitensor_native.MT_OVERLAP_OFF,
  On = minitensor_native.MT_OVERLAP_ON
}

/// <summary>Data-parallel training over a model's parameters: train each rank on its block of
/// the global batch (ShardedSampler) and call ReduceGradients between Backward and the
/// optimizer's Step. Creation is a collective: every rank passes parameters of the same shapes
/// and dtypes, which then take rank 0's values. The reduced gradients have the bits of one
/// process that runs backward on the ranks' blocks in rank order and divides the gradients by
/// their number.</summary>
public sealed class DataParallel : IDisposable {
  readonly DataParallelHandle handle;

  /// <summary>Buckets of at most bucketBytes (0: 2 MiB, 25 MiB with NCCL), filled in reverse
  /// parameter order.</summary>
  public DataParallel(Tensor[] parameters, Communicator comm, long bucketBytes = 0) {
    Args.NotNull(comm, "DataParallel", "comm");
    minitensor_native.mt_data_parallel_create(
        comm, Args.NoNulls(parameters, "DataParallel", "parameters"), bucketBytes, out handle);
  }

  internal static DataParallelHandle HandleOf(DataParallel ddp) {
    if (ddp == null) return DataParallelHandle.Null;
    return NativeHandle.Live(ddp.handle, ddp);
  }

  /// <summary>Replaces every parameter's gradient by the average over the ranks (a collective).
  /// </summary>
  public void ReduceGradients() {
    minitensor_native.mt_data_parallel_reduce_gradients(this);
  }

  /// <summary>Until the result is disposed, ReduceGradients does nothing and backward keeps
  /// accumulating into the local gradients (dispose it before the last backward's reduction):
  /// <c>using (ddp.NoSync()) { ... }</c>.</summary>
  public IDisposable NoSync() {
    minitensor_native.mt_data_parallel_set_no_sync(this, 1);
    return new SyncAgain(this);
  }

  /// <summary>Sets the overlap mode (from the next backward; Auto is decided now).</summary>
  public void SetOverlap(OverlapMode mode) {
    minitensor_native.mt_data_parallel_set_overlap(this, (int)mode);
  }

  /// <summary>Whether buckets are reduced during backward (Auto decided).</summary>
  public bool Overlap {
    get {
      minitensor_native.mt_data_parallel_overlap(this, out int on);
      return on != 0;
    }
  }

  /// <summary>The number of gradient buckets.</summary>
  public long BucketCount {
    get {
      minitensor_native.mt_data_parallel_bucket_count(this, out long count);
      return count;
    }
  }

  public void Dispose() {
    handle.Dispose();
  }

  sealed class SyncAgain : IDisposable {
    readonly DataParallel ddp;

    public SyncAgain(DataParallel ddp) {
      this.ddp = ddp;
    }

    public void Dispose() {
      minitensor_native.mt_data_parallel_set_no_sync(ddp, 0);
    }
  }
}

}
