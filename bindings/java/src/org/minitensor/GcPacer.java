package org.minitensor;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Asks for a garbage collection when unclosed native objects pile up. The GC sees only the
 * small Java objects, not the native memory behind them, so it may let many unclosed ones (or
 * a few large ones) pile up before it runs; a collection lets the Cleaner release the
 * unreachable ones. A pacer counts one amount (objects, or bytes) that is open now. Under
 * -XX:+DisableExplicitGC the request does nothing: close what you create.
 */
final class GcPacer {
  private final long floor;
  private final Runnable collect;
  private final AtomicLong open = new AtomicLong();
  /** The least `open` since the last request: about what that collection left alive. */
  private final AtomicLong low = new AtomicLong();

  /** Runs `collect` once `open` grows past floor + 2 * (what survived the last collection). */
  GcPacer(long floor, Runnable collect) {
    this.floor = floor;
    this.collect = collect;
  }

  /**
   * Counts `amount` more; collects when due. The bound grows with what survives, so many
   * objects that are kept open do not make every allocation collect (no thrashing).
   */
  void add(long amount) {
    long now = open.addAndGet(amount);
    long survivors = low.get();
    if (now - floor > 2 * survivors && low.compareAndSet(survivors, now)) {
      collect.run();
    }
  }

  void remove(long amount) {
    long now = open.addAndGet(-amount);
    low.accumulateAndGet(now, Math::min);
  }
}
