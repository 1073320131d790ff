package org.minitensor;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * A reference to a native object (tensor, generator, layer, model, optimizer) released exactly
 * once: by {@link #close()}, or by a Cleaner once the Java object is unreachable. Every native
 * call holds a use of its handle arguments (acquire/release, from the bindings' typemaps), so
 * a close() from another thread during a call releases the handle only when the call is done.
 */
abstract class NativeObject implements AutoCloseable {
  private static final Cleaner CLEANER = Cleaner.create();
  /** Unclosed objects, and the native bytes behind them (see GcPacer). */
  private static final GcPacer OBJECTS = new GcPacer(10_000, System::gc);
  private static final GcPacer BYTES = new GcPacer(256L << 20, System::gc);

  private final long handle;
  /** Twice the calls in flight, plus 1 once closed. */
  private final AtomicLong uses = new AtomicLong();
  private final Cleaner.Cleanable cleanable;

  /**
   * Takes over `address` (a new reference) that stands for `bytes` of native memory; `release`
   * frees it and must not capture this.
   */
  NativeObject(long address, LongConsumer release, long bytes) {
    if (address == 0) {
      throw new IllegalArgumentException(getClass().getSimpleName() + ": null native handle");
    }
    handle = address;
    cleanable = CLEANER.register(this, () -> {
      OBJECTS.remove(1);
      BYTES.remove(bytes);
      release.accept(address);
    });
    OBJECTS.add(1);
    BYTES.add(bytes);
  }

  NativeObject(long address, LongConsumer release) {
    this(address, release, 0);
  }

  /** A use of `object`'s handle, 0 for null or a closed object; release(object, it) after. */
  static long acquire(NativeObject object) {
    if (object == null) {
      return 0;
    }
    long state;
    do {
      state = object.uses.get();
      if ((state & 1) != 0) {
        return 0;
      }
    } while (!object.uses.compareAndSet(state, state + 2));
    return object.handle;
  }

  /** Ends the use that acquire gave `handle` for (nothing for 0). */
  static void release(NativeObject object, long handle) {
    if (handle != 0 && object.uses.addAndGet(-2) == 1) {
      object.cleanable.clean(); // closed during the call: the last use releases it
    }
  }

  /** What the bindings pass for `object` whose acquire gave `handle`; throws once closed. */
  static long checked(NativeObject object, long handle) {
    if (object != null && handle == 0) {
      throw new IllegalStateException("this " + object.getClass().getSimpleName()
          + " is closed and cannot be used any more");
    }
    return handle;
  }

  static long[] acquireAll(NativeObject[] objects) {
    if (objects == null) {
      return null;
    }
    long[] handles = new long[objects.length];
    for (int i = 0; i < objects.length; ++i) {
      handles[i] = acquire(objects[i]);
    }
    return handles;
  }

  static void releaseAll(NativeObject[] objects, long[] handles) {
    for (int i = 0; handles != null && i < handles.length; ++i) {
      release(objects[i], handles[i]);
    }
  }

  static long[] checkedAll(NativeObject[] objects, long[] handles) {
    for (int i = 0; handles != null && i < handles.length; ++i) {
      checked(objects[i], handles[i]);
    }
    return handles;
  }

  /** Whether close() was called. */
  public final boolean isClosed() {
    return (uses.get() & 1) != 0;
  }

  /** Releases the native object (once calls in flight end); later calls do nothing. */
  @Override
  public void close() {
    if (uses.getAndUpdate(state -> state | 1) == 0) {
      cleanable.clean();
    }
  }
}
