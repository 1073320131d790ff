using System;

namespace Minitensor {

/// <summary>What the planner made of a capture (Plan.Stats).</summary>
public struct PlanStats {
  public PlanStats(long ops, long kernels, long fusedKernels, long bytesAvoided,
                   long bytesMoved) {
    Ops = ops;
    Kernels = kernels;
    FusedKernels = fusedKernels;
    BytesAvoided = bytesAvoided;
    BytesMoved = bytesMoved;
  }

  /// <summary>Ops recorded.</summary>
  public long Ops { get; }
  /// <summary>Kernels a run executes.</summary>
  public long Kernels { get; }
  /// <summary>Of which fused (several ops in one loop).</summary>
  public long FusedKernels { get; }
  /// <summary>Bytes of intermediates that never exist.</summary>
  public long BytesAvoided { get; }
  /// <summary>Bytes a run loads and stores.</summary>
  public long BytesMoved { get; }

  public override string ToString() {
    return Ops + " ops -> " + Kernels + " kernels, " + FusedKernels + " fused";
  }
}

/// <summary>The plan cache (Plan.CacheStats): the planner's decisions by structure, never
/// sizes.</summary>
public struct PlanCacheStats {
  public PlanCacheStats(long entries, long maxEntries, long hits, long misses, string lastMiss) {
    Args.NotNull(lastMiss, "PlanCacheStats", nameof(lastMiss));
    Entries = entries;
    MaxEntries = maxEntries;
    Hits = hits;
    Misses = misses;
    LastMiss = lastMiss;
  }

  /// <summary>Structures kept.</summary>
  public long Entries { get; }
  /// <summary>The most it keeps.</summary>
  public long MaxEntries { get; }
  /// <summary>Compiles that found their structure.</summary>
  public long Hits { get; }
  /// <summary>Compiles that did not.</summary>
  public long Misses { get; }
  /// <summary>Why the latest miss missed ("" before any).</summary>
  public string LastMiss { get; }
}

// The ops one capture recorded: held only until Capture.End compiles them.
internal sealed class Graph : IDisposable {
  readonly GraphHandle handle;

  internal Graph(GraphHandle handle) {
    this.handle = handle;
  }

  internal static GraphHandle HandleOf(Graph graph) {
    return graph == null ? GraphHandle.Null : NativeHandle.Live(graph.handle, graph);
  }

  public void Dispose() {
    handle.Dispose();
  }
}

/// <summary>
/// A compiled capture (Capture.End): run it with new inputs of the placeholders' shapes and
/// dtypes; its results are the bits that running the captured ops eagerly gives. Parameters
/// that existed before the capture are read at each run, so an optimizer step between runs is
/// seen. Runs are on the CPU; runs of one plan from several threads take turns.
/// </summary>
public sealed class Plan : IDisposable {
  readonly PlanHandle handle;

  internal Plan(PlanHandle handle) {
    this.handle = handle;
  }

  internal static PlanHandle HandleOf(Plan plan) {
    return plan == null ? PlanHandle.Null : NativeHandle.Live(plan.handle, plan);
  }

  /// <summary>The outputs (in the order Capture.End named them) for `inputs`, one per
  /// placeholder in the order they were declared, of any strides. A wrong count, shape or
  /// dtype throws MinitensorException naming the expected and the given.</summary>
  public Tensor[] Run(params Tensor[] inputs) {
    Args.NoNulls(inputs, "Plan.Run", "inputs");
    var results = new IntPtr[OutputCount];
    minitensor_native.mt_plan_run(this, inputs, results);
    return Array.ConvertAll(results, result => new Tensor(TensorHandle.Own(result)));
  }

  /// <summary>The number of inputs a run takes.</summary>
  public int InputCount {
    get { return (int)minitensor_native.mt_plan_input_count(this); }
  }

  /// <summary>The number of outputs a run gives.</summary>
  public int OutputCount {
    get { return (int)minitensor_native.mt_plan_output_count(this); }
  }

  /// <summary>Ops recorded, kernels, fused kernels, bytes avoided and bytes moved per run.
  /// </summary>
  public PlanStats Stats {
    get {
      minitensor_native.mt_plan_stats(this, out long ops, out long kernels, out long fused,
                                      out long avoided, out long moved);
      return new PlanStats(ops, kernels, fused, avoided, moved);
    }
  }

  /// <summary>The plan in words: each kernel and the ops it fuses, why each stored value is
  /// stored, the totals.</summary>
  public string Report {
    get {
      minitensor_native.mt_plan_report(this, out string text);
      return text;
    }
  }

  /// <summary>The plan cache that Capture.End compiles through, shared by all threads: a
  /// program captured again at new sizes reuses the decisions kept for its structure.
  /// </summary>
  public static PlanCacheStats CacheStats {
    get {
      minitensor_native.mt_plan_cache_stats(out long entries, out long maxEntries, out long hits,
                                            out long misses);
      minitensor_native.mt_plan_cache_last_miss(out string lastMiss);
      return new PlanCacheStats(entries, maxEntries, hits, misses, lastMiss);
    }
  }

  /// <summary>Keeps at most <paramref name="maxEntries"/> structures (0: none); negative
  /// throws MinitensorException.</summary>
  public static void SetCacheMaxEntries(long maxEntries) {
    minitensor_native.mt_plan_cache_set_max_entries(maxEntries);
  }

  /// <summary>Drops every cached structure and zeroes the counts.</summary>
  public static void ClearCache() {
    minitensor_native.mt_plan_cache_clear();
  }

  public override string ToString() {
    return handle.IsClosed ? "Plan (disposed)" : "Plan(" + Stats + ")";
  }

  public void Dispose() {
    handle.Dispose();
  }
}

}
