package org.minitensor;

/** A seeded random number stream (for rand, randn, Linear and Mlp weights). */
public final class Generator extends NativeObject {
  public Generator(long seed) {
    super(Out.ofLong(out -> MinitensorNative.mt_generator_create(seed, out)),
        MinitensorNativeJNI::mt_generator_release);
  }

  /** Restarts the stream from `seed`. */
  public void manualSeed(long seed) {
    MinitensorNative.mt_manual_seed(this, seed);
  }
}
