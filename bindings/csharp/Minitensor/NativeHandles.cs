using System;
using System.Runtime.InteropServices;

namespace Minitensor {

// One reference to a native object, released exactly once: by Dispose, or by the finalizer
// when the owner was never disposed. During a call the P/Invoke marshaller holds the handle
// (a concurrent Dispose waits for the call to end).
internal abstract class NativeHandle : SafeHandle {
  protected NativeHandle() : base(IntPtr.Zero, true) {}

  // A handle that does not own `pointer`: ReleaseHandle passes the pointer to the release
  // function this way, its own handle being closed by then.
  protected NativeHandle(IntPtr pointer) : base(IntPtr.Zero, false) {
    SetHandle(pointer);
  }

  public override bool IsInvalid {
    get { return handle == IntPtr.Zero; }
  }

  // `handle` for a native call, or ObjectDisposedException naming the disposed `owner`.
  public static T Live<T>(T handle, object owner) where T : NativeHandle {
    if (handle.IsClosed) {
      string name = owner.GetType().Name;
      throw new ObjectDisposedException(name, name + " used after Dispose()");
    }
    return handle;
  }
}

// The release functions are void and so throw nothing: they are called on the P/Invoke class.
internal sealed class TensorHandle : NativeHandle {
  public static readonly TensorHandle Null = new TensorHandle();
  public TensorHandle() {}
  TensorHandle(IntPtr pointer) : base(pointer) {}
  // Takes over `pointer`, a new reference that a call wrote into an array (a plan's results).
  public static TensorHandle Own(IntPtr pointer) {
    var owner = new TensorHandle();
    owner.SetHandle(pointer);
    return owner;
  }
  protected override bool ReleaseHandle() {
    minitensor_nativePINVOKE.mt_release(new TensorHandle(handle));
    return true;
  }
}

internal sealed class GeneratorHandle : NativeHandle {
  public static readonly GeneratorHandle Null = new GeneratorHandle();
  public GeneratorHandle() {}
  GeneratorHandle(IntPtr pointer) : base(pointer) {}
  protected override bool ReleaseHandle() {
    minitensor_nativePINVOKE.mt_generator_release(new GeneratorHandle(handle));
    return true;
  }
}

internal sealed class LinearHandle : NativeHandle {
  public static readonly LinearHandle Null = new LinearHandle();
  public LinearHandle() {}
  LinearHandle(IntPtr pointer) : base(pointer) {}
  protected override bool ReleaseHandle() {
    minitensor_nativePINVOKE.mt_linear_release(new LinearHandle(handle));
    return true;
  }
}

internal sealed class MlpHandle : NativeHandle {
  public static readonly MlpHandle Null = new MlpHandle();
  public MlpHandle() {}
  MlpHandle(IntPtr pointer) : base(pointer) {}
  protected override bool ReleaseHandle() {
    minitensor_nativePINVOKE.mt_mlp_release(new MlpHandle(handle));
    return true;
  }
}

internal sealed class OptimizerHandle : NativeHandle {
  public static readonly OptimizerHandle Null = new OptimizerHandle();
  public OptimizerHandle() {}
  OptimizerHandle(IntPtr pointer) : base(pointer) {}
  protected override bool ReleaseHandle() {
    minitensor_nativePINVOKE.mt_optimizer_release(new OptimizerHandle(handle));
    return true;
  }
}

internal sealed class CommunicatorHandle : NativeHandle {
  public static readonly CommunicatorHandle Null = new CommunicatorHandle();
  public CommunicatorHandle() {}
  CommunicatorHandle(IntPtr pointer) : base(pointer) {}
  protected override bool ReleaseHandle() {
    minitensor_nativePINVOKE.mt_communicator_release(new CommunicatorHandle(handle));
    return true;
  }
}

internal sealed class SamplerHandle : NativeHandle {
  public static readonly SamplerHandle Null = new SamplerHandle();
  public SamplerHandle() {}
  SamplerHandle(IntPtr pointer) : base(pointer) {}
  protected override bool ReleaseHandle() {
    minitensor_nativePINVOKE.mt_sampler_release(new SamplerHandle(handle));
    return true;
  }
}

internal sealed class DataParallelHandle : NativeHandle {
  public static readonly DataParallelHandle Null = new DataParallelHandle();
  public DataParallelHandle() {}
  DataParallelHandle(IntPtr pointer) : base(pointer) {}
  protected override bool ReleaseHandle() {
    minitensor_nativePINVOKE.mt_data_parallel_release(new DataParallelHandle(handle));
    return true;
  }
}

internal sealed class GraphHandle : NativeHandle {
  public static readonly GraphHandle Null = new GraphHandle();
  public GraphHandle() {}
  GraphHandle(IntPtr pointer) : base(pointer) {}
  protected override bool ReleaseHandle() {
    minitensor_nativePINVOKE.mt_graph_release(new GraphHandle(handle));
    return true;
  }
}

internal sealed class PlanHandle : NativeHandle {
  public static readonly PlanHandle Null = new PlanHandle();
  public PlanHandle() {}
  PlanHandle(IntPtr pointer) : base(pointer) {}
  protected override bool ReleaseHandle() {
    minitensor_nativePINVOKE.mt_plan_release(new PlanHandle(handle));
    return true;
  }
}

}
