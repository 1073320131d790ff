using System;

namespace Minitensor {

/// <summary>A seeded random number stream: the same seed gives the same numbers on every
/// backend and thread count.</summary>
public sealed class Generator : IDisposable {
  readonly GeneratorHandle handle;

  public Generator(ulong seed) {
    minitensor_native.mt_generator_create(seed, out handle);
  }

  // NULL for null: the library's default generator.
  internal static GeneratorHandle HandleOf(Generator generator) {
    if (generator == null) return GeneratorHandle.Null;
    return NativeHandle.Live(generator.handle, generator);
  }

  /// <summary>Restarts the stream from `seed`.</summary>
  public void ManualSeed(ulong seed) {
    minitensor_native.mt_manual_seed(this, seed);
  }

  /// <summary>Restarts the default generator (used where no generator is given).</summary>
  public static void ManualSeedDefault(ulong seed) {
    minitensor_native.mt_manual_seed(null, seed);
  }

  public void Dispose() {
    handle.Dispose();
  }
}

}
