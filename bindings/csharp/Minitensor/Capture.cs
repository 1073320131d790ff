using System;
using System.Collections.Generic;

namespace Minitensor {

/// <summary>
/// A capture scope (mt_capture_begin): the ops this thread makes on CPU tensors are recorded
/// instead of run, then compiled into a <see cref="Plan"/> that fuses element-wise chains.
/// <code>
/// using (var capture = Capture.Begin()) {
///   Tensor x = capture.Input(new long[] { 2, 3 }); // a placeholder: no values
///   plan = capture.End(x * w + b);                   // w, b: parameters, read at each run
/// }
/// Tensor y = plan.Run(values)[0];
/// </code>
/// Arguments are checked as in eager mode; the tensors made in the capture hold no values (a
/// read throws MinitensorException with Status.Capture), also afterwards: the plan's runs give
/// the values. Tensors made in the capture that are not disposed at End are kept as state that
/// every run writes: dispose the intermediates you named first (or leave them to the garbage
/// collector, at the cost of stores). Dispose abandons a capture that End did not finish.
/// Captures do not nest and belong to the thread that began them.
/// </summary>
public sealed class Capture : IDisposable {
  readonly int thread = Environment.CurrentManagedThreadId;
  // Held until the capture ends: the library refuses to release a placeholder before.
  readonly List<Tensor> placeholders = new List<Tensor>();
  bool ended;

  Capture() {}

  /// <summary>Starts capturing on this thread; MinitensorException (Status.Capture) if it
  /// captures already.</summary>
  public static Capture Begin() {
    minitensor_native.mt_capture_begin();
    return new Capture();
  }

  /// <summary>Whether this thread captures.</summary>
  public static bool IsActive {
    get { return minitensor_native.mt_capture_active() != 0; }
  }

  /// <summary>The next input of the plan: a contiguous placeholder of `shape` and `dtype`.
  /// </summary>
  public Tensor Input(long[] shape, DType dtype = DType.Float32) {
    return Input(shape, dtype, Device.Cpu);
  }

  /// <summary>The next input on `device`. A capture's tensors are all on one device, the
  /// first one's: a placeholder or an op on another throws with Status.DeviceMismatch.
  /// </summary>
  public Tensor Input(long[] shape, DType dtype, Device device) {
    Args.NotNull(shape, "Capture.Input", "shape");
    CheckOpen("Input");
    minitensor_native.mt_capture_input_on(shape, (int)dtype, (int)device.Type, device.Index,
                                          out TensorHandle result);
    var placeholder = new Tensor(result);
    placeholders.Add(placeholder);
    return placeholder;
  }

  /// <summary>Ends the capture and compiles it: a run returns `outputs`, in this order. The
  /// capture ends also when this throws.</summary>
  public Plan End(params Tensor[] outputs) {
    Args.NoNulls(outputs, "Capture.End", "outputs");
    CheckOpen("End");
    try {
      minitensor_native.mt_capture_end(outputs, out GraphHandle graphHandle);
      using (var graph = new Graph(graphHandle)) {
        minitensor_native.mt_graph_compile(graph, out PlanHandle plan);
        return new Plan(plan);
      }
    } finally {
      Finish();
    }
  }

  /// <summary>Abandons the capture unless End finished it; a second Dispose does nothing.
  /// </summary>
  public void Dispose() {
    CheckThread("Dispose");
    if (!ended) Finish();
  }

  void Finish() {
    ended = true;
    minitensor_native.mt_capture_abandon();  // no capture outlives the scope, whatever failed
    placeholders.Clear();
  }

  void CheckOpen(string member) {
    CheckThread(member);
    if (ended) throw new InvalidOperationException("Capture." + member + ": the capture has ended");
  }

  // Captures are per thread: ending one elsewhere would end that thread's capture.
  void CheckThread(string member) {
    if (Environment.CurrentManagedThreadId != thread) {
      throw new InvalidOperationException("Capture." + member + ": the capture began on thread " +
                                          thread + ", not " +
                                          Environment.CurrentManagedThreadId);
    }
  }
}

}
