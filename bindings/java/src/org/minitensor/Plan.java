package org.minitensor;

import static org.minitensor.Args.notNull;
import static org.minitensor.MinitensorNative.*;

/**
 * A compiled capture (Capture.end): run it with new inputs of the placeholders' shapes and
 * dtypes; its results are the bits that running the captured ops eagerly gives. Parameters
 * that existed before the capture are read at each run, so an optimizer step between runs is
 * seen. Runs are on the CPU; runs of one plan from several threads take turns. Close it
 * (try-with-resources) to free it now, or leave it to the Cleaner.
 */
public final class Plan extends NativeObject {
  Plan(long handle) {
    super(handle, MinitensorNativeJNI::mt_plan_release);
  }

  /**
   * The outputs (in the order Capture.end named them) for `inputs`, one per placeholder in the
   * order they were declared, of any strides. A wrong count, shape or dtype throws
   * MinitensorException naming the expected and the given.
   */
  public Tensor[] run(Tensor... inputs) {
    notNull(inputs, "Plan.run", "inputs");
    long[] handles = new long[(int) outputCount()];
    mt_plan_run(this, inputs, handles);
    Tensor[] outputs = new Tensor[handles.length];
    for (int i = 0; i < handles.length; ++i) {
      outputs[i] = new Tensor(handles[i]);
    }
    return outputs;
  }

  /** The number of inputs a run takes. */
  public long inputCount() {
    return mt_plan_input_count(this);
  }

  /** The number of outputs a run gives. */
  public long outputCount() {
    return mt_plan_output_count(this);
  }

  /** Ops recorded, kernels, fused kernels, bytes avoided and bytes moved per run. */
  public PlanStats stats() {
    long[][] values = new long[5][1];
    mt_plan_stats(this, values[0], values[1], values[2], values[3], values[4]);
    return new PlanStats(values[0][0], values[1][0], values[2][0], values[3][0], values[4][0]);
  }

  /** The plan in words: each kernel and the ops it fuses, why each stored value is stored. */
  public String report() {
    String[] text = new String[1];
    mt_plan_report(this, text);
    return text[0];
  }

  /**
   * The plan cache that Capture.end compiles through, shared by all threads: a program
   * captured again at new sizes reuses the decisions kept for its structure.
   */
  public static PlanCacheStats cacheStats() {
    long[][] values = new long[4][1];
    mt_plan_cache_stats(values[0], values[1], values[2], values[3]);
    String[] lastMiss = new String[1];
    mt_plan_cache_last_miss(lastMiss);
    return new PlanCacheStats(values[0][0], values[1][0], values[2][0], values[3][0], lastMiss[0]);
  }

  /** Keeps at most `maxEntries` structures (0: none); negative throws MinitensorException. */
  public static void setCacheMaxEntries(long maxEntries) {
    mt_plan_cache_set_max_entries(maxEntries);
  }

  /** Drops every cached structure and zeroes the counts. */
  public static void clearCache() {
    mt_plan_cache_clear();
  }

  @Override
  public String toString() {
    if (isClosed()) {
      return "Plan(closed)";
    }
    PlanStats s = stats();
    return "Plan(" + s.ops() + " ops -> " + s.kernels() + " kernels, " + s.fusedKernels()
        + " fused)";
  }
}
