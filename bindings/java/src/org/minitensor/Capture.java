package org.minitensor;

import static org.minitensor.Args.notNull;
import static org.minitensor.MinitensorNative.*;

import java.util.ArrayList;
import java.util.List;

/**
 * A capture scope (mt_capture_begin): the ops this thread makes on CPU tensors are recorded
 * instead of run, then compiled into a {@link Plan} that fuses element-wise chains.
 *
 * <pre>{@code
 * try (Capture capture = Capture.begin()) {
 *   Tensor x = capture.input(DType.FLOAT32, 2, 3); // a placeholder: no values
 *   plan = capture.end(x.mul(w).add(b));           // w, b: parameters, read at each run
 * }
 * Tensor y = plan.run(values)[0];
 * }</pre>
 *
 * Arguments are checked as in eager mode; the tensors made in the capture hold no values (a
 * read throws MinitensorException with Status.CAPTURE), also afterwards: the plan's runs give
 * the values. Tensors made in the capture that are still open at end() are kept as state every
 * run writes: close the intermediates you named first (or leave them to the Cleaner, at the
 * cost of stores). close() abandons a capture that end() did not finish. Captures do not nest
 * and belong to the thread that began them.
 */
public final class Capture implements AutoCloseable {
  private final Thread thread = Thread.currentThread();
  /** Held until the capture ends: the library refuses to release a placeholder before. */
  private final List<Tensor> placeholders = new ArrayList<>();
  private boolean ended;

  private Capture() {}

  /** Starts capturing on this thread; MinitensorException (CAPTURE) if it captures already. */
  public static Capture begin() {
    mt_capture_begin();
    return new Capture();
  }

  /** Whether this thread captures. */
  public static boolean isActive() {
    return mt_capture_active() != 0;
  }

  /** The next input of the plan: a contiguous placeholder of `shape` and `dtype`. */
  public Tensor input(DType dtype, long... shape) {
    return input(Device.CPU, dtype, shape);
  }

  /**
   * The next input on `device`. A capture's tensors are all on one device, the first one's;
   * a placeholder or an op on another throws with {@code Status.DEVICE_MISMATCH}.
   */
  public Tensor input(Device device, DType dtype, long... shape) {
    notNull(device, "Capture.input", "device");
    notNull(dtype, "Capture.input", "dtype");
    notNull(shape, "Capture.input", "shape");
    checkOpen("input");
    Tensor placeholder = Tensor.adopt(
        out -> mt_capture_input_on(shape, dtype.code, device.type(), device.index(), out));
    placeholders.add(placeholder);
    return placeholder;
  }

  /**
   * Ends the capture and compiles it: a run returns `outputs`, in this order. The capture
   * ends also when this throws.
   */
  public Plan end(Tensor... outputs) {
    notNull(outputs, "Capture.end", "outputs");
    checkOpen("end");
    try (Graph graph = new Graph(Out.ofLong(out -> mt_capture_end(outputs, out)))) {
      return new Plan(Out.ofLong(out -> mt_graph_compile(graph, out)));
    } finally {
      finish();
    }
  }

  /** Abandons the capture unless end() finished it; later calls do nothing. */
  @Override
  public void close() {
    checkThread("close");
    if (!ended) {
      finish();
    }
  }

  private void finish() {
    ended = true;
    MinitensorNative.mt_capture_abandon(); // no capture outlives the scope, whatever failed
    placeholders.clear();
  }

  private void checkOpen(String method) {
    checkThread(method);
    if (ended) {
      throw new IllegalStateException("Capture." + method + ": the capture has ended");
    }
  }

  private void checkThread(String method) {
    if (Thread.currentThread() != thread) {
      throw new IllegalStateException("Capture." + method + ": the capture began on thread '"
          + thread.getName() + "', not '" + Thread.currentThread().getName() + "'");
    }
  }
}
