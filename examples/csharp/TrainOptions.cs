using System;
using System.Globalization;
using System.IO;
using Minitensor;

// Train.exe's command line: the C demo's options (examples/c/options.c) without --svg.
sealed class TrainOptions {
  public const string Program = "Train.exe";

  public DatasetKind Dataset = DatasetKind.Xor;
  public long Points = 50;
  public long Hidden = 10;
  public long Epochs = 500;
  public double Lr = 0.05;
  public long Batch = 10;
  public DType DType = DType.Float64;
  public ulong Seed = 3;
  public string Backend;  // null: the library's default
  public int Threads;     // 0: the library's default
  public Device Device = Device.Cpu;
  public long Every = -1; // a progress line every `Every` epochs and after the last; 0: none
  public bool Exact;      // progress lines print the loss so that it reads back exactly
  public bool Distributed;  // data-parallel over the ranks of mpirun (DataParallelTraining)
  public bool Compile;      // each minibatch runs a compiled plan of the step (CompiledStep)

  public static void Usage(TextWriter output) {
    output.Write(
        "usage: mono " + Program + " [options]\n" +
        "Trains MiniTorch's classifier (MLP 2 -> H -> H -> 1, relu, sigmoid, binary\n" +
        "cross-entropy, SGD over minibatches in order) on a toy dataset through the C#\n" +
        "bindings and prints its progress.\n" +
        "\n" +
        "  --dataset NAME   simple, diag, split, xor, circle or spiral (default xor)\n" +
        "  --points N       dataset size (default 50)\n" +
        "  --hidden H       width of the two hidden layers (default 10)\n" +
        "  --epochs N       (default 500)\n" +
        "  --lr RATE        SGD learning rate (default 0.05)\n" +
        "  --batch N        points per minibatch (default 10)\n" +
        "  --dtype TYPE     float32 or float64 (default float64)\n" +
        "  --seed S         initial weights from seed S, data points from S + 1 (default 3)\n" +
        "  --backend NAME   cpu_par or cpu_seq (default: the library's, cpu_par)\n" +
        "  --threads N      threads of cpu_par (default 0: MINITENSOR_NUM_THREADS or all)\n" +
        "  --device DEVICE  cpu, cuda or cuda:N: where the model, the data and the training\n" +
        "                   live (default cpu)\n" +
        "  --every N        a progress line every N epochs and after the last (default: the\n" +
        "                   smallest of 1, 2, 5, 10, 20, 50, ... giving at most 20 lines)\n" +
        "  --quiet          no progress lines, only the summary\n" +
        "  --exact          progress lines print the loss so that it reads back exactly\n" +
        "                   (runs can be compared)\n" +
        "  --distributed    data-parallel over the ranks of mpirun -np N (CPU only): each\n" +
        "                   rank trains on its share of every shuffled batch of --batch\n" +
        "                   points (a multiple of N); rank 0 prints the progress, every rank\n" +
        "                   its final loss\n" +
        "  --compile        capture the training step once per minibatch length and run\n" +
        "                   each minibatch as its compiled plan (fused kernels; the same\n" +
        "                   losses as eager); CPU only, not with --distributed\n" +
        "  --help           this text\n" +
        "Options take their value as --name VALUE or --name=VALUE.\n");
  }

  // The options, or null after printing the usage (exitCode 0) or a complaint (exitCode 2).
  public static TrainOptions Parse(string[] args, out int exitCode) {
    var options = new TrainOptions();
    exitCode = 2;
    for (int i = 0; i < args.Length; ++i) {
      string arg = args[i];
      if (arg == "--help" || arg == "-h") {
        Usage(Console.Out);
        exitCode = 0;
        return null;
      }
      if (arg == "--quiet") {
        options.Every = 0;
        continue;
      }
      if (arg == "--exact") {
        options.Exact = true;
        continue;
      }
      if (arg == "--distributed") {
        options.Distributed = true;
        continue;
      }
      if (arg == "--compile") {
        options.Compile = true;
        continue;
      }
      if (!arg.StartsWith("--", StringComparison.Ordinal)) {
        return Fail("unexpected argument '" + arg + "' (--help lists the options)");
      }
      int equals = arg.IndexOf('=');
      string name = equals < 0 ? arg.Substring(2) : arg.Substring(2, equals - 2);
      string value;
      if (equals >= 0) {
        value = arg.Substring(equals + 1);
      } else if (i + 1 < args.Length) {
        value = args[++i];
      } else {
        return Fail("--" + name + " needs a value");
      }
      string problem = options.Set(name, value);
      if (problem != null) return Fail(problem);
    }
    if (options.Every < 0) options.Every = DefaultEvery(options.Epochs);
    // Plans run on the CPU, and a capture cannot record --distributed's collectives.
    if (options.Compile && options.Device.Type != DeviceType.Cpu)
      return Fail("--compile runs plans on the CPU only, not with --device cuda");
    if (options.Compile && options.Distributed)
      return Fail("--compile does not combine with --distributed");
    return options;
  }

  // --every's default, the C demo's rule: the smallest of 1, 2, 5, 10, 20, 50, ... that prints
  // at most 20 progress lines.
  public static long DefaultEvery(long epochs) {
    for (long scale = 1;; scale *= 10) {
      foreach (long every in new[] {scale, 2 * scale, 5 * scale}) {
        if (epochs <= 20 * every) return every;
      }
    }
  }

  static TrainOptions Fail(string message) {
    Console.Error.WriteLine(Program + ": " + message);
    return null;
  }

  // Sets option `name` from `text`; null, or what is wrong.
  string Set(string name, string text) {
    switch (name) {
      case "dataset":
        try {
          Dataset = Minitensor.Dataset.KindOf(text);
          return null;
        } catch (MinitensorException e) {
          return "--dataset: " + e.Message;  // the library's message lists the names
        }
      case "points": return Integer(name, text, 1, 10000000, out Points);
      case "hidden": return Integer(name, text, 1, 100000, out Hidden);
      case "epochs": return Integer(name, text, 1, 100000000, out Epochs);
      case "lr": return Positive(name, text, out Lr);
      case "batch": return Integer(name, text, 1, long.MaxValue, out Batch);
      case "dtype":
        if (text == "float32" || text == "float64") {
          DType = text == "float32" ? DType.Float32 : DType.Float64;
          return null;
        }
        return Bad(name, text, "float32 or float64");
      case "seed": {
        string problem = Integer(name, text, 0, long.MaxValue - 1, out long seed);
        Seed = (ulong)seed;
        return problem;
      }
      case "backend":
        if (Array.IndexOf(Runtime.Backends, text) >= 0) {
          Backend = text;
          return null;
        }
        return "--backend: unknown backend '" + text + "' (known: " +
               string.Join(" ", Runtime.Backends) + ")";
      case "threads": {
        string problem = Integer(name, text, 0, 1024, out long threads);
        Threads = (int)threads;
        return problem;
      }
      case "device":
        if (text == "cpu" || text == "cuda") {
          Device = text == "cpu" ? Minitensor.Device.Cpu : Minitensor.Device.Cuda();
          return null;
        }
        if (text.StartsWith("cuda:", StringComparison.Ordinal) &&
            int.TryParse(text.Substring(5), NumberStyles.None, CultureInfo.InvariantCulture,
                         out int index)) {
          Device = Minitensor.Device.Cuda(index);
          return null;
        }
        return Bad(name, text, "cpu, cuda or cuda:N");
      case "every": return Integer(name, text, 1, long.MaxValue, out Every);
      default: return "unknown option '--" + name + "' (--help lists the options)";
    }
  }

  static string Integer(string name, string text, long min, long max, out long value) {
    if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture,
                      out value) && value >= min && value <= max) {
      return null;
    }
    return Bad(name, text, "an integer in [" + min + ", " + max + "]");
  }

  static string Positive(string name, string text, out double value) {
    if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) &&
        !double.IsInfinity(value) && value > 0) {
      return null;
    }
    return Bad(name, text, "a positive number");
  }

  static string Bad(string name, string text, string expected) {
    return "--" + name + ": '" + text + "' is not " + expected + " (--help lists the options)";
  }
}
