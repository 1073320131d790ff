package org.minitensor;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The tensors a thread makes while a Compiled body runs, so that Compiled can close the ones
 * the body does not return before the capture ends (an open one is state every run stores).
 * Java objects wait for the Cleaner, which comes too late for that. While no thread records,
 * a new tensor costs one volatile read here.
 */
final class MadeTensors {
  /** Threads recording now: a thread-local is looked up only while some thread records. */
  private static final AtomicInteger RECORDING = new AtomicInteger();
  private static final ThreadLocal<List<Tensor>> MADE = new ThreadLocal<>();

  private MadeTensors() {}

  /** `body`'s result; each Tensor made on this thread meanwhile is appended to `made`. */
  static <T> T record(List<Tensor> made, Supplier<T> body) {
    List<Tensor> outer = MADE.get();
    MADE.set(made);
    RECORDING.incrementAndGet();
    try {
      return body.get();
    } finally {
      RECORDING.decrementAndGet();
      MADE.set(outer);
    }
  }

  /** Called by every new Tensor. */
  static void made(Tensor tensor) {
    if (RECORDING.get() != 0) {
      List<Tensor> made = MADE.get();
      if (made != null) {
        made.add(tensor);
      }
    }
  }
}
