package org.minitensor;

import static org.minitensor.Args.noNulls;
import static org.minitensor.Args.notNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Function;

/**
 * A function of tensors compiled once per input signature, as Python's {@code mt.compile}:
 *
 * <pre>{@code
 * try (Compiled step = Compiled.of(in -> new Tensor[] {in[0].matmul(w).add(b).relu()})) {
 *   Tensor y = step.run(x)[0]; // the first call at x's dtype and shape captures and compiles
 * }
 * }</pre>
 *
 * A {@link Plan} runs only at the sizes it was captured at: a capture cannot tell a value
 * derived from a size (a reshape's dims, mean's 1/n) from a constant. So each call whose
 * inputs' dtypes, shapes and device (the signature; strides do not matter) are new captures
 * the body again, with placeholders of that signature, and compiles it; the plan cache, which
 * keys the planner's decisions by structure, never sizes, makes that compile a hit when the body
 * was compiled at other sizes before: a new size costs a capture. Later calls with the signature
 * run its plan, whose results are eager execution's bits.
 *
 * <p>The body gets the placeholders (no values: see {@link Capture}) and returns the outputs a
 * run gives. Tensors it makes on this thread and does not return are closed when it returns,
 * before the capture ends: an open one would be state that every run stores, which stops the
 * planner from keeping it in registers. Do not keep them. Tensors made before (parameters) are
 * read at each run. A Compiled keeps at most {@link #MAX_PLANS} plans, the least recently used
 * first out (closed); close() closes them all. Calls from several threads take turns.
 */
public final class Compiled implements AutoCloseable {
  /** The most plans one Compiled keeps (one per input signature), as Python's mt.compile. */
  public static final int MAX_PLANS = 64;

  private final Function<Tensor[], Tensor[]> body;
  /** The plans by signature, least recently used first (access order). */
  private final LinkedHashMap<Signature, Plan> plans = new LinkedHashMap<>(16, 0.75f, true);
  private boolean closed;

  private Compiled(Function<Tensor[], Tensor[]> body) {
    this.body = body;
  }

  /** `body` compiled per input signature (nothing is captured before the first run). */
  public static Compiled of(Function<Tensor[], Tensor[]> body) {
    return new Compiled(notNull(body, "Compiled.of", "body"));
  }

  /**
   * The outputs the body returns for `inputs`, from the plan of their signature (captured and
   * compiled first if it is new). An exception from the body propagates as it was thrown,
   * and no capture is left active; a null result or output is a NullPointerException.
   */
  public synchronized Tensor[] run(Tensor... inputs) {
    return planFor("Compiled.run", inputs).run(inputs);
  }

  /**
   * The plan for `inputs`' signature, compiled if it is new (for report() and stats()); this
   * Compiled closes it.
   */
  public synchronized Plan plan(Tensor... inputs) {
    return planFor("Compiled.plan", inputs);
  }

  /** The number of plans kept (0 once closed). */
  public synchronized int planCount() {
    return plans.size();
  }

  /** Closes every plan kept; later runs throw IllegalStateException. */
  @Override
  public synchronized void close() {
    closed = true;
    plans.values().forEach(Plan::close);
    plans.clear();
  }

  private Plan planFor(String method, Tensor[] inputs) {
    noNulls(inputs, method, "inputs");
    if (closed) {
      throw new IllegalStateException(
          method + ": this Compiled is closed and cannot be used any more");
    }
    Signature signature = new Signature(inputs);
    Plan plan = plans.get(signature);
    if (plan == null) {
      plan = compile(method, inputs);
      plans.put(signature, plan);
      if (plans.size() > MAX_PLANS) {
        Iterator<Plan> leastRecent = plans.values().iterator();
        leastRecent.next().close();
        leastRecent.remove();
      }
    }
    return plan;
  }

  /**
   * What a plan is compiled for: each input's device, dtype, rank and dims (not its strides), as
   * numbers (a key built as text cost a microsecond per call).
   */
  private static final class Signature {
    private final long[] fields;
    private final int hash;

    Signature(Tensor[] inputs) {
      long[] all = new long[0];
      for (Tensor input : inputs) {
        long[] shape = input.shape();
        Device device = input.device();
        int at = all.length;
        all = Arrays.copyOf(all, at + 4 + shape.length);
        all[at] = device.type();
        all[at + 1] = device.index();
        all[at + 2] = input.dtype().code;
        all[at + 3] = shape.length;
        System.arraycopy(shape, 0, all, at + 4, shape.length);
      }
      fields = all;
      hash = Arrays.hashCode(all);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Signature && Arrays.equals(fields, ((Signature) other).fields);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** The plan of the body captured with placeholders of `inputs`' devices, dtypes and shapes. */
  private Plan compile(String method, Tensor[] inputs) {
    List<Tensor> placeholders = new ArrayList<>(inputs.length);
    List<Tensor> made = new ArrayList<>();
    try (Capture capture = Capture.begin()) {
      for (Tensor input : inputs) {
        placeholders.add(capture.input(input.device(), input.dtype(), input.shape()));
      }
      Tensor[] arguments = placeholders.toArray(new Tensor[0]);
      Tensor[] outputs = noNulls(MadeTensors.record(made, () -> body.apply(arguments)), method,
          "the body's result");
      List<Tensor> returned = Arrays.asList(outputs);
      for (Tensor tensor : made) {
        if (!returned.contains(tensor)) {
          tensor.close(); // an intermediate: the planner may keep it in registers
        }
      }
      return capture.end(outputs);
    } finally {
      // The capture has ended (the plan keeps what it needs); its tensors hold no values.
      made.forEach(Tensor::close);
      placeholders.forEach(Tensor::close);
    }
  }
}
