using System;
using System.Collections.Generic;
using System.Threading;

namespace Minitensor {

// The tensors a thread makes while a Compiled body runs, so that Compiled can dispose the ones
// the body does not return before the capture ends (an undisposed one is state every run
// stores); the garbage collector comes too late for that. While no thread records, a new
// tensor costs one volatile read here.
internal static class MadeTensors {
  // Threads recording now: the thread-static list is read only while some thread records.
  static int recording;
  [ThreadStatic] static List<Tensor> made;

  // `body`'s result; each Tensor made on this thread meanwhile is appended to `into`.
  public static T Record<T>(List<Tensor> into, Func<T> body) {
    List<Tensor> outer = made;
    made = into;
    Interlocked.Increment(ref recording);
    try {
      return body();
    } finally {
      Interlocked.Decrement(ref recording);
      made = outer;
    }
  }

  // Called by every new Tensor.
  public static void Made(Tensor tensor) {
    if (Volatile.Read(ref recording) != 0) made?.Add(tensor);
  }
}

}
