package org.minitensor;

import java.util.List;

/**
 * Data-parallel training over a model's parameters: train each rank on its block of the global
 * batch (ShardedSampler) and call {@link #reduceGradients()} between backward and the optimizer
 * step. Creation is a collective: every rank passes parameters of the same shapes and dtypes,
 * which then take rank 0's values. The reduced gradients have the bits of one process that
 * runs backward on the ranks' blocks in rank order and divides the gradients by their number.
 */
public final class DataParallel extends NativeObject {
  /**
   * Buckets of at most bucketBytes (0: 2 MiB, 25 MiB with NCCL), filled in reverse parameter
   * order.
   */
  public DataParallel(List<Tensor> parameters, Communicator comm, long bucketBytes) {
    super(Out.ofLong(out -> MinitensorNative.mt_data_parallel_create(
              Args.notNull(comm, "DataParallel", "comm"),
              Args.noNulls(parameters, "DataParallel", "parameters").toArray(new Tensor[0]),
              bucketBytes, out)),
        MinitensorNativeJNI::mt_data_parallel_release);
  }

  /** With buckets of the default size (2 MiB, 25 MiB with NCCL). */
  public DataParallel(List<Tensor> parameters, Communicator comm) {
    this(parameters, comm, 0);
  }

  /** Replaces every parameter's gradient by the average over the ranks (a collective). */
  public void reduceGradients() {
    MinitensorNative.mt_data_parallel_reduce_gradients(this);
  }

  /**
   * Until the returned object is closed, reduceGradients() does nothing and backward keeps
   * accumulating into the local gradients (close it before the last backward's reduction):
   * {@code try (var skip = ddp.noSync()) { ... }}.
   */
  public NoSync noSync() {
    MinitensorNative.mt_data_parallel_set_no_sync(this, 1);
    return () -> MinitensorNative.mt_data_parallel_set_no_sync(this, 0);
  }

  /** The scope of {@link #noSync()}: closing it reduces again. */
  public interface NoSync extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Whether buckets are reduced during backward: ON reduces each bucket on a communication
   * thread as soon as its gradients are final (OFF: in reduceGradients); the gradients have the
   * same bits either way. AUTO (the default): on for NCCL, and on CPU with several ranks where
   * the affinity mask leaves a CPU beyond minitensor's threads.
   */
  public enum Overlap {
    AUTO(MinitensorNative.MT_OVERLAP_AUTO),
    OFF(MinitensorNative.MT_OVERLAP_OFF),
    ON(MinitensorNative.MT_OVERLAP_ON);

    final int code;

    Overlap(int code) {
      this.code = code;
    }
  }

  /** Sets the overlap mode (from the next backward; AUTO is decided now). */
  public void setOverlap(Overlap mode) {
    Args.notNull(mode, "DataParallel.setOverlap", "mode");
    MinitensorNative.mt_data_parallel_set_overlap(this, mode.code);
  }

  /** Whether buckets are reduced during backward (AUTO decided). */
  public boolean overlap() {
    return Out.ofFlag(out -> MinitensorNative.mt_data_parallel_overlap(this, out));
  }

  /** The number of gradient buckets. */
  public long bucketCount() {
    return Out.ofLong(out -> MinitensorNative.mt_data_parallel_bucket_count(this, out));
  }
}
