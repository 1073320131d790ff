package org.minitensor.examples;

import java.util.List;
import org.minitensor.DType;
import org.minitensor.DatasetKind;
import org.minitensor.Device;
import org.minitensor.Minitensor;
import org.minitensor.MinitensorException;

/** The training demo's options, with the C demo's names, ranges and defaults. */
final class TrainOptions {
  static final String PROGRAM = "mt_train_java";

  /** A bad option: the message says which and why. */
  static final class BadOption extends Exception {
    private static final long serialVersionUID = 1L;

    BadOption(String message) {
      super(message);
    }
  }

  DatasetKind dataset = DatasetKind.XOR;
  long points = 50;
  long hidden = 10;
  long epochs = 500;
  double lr = 0.05;
  long batch = 10;
  DType dtype = DType.FLOAT64;
  long seed = 3;
  /** null: the library's default backend. */
  String backend;
  long threads;
  Device device = Device.CPU;
  /** A progress line every `every` epochs and after the last; 0 for none (--quiet). */
  long every = -1;
  boolean exact;
  boolean distributed;
  boolean compile;
  boolean help;

  static void printUsage() {
    System.out.print("usage: " + PROGRAM + " [options]\n"
        + "Trains MiniTorch's classifier (MLP 2 -> H -> H -> 1, relu, sigmoid, binary\n"
        + "cross-entropy, SGD over minibatches in order) on a toy dataset through the Java\n"
        + "bindings and prints its progress.\n"
        + "\n"
        + "  --dataset NAME   simple, diag, split, xor, circle or spiral (default xor)\n"
        + "  --points N       dataset size (default 50)\n"
        + "  --hidden H       width of the two hidden layers (default 10)\n"
        + "  --epochs N       (default 500)\n"
        + "  --lr RATE        SGD learning rate (default 0.05)\n"
        + "  --batch N        points per minibatch (default 10)\n"
        + "  --dtype TYPE     float32 or float64 (default float64)\n"
        + "  --seed S         initial weights from seed S, data points from S + 1 (default 3)\n"
        + "  --backend NAME   cpu_par or cpu_seq (default: the library's, cpu_par)\n"
        + "  --threads N      threads of cpu_par (default 0: MINITENSOR_NUM_THREADS or all)\n"
        + "  --device DEVICE  cpu, cuda or cuda:N: where the model, the data and the training\n"
        + "                   live (default cpu)\n"
        + "  --every N        a progress line every N epochs and after the last (default: the\n"
        + "                   smallest of 1, 2, 5, 10, 20, 50, ... giving at most 20 lines)\n"
        + "  --quiet          no progress lines, only the summary\n"
        + "  --exact          progress lines print the loss so that it reads back exactly\n"
        + "  --distributed    data-parallel over the ranks of mpirun -np N (CPU only): each\n"
        + "                   rank trains on its share of every shuffled batch of --batch\n"
        + "                   points (a multiple of N); rank 0 prints the progress, every rank\n"
        + "                   its final loss\n"
        + "  --compile        capture the training step once per minibatch length and run\n"
        + "                   each minibatch as its compiled plan (fused kernels; the same\n"
        + "                   losses as eager); CPU only, not with --distributed\n"
        + "  --help           this text\n"
        + "Options take their value as --name VALUE or --name=VALUE.\n");
  }

  static TrainOptions parse(String[] args) throws BadOption {
    TrainOptions options = new TrainOptions();
    for (int i = 0; i < args.length; ++i) {
      String arg = args[i];
      switch (arg) {
        case "--help", "-h" -> {
          options.help = true;
          return options;
        }
        case "--quiet" -> options.every = 0;
        case "--exact" -> options.exact = true;
        case "--distributed" -> options.distributed = true;
        case "--compile" -> options.compile = true;
        default -> {
          if (!arg.startsWith("--")) {
            throw new BadOption("unexpected argument '" + arg + "' (--help lists the options)");
          }
          int equals = arg.indexOf('=');
          String name = arg.substring(2, equals < 0 ? arg.length() : equals);
          Setter setter = options.setter(name);
          String value;
          if (equals >= 0) {
            value = arg.substring(equals + 1);
          } else if (i + 1 < args.length) {
            value = args[++i];
          } else {
            throw new BadOption("--" + name + " needs a value");
          }
          setter.set(value);
        }
      }
    }
    if (options.every < 0) {
      options.every = defaultEvery(options.epochs);
    }
    // Plans run on the CPU, and a capture cannot record --distributed's collectives.
    if (options.compile && !options.device.equals(Device.CPU)) {
      throw new BadOption("--compile runs plans on the CPU only, not with --device cuda");
    }
    if (options.compile && options.distributed) {
      throw new BadOption("--compile does not combine with --distributed");
    }
    return options;
  }

  /** --every's default, the C demo's rule: the smallest of 1, 2, 5, 10, 20, 50, ... that
   * prints at most 20 progress lines. */
  static long defaultEvery(long epochs) {
    for (long scale = 1;; scale *= 10) {
      for (long every : new long[] {scale, 2 * scale, 5 * scale}) {
        if (epochs <= 20 * every) {
          return every;
        }
      }
    }
  }

  /** Stores an option's value. */
  @FunctionalInterface
  private interface Setter {
    void set(String value) throws BadOption;
  }

  /** What stores option `name`; BadOption for an unknown name. */
  private Setter setter(String name) throws BadOption {
    return switch (name) {
      case "dataset" -> value -> dataset = datasetNamed(value);
      case "points" -> value -> points = integer(name, value, 1, 10_000_000);
      case "hidden" -> value -> hidden = integer(name, value, 1, 100_000);
      case "epochs" -> value -> epochs = integer(name, value, 1, 100_000_000);
      case "lr" -> value -> lr = positive(name, value);
      case "batch" -> value -> batch = integer(name, value, 1, Long.MAX_VALUE);
      case "dtype" -> value -> dtype = dtypeNamed(value);
      case "seed" -> value -> seed = integer(name, value, 0, Long.MAX_VALUE - 1);
      case "backend" -> value -> backend = backendNamed(value);
      case "threads" -> value -> threads = integer(name, value, 0, 1024);
      case "device" -> value -> device = deviceNamed(value);
      case "every" -> value -> every = integer(name, value, 1, Long.MAX_VALUE);
      default -> throw new BadOption("unknown option '--" + name + "' (--help lists the options)");
    };
  }

  private static BadOption bad(String name, String text, String expected) {
    return new BadOption(
        "--" + name + ": '" + text + "' is not " + expected + " (--help lists the options)");
  }

  private static long integer(String name, String text, long min, long max) throws BadOption {
    try {
      long value = Long.parseLong(text);
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below, with the range
    }
    throw bad(name, text, "an integer in [" + min + ", " + max + "]");
  }

  private static double positive(String name, String text) throws BadOption {
    try {
      double value = Double.parseDouble(text);
      if (Double.isFinite(value) && value > 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw bad(name, text, "a positive number");
  }

  /** The library knows the names; its message lists them. */
  private static DatasetKind datasetNamed(String text) throws BadOption {
    try {
      return DatasetKind.fromName(text);
    } catch (MinitensorException e) {
      throw new BadOption("--dataset: " + e.getMessage());
    }
  }

  private static DType dtypeNamed(String text) throws BadOption {
    for (DType dtype : DType.values()) {
      if (dtype.toString().equals(text)) {
        return dtype;
      }
    }
    throw bad("dtype", text, "float32 or float64");
  }

  private static Device deviceNamed(String text) throws BadOption {
    try {
      return Device.parse(text);
    } catch (IllegalArgumentException e) {
      throw bad("device", text, "cpu, cuda or cuda:N");
    }
  }

  private static String backendNamed(String text) throws BadOption {
    List<String> known = Minitensor.backends();
    if (!known.contains(text)) {
      throw new BadOption("--backend: unknown backend '" + text + "' (known: "
          + String.join(" ", known) + ")");
    }
    return text;
  }
}
