package org.minitensor;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * A reference to a native object (tensor, generator, layer, model, optimizer) released exactly
 * once: by {@link #close()}, or by a Cleaner once the Java object is unreachable.
 */
abstract class NativeObject implements AutoCloseable {
  private static final Cleaner CLEANER = Cleaner.create();

  /**
   * The GC sees only the small Java objects, not the native memory behind them, and may let
   * thousands of unclosed ones pile up before it runs. So after every GC_INTERVAL new objects,
   * when more than GC_INTERVAL are still open, ask for a collection: the Cleaner then releases
   * the unreachable ones.
   */
  private static final long GC_INTERVAL = 10_000;
  private static final AtomicLong OPEN = new AtomicLong();
  private static final AtomicLong CREATED = new AtomicLong();

  private volatile long handle;
  private final Cleaner.Cleanable cleanable;

  /** Takes over `address` (a new reference); `release` frees it and must not capture this. */
  NativeObject(long address, LongConsumer release) {
    if (address == 0) {
      throw new IllegalArgumentException(getClass().getSimpleName() + ": null native handle");
    }
    handle = address;
    OPEN.incrementAndGet();
    cleanable = CLEANER.register(this, () -> {
      OPEN.decrementAndGet();
      release.accept(address);
    });
    if (CREATED.incrementAndGet() % GC_INTERVAL == 0 && OPEN.get() > GC_INTERVAL) {
      System.gc();
    }
  }

  /** The native handle; IllegalStateException once closed. */
  final long handle() {
    long h = handle;
    if (h == 0) {
      throw new IllegalStateException(
          "this " + getClass().getSimpleName() + " is closed and cannot be used any more");
    }
    return h;
  }

  /** What the bindings pass for an argument: 0 (NULL) for null. */
  static long handleOf(NativeObject object) {
    return object == null ? 0 : object.handle();
  }

  static long[] handlesOf(NativeObject[] objects) {
    if (objects == null) {
      return null;
    }
    long[] handles = new long[objects.length];
    for (int i = 0; i < objects.length; ++i) {
      handles[i] = handleOf(objects[i]);
    }
    return handles;
  }

  /** Whether close() was called. */
  public final boolean isClosed() {
    return handle == 0;
  }

  /** Releases the native object; later calls do nothing. */
  @Override
  public void close() {
    handle = 0;
    cleanable.clean();
  }
}
