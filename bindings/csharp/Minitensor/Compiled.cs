using System;
using System.Collections.Generic;

namespace Minitensor {

/// <summary>
/// A function of tensors compiled once per input signature, as Python's mt.compile:
/// <code>
/// using (var step = Compiled.Of(x => new[] { (x[0].MatMul(w) + b).Relu() })) {
///   Tensor y = step.Run(input)[0];  // the first call at input's dtype and shape compiles
/// }
/// </code>
/// A <see cref="Minitensor.Plan"/> runs only at the sizes it was captured at: a capture cannot
/// tell a value derived from a size (a reshape's dims, Mean's 1/n) from a constant. So each
/// call whose inputs' dtypes, shapes and device (the signature; strides do not matter) are new
/// captures the body again, with placeholders of that signature, and compiles it; the plan
/// cache, which keys the planner's decisions by structure, never sizes, makes that compile a
/// hit when the body was compiled at other sizes before: a new size costs a capture. Later
/// calls with the signature run its plan, whose results are eager execution's bits.
///
/// The body gets the placeholders (no values: see <see cref="Capture"/>) and returns the
/// outputs a run gives. Tensors it makes on this thread and does not return are disposed when
/// it returns, before the capture ends: an undisposed one would be state that every run
/// stores, which stops the planner from keeping it in registers. Do not keep them. Tensors made
/// before (parameters) are read at each run. A Compiled keeps at most <see cref="MaxPlans"/>
/// plans, the least recently used first out (disposed); Dispose disposes them all. Calls from
/// several threads take turns.
/// </summary>
public sealed class Compiled : IDisposable {
  /// <summary>The most plans one Compiled keeps (one per input signature), as Python's
  /// mt.compile.</summary>
  public const int MaxPlans = 64;

  readonly Func<Tensor[], Tensor[]> body;
  // The plans by signature, each with its place in `recent`.
  readonly Dictionary<Signature, Kept> plans = new Dictionary<Signature, Kept>();
  // The signatures of `plans`, the least recently used first.
  readonly LinkedList<Signature> recent = new LinkedList<Signature>();
  bool disposed;

  Compiled(Func<Tensor[], Tensor[]> body) {
    this.body = body;
  }

  /// <summary>`body` compiled per input signature (nothing is captured before the first run).
  /// </summary>
  public static Compiled Of(Func<Tensor[], Tensor[]> body) {
    return new Compiled(Args.NotNull(body, "Compiled.Of", "body"));
  }

  /// <summary>The outputs the body returns for `inputs`, from the plan of their signature
  /// (captured and compiled first if it is new). An exception from the body propagates as it
  /// was thrown, and no capture is left active; a null result or output is an
  /// InvalidOperationException.</summary>
  public Tensor[] Run(params Tensor[] inputs) {
    lock (plans) return PlanFor("Compiled.Run", inputs).Run(inputs);
  }

  /// <summary>The plan for `inputs`' signature, compiled if it is new (for Report and Stats);
  /// this Compiled disposes it.</summary>
  public Plan PlanFor(params Tensor[] inputs) {
    lock (plans) return PlanFor("Compiled.PlanFor", inputs);
  }

  /// <summary>The number of plans kept (0 once disposed).</summary>
  public int PlanCount {
    get {
      lock (plans) return plans.Count;
    }
  }

  /// <summary>Disposes every plan kept; later runs throw ObjectDisposedException.</summary>
  public void Dispose() {
    lock (plans) {
      disposed = true;
      foreach (var kept in plans.Values) kept.plan.Dispose();
      plans.Clear();
      recent.Clear();
    }
  }

  Plan PlanFor(string member, Tensor[] inputs) {
    Args.NoNulls(inputs, member, "inputs");
    if (disposed) {
      throw new ObjectDisposedException("Compiled", member + ": Compiled used after Dispose()");
    }
    var signature = new Signature(inputs);
    if (plans.TryGetValue(signature, out var kept)) {
      recent.Remove(kept.place);
      recent.AddLast(kept.place);
      return kept.plan;
    }
    Plan plan = Compile(member, inputs);
    plans.Add(signature, new Kept { plan = plan, place = recent.AddLast(signature) });
    if (plans.Count > MaxPlans) {
      Signature oldest = recent.First.Value;
      plans[oldest].plan.Dispose();
      plans.Remove(oldest);
      recent.RemoveFirst();
    }
    return plan;
  }

  // A plan and its place among the recently used.
  sealed class Kept {
    public Plan plan;
    public LinkedListNode<Signature> place;
  }

  // What a plan is compiled for: each input's device, dtype, rank and dims (not its strides), as
  // numbers (a key built as text cost about a microsecond per input and call).
  sealed class Signature : IEquatable<Signature> {
    readonly long[] fields;
    readonly int hash;

    public Signature(Tensor[] inputs) {
      var all = new List<long>();
      foreach (Tensor input in inputs) {
        long[] shape = input.Shape;
        Device device = input.Device;
        all.Add((long)device.Type);
        all.Add(device.Index);
        all.Add((long)input.DType);
        all.Add(shape.Length);
        all.AddRange(shape);
      }
      fields = all.ToArray();
      foreach (long field in fields) hash = hash * 31 + field.GetHashCode();
    }

    public bool Equals(Signature other) {
      if (other == null || other.fields.Length != fields.Length) return false;
      for (int i = 0; i < fields.Length; ++i) {
        if (fields[i] != other.fields[i]) return false;
      }
      return true;
    }

    public override bool Equals(object other) {
      return Equals(other as Signature);
    }

    public override int GetHashCode() {
      return hash;
    }
  }

  // The plan of the body captured with placeholders of `inputs`' devices, dtypes and shapes.
  Plan Compile(string member, Tensor[] inputs) {
    var placeholders = new List<Tensor>(inputs.Length);
    var made = new List<Tensor>();
    try {
      using (Capture capture = Capture.Begin()) {
        foreach (Tensor input in inputs) {
          placeholders.Add(capture.Input(input.Shape, input.DType, input.Device));
        }
        Tensor[] arguments = placeholders.ToArray();
        Tensor[] outputs = MadeTensors.Record(made, () => body(arguments));
        CheckOutputs(member, outputs);
        foreach (Tensor tensor in made) {
          // An intermediate: the planner may keep it in registers.
          if (Array.IndexOf(outputs, tensor) < 0) tensor.Dispose();
        }
        return capture.End(outputs);
      }
    } finally {
      // The capture has ended (the plan keeps what it needs); its tensors hold no values.
      foreach (Tensor tensor in made) tensor.Dispose();
      foreach (Tensor placeholder in placeholders) placeholder.Dispose();
    }
  }

  static void CheckOutputs(string member, Tensor[] outputs) {
    if (outputs == null) {
      throw new InvalidOperationException(member + ": the body's result is null");
    }
    int index = Array.IndexOf(outputs, null);
    if (index >= 0) {
      throw new InvalidOperationException(member + ": the body's result[" + index + "] is null");
    }
  }
}

}
