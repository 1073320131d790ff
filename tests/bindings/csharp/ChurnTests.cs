// Tensors that are never disposed are released by the garbage collector: creating and
// dropping 100k of them keeps the process's memory bounded.
using System;
using System.IO;
using System.Linq;
using Minitensor;

static class ChurnTests {
  static long ResidentKiB() {
    string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:"));
    return long.Parse(line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries)[1]);
  }

  [Test]
  public static void UndisposedTensorsAreCollected() {
    const int rounds = 10, perRound = 10000;
    // 4 KiB of elements each: 100k leaked tensors would hold 400 MiB.
    long[] shape = { 1024 };
    var resident = new long[rounds];
    double total = 0;
    for (int round = 0; round < rounds; ++round) {
      for (int i = 0; i < perRound; ++i) {
        Tensor t = Tensor.Full(shape, i, DType.Float32);
        if (i % 1000 == 0) total += t[0];
      }
      GC.Collect();
      GC.WaitForPendingFinalizers();
      resident[round] = ResidentKiB();
    }
    Check.Equal(rounds * Enumerable.Range(0, 10).Sum(i => 1000.0 * i), total, "values written");
    // Leaked, the 80k tensors after round 1 would add 320 MiB; ASan's quarantine of freed
    // memory adds about 60 MiB, a plain build under 1 MiB.
    long growth = resident[rounds - 1] - resident[1];
    Check.True(growth < 128 * 1024, "RSS grew by " + growth + " KiB over 80k tensors (" +
               string.Join(", ", resident) + " KiB)");
  }
}
