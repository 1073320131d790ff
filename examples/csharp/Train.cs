// Train.exe: trains MiniTorch's classifier on a toy dataset through the C# bindings and prints
// its progress as the C demo mt_train_c does (without its plots): a line (loss, accuracy, time)
// every few epochs and, on a terminal, a live line; on the CPU or a CUDA device (--device cuda);
// with --distributed, data-parallel under mpirun (DataParallelTraining); with --compile, each
// minibatch runs a compiled plan of the training step (CompiledStep).
//   mono Train.exe [--dataset xor] [--hidden 10] [--epochs 500] ... (--help lists them)
// Exit status: 0 done, 1 a failed library call (its message is printed) or --device cuda where
// CUDA is unavailable (the reason is printed), 2 bad options.
using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using Minitensor;

static class Train {
  static int Main(string[] args) {
    Thread.CurrentThread.CurrentCulture = CultureInfo.InvariantCulture;
    TrainOptions options = TrainOptions.Parse(args, out int exitCode);
    if (options == null) return exitCode;
    if (options.Device.Type == DeviceType.Cuda && !Cuda.IsAvailable) {
      Console.Error.WriteLine(TrainOptions.Program + ": CUDA is unavailable: " +
                              Cuda.UnavailableReason);
      return 1;
    }
    try {
      if (options.Backend != null) Runtime.Backend = options.Backend;
      Runtime.NumThreads = options.Threads;
      using (var classifier = new Classifier(options))
      using (DataParallelTraining world =
                 options.Distributed ? new DataParallelTraining(classifier, options) : null)
      using (CompiledStep plans = options.Compile ? new CompiledStep(classifier) : null)
        Run(classifier, world, plans, options);
      return 0;
    } catch (MinitensorException e) {
      Console.Error.WriteLine(TrainOptions.Program + ": " + e.Message);
      return 1;
    }
  }

  static void Run(Classifier classifier, DataParallelTraining world, CompiledStep plans,
                  TrainOptions options) {
    int rank = world != null ? world.Rank : 0;
    if (rank != 0) options.Every = 0;  // rank 0 shows the progress
    string backend = Runtime.Backend;
    TextWriter header = rank == 0 ? Console.Out : TextWriter.Null;
    header.Write("{0}, {1} points, hidden {2}, lr {3}, batch {4}, {5}, seed {6}, backend {7}",
                  Dataset.Name(options.Dataset), options.Points, options.Hidden,
                  FormatLikeG(options.Lr), options.Batch,
                  options.DType.ToString().ToLowerInvariant(), options.Seed, backend);
    // The thread count applies to the parallel backend only.
    if (backend == "cpu_par") header.Write(" ({0} threads)", Runtime.NumThreads);
    header.WriteLine(", device {0}{1}{2}", options.Device, world != null ? ", distributed" : "",
                     plans != null ? ", compiled" : "");

    var times = new double[options.Epochs];
    double loss = 0, accuracy;
    int width = options.Epochs.ToString().Length;
    var live = new LiveLine(options);
    for (long epoch = 1; epoch <= options.Epochs; ++epoch) {
      Stopwatch clock = Stopwatch.StartNew();
      if (world != null)
        loss = world.TrainEpoch(classifier, epoch - 1);
      else
        loss = plans != null ? classifier.TrainEpoch(plans.TrainBatch) : classifier.TrainEpoch();
      times[epoch - 1] = clock.Elapsed.TotalMilliseconds;
      bool printed = options.Every > 0 && (epoch % options.Every == 0 || epoch == options.Epochs);
      bool redraw = live.Due(epoch);
      if (!printed && !redraw) continue;
      accuracy = classifier.Accuracy();
      if (printed) {
        live.Clear();
        // 17 digits read back to the same double, as the C demo's %.17g (mono's "R" does not
        // always: it tries 15 digits and keeps them when its own parse agrees).
        string lossText = options.Exact ? loss.ToString("G17") : loss.ToString("F6");
        Console.WriteLine("epoch {0}  loss {1}  accuracy {2}%  {3:F3} ms",
                          epoch.ToString().PadLeft(width), lossText,
                          (100 * accuracy).ToString("F1").PadLeft(5), times[epoch - 1]);
      }
      if (redraw) live.Draw(epoch, loss, accuracy);
    }
    live.Clear();
    if (world != null)
      Console.WriteLine("rank {0} of {1}: final loss {2}", rank, world.Size, loss.ToString("G17"));
    if (rank != 0) return;
    accuracy = classifier.Accuracy();
    double total = 0;
    foreach (double time in times) total += time;
    Console.WriteLine("done: {0} epochs, loss {1:F6}, accuracy {2:F1}%, {3:F3} ms/epoch " +
                      "(median; mean {4:F3})", options.Epochs, loss, 100 * accuracy,
                      Median(times), total / options.Epochs);
    if (plans != null) {
      foreach (string line in plans.Describe()) Console.WriteLine(line);
    }
  }

  // On a terminal, one line rewritten in place with the epoch, loss, accuracy and the time left,
  // redrawn at most every 0.1 s; Clear() erases it before anything else is printed.
  sealed class LiveLine {
    const double PeriodMs = 100;
    readonly bool on;
    readonly long epochs;
    readonly Stopwatch clock = Stopwatch.StartNew();
    double drawnMs = -PeriodMs;  // draw after the first epoch
    bool shown;

    public LiveLine(TrainOptions options) {
      on = options.Every > 0 && !Console.IsOutputRedirected;
      epochs = options.Epochs;
    }

    // Whether to redraw after `epoch`.
    public bool Due(long epoch) {
      return on && epoch < epochs && clock.Elapsed.TotalMilliseconds - drawnMs >= PeriodMs;
    }

    public void Draw(long epoch, double loss, double accuracy) {
      drawnMs = clock.Elapsed.TotalMilliseconds;
      double elapsed = drawnMs / 1e3, left = elapsed / epoch * (epochs - epoch);
      Console.Write("\r\u001b[Kepoch {0}/{1}  loss {2:F6}  accuracy {3}%  {4:F1} s, {5:F1} s left",
                    epoch, epochs, loss, (100 * accuracy).ToString("F1").PadLeft(5), elapsed,
                    left);
      shown = true;
    }

    public void Clear() {
      if (!shown) return;
      Console.Write("\r\u001b[K");
      shown = false;
    }
  }

  // C's %g: 6 significant digits, exponent form outside 1e-4 .. 1e6.
  static string FormatLikeG(double value) {
    return value.ToString("G6").ToLowerInvariant();
  }

  // The median; sorts `values`.
  static double Median(double[] values) {
    Array.Sort(values);
    int n = values.Length;
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  }
}
