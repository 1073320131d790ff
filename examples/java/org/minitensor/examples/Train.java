package org.minitensor.examples;

import java.util.Arrays;
import org.minitensor.Cuda;
import org.minitensor.DType;
import org.minitensor.Device;
import org.minitensor.Minitensor;
import org.minitensor.MinitensorException;

/**
 * mt_train_java: trains MiniTorch's classifier on a toy dataset through the Java bindings and
 * prints its progress as the C demo mt_train_c does (without its plots): a line (loss,
 * accuracy, time) every few epochs and, on a terminal, a live line; on the CPU or a CUDA device
 * (--device cuda); with --distributed, data-parallel under mpirun (DataParallelTraining); with
 * --compile, each minibatch runs a compiled plan of the training step (CompiledStep). With the
 * same options both print the same losses.
 * Exit status: 0 done, 1 a failed call (the library's message is printed) or --device cuda
 * where CUDA is unavailable (the reason is printed), 2 bad options.
 */
public final class Train {
  private Train() {}

  public static void main(String[] args) {
    TrainOptions options;
    try {
      options = TrainOptions.parse(args);
    } catch (TrainOptions.BadOption e) {
      System.err.println(TrainOptions.PROGRAM + ": " + e.getMessage());
      System.exit(2);
      return;
    }
    if (options.help) {
      TrainOptions.printUsage();
      return;
    }
    if (!options.device.equals(Device.CPU) && !Cuda.isAvailable()) {
      System.err.println(
          TrainOptions.PROGRAM + ": CUDA is unavailable: " + Cuda.unavailableReason());
      System.exit(1);
      return;
    }
    try {
      train(options);
    } catch (MinitensorException e) {
      System.err.println(TrainOptions.PROGRAM + ": " + e.getMessage());
      System.exit(1);
    }
  }

  private static void train(TrainOptions options) {
    if (options.backend != null) {
      Minitensor.setBackend(options.backend);
    }
    Minitensor.setNumThreads((int) options.threads);
    // Weights from generator S, points from seed S + 1, as the C demo.
    try (Classifier model = new Classifier(options.dataset, options.points, options.seed + 1,
        options.hidden, options.seed, options.dtype, options.lr, options.batch,
        options.device);
        DataParallelTraining world = options.distributed
            ? new DataParallelTraining(model, options.points, options.batch, options.seed)
            : null;
        CompiledStep plans = options.compile ? new CompiledStep(model) : null) {
      int rank = world != null ? world.rank() : 0;
      if (rank != 0) {
        options.every = 0; // rank 0 shows the progress
      }
      if (rank == 0) {
        System.out.println(header(options));
      }
      double[] times = new double[(int) options.epochs];
      double loss = 0;
      int width = Long.toString(options.epochs).length();
      LiveLine live = new LiveLine(options);
      for (int epoch = 1; epoch <= options.epochs; ++epoch) {
        long start = System.nanoTime();
        if (world != null) {
          loss = world.trainEpoch(model, epoch - 1);
        } else {
          loss = plans != null ? model.trainEpoch(plans) : model.trainEpoch();
        }
        times[epoch - 1] = (System.nanoTime() - start) * 1e-6;
        boolean printed = options.every > 0
            && (epoch % options.every == 0 || epoch == options.epochs);
        boolean redraw = live.due(epoch);
        double accuracy = printed || redraw ? model.accuracy() : 0;
        if (printed) {
          live.clear();
          String lossText = options.exact ? Double.toString(loss) : CFormat.fixed(loss, 6);
          System.out.printf("epoch %" + width + "d  loss %s  accuracy %s%%  %s ms%n", epoch,
              lossText, CFormat.fixed(100 * accuracy, 1, 5), CFormat.fixed(times[epoch - 1], 3));
        }
        if (redraw) {
          live.draw(epoch, loss, accuracy);
        }
      }
      live.clear();
      if (world != null) {
        System.out.printf("rank %d of %d: final loss %s%n", rank, world.size(), loss);
      }
      if (rank != 0) {
        return;
      }
      double mean = Arrays.stream(times).sum() / options.epochs;
      System.out.printf("done: %d epochs, loss %s, accuracy %s%%, %s ms/epoch (median; mean %s)%n",
          options.epochs, CFormat.fixed(loss, 6), CFormat.fixed(100 * model.accuracy(), 1),
          CFormat.fixed(median(times), 3), CFormat.fixed(mean, 3));
      if (plans != null) {
        plans.describe().forEach(System.out::println);
      }
    }
  }

  /** "xor, 50 points, hidden 10, lr 0.05, batch 10, float64, seed 3, backend cpu_par (2
   * threads), device cpu". */
  private static String header(TrainOptions options) {
    String backend = Minitensor.currentBackend();
    String text = String.format(
        "%s, %d points, hidden %d, lr %s, batch %d, %s, seed %d, backend %s",
        options.dataset.datasetName(), options.points, options.hidden,
        CFormat.general(options.lr), options.batch, options.dtype, options.seed, backend);
    // The thread count applies to the parallel backend only.
    if (backend.equals("cpu_par")) {
      text += " (" + Minitensor.numThreads() + " threads)";
    }
    return text + ", device " + options.device + (options.distributed ? ", distributed" : "")
        + (options.compile ? ", compiled" : "");
  }

  /** On a terminal, one line rewritten in place with the epoch, loss, accuracy and the time
   * left, redrawn at most every 0.1 s; clear() erases it before anything else is printed. */
  private static final class LiveLine {
    private static final long PERIOD_NS = 100_000_000;
    private final boolean on;
    private final long epochs;
    private final long start = System.nanoTime();
    private long drawn = start - PERIOD_NS; // draw after the first epoch
    private boolean shown;

    LiveLine(TrainOptions options) {
      on = options.every > 0 && System.console() != null;
      epochs = options.epochs;
    }

    /** Whether to redraw after `epoch`. */
    boolean due(long epoch) {
      return on && epoch < epochs && System.nanoTime() - drawn >= PERIOD_NS;
    }

    void draw(long epoch, double loss, double accuracy) {
      drawn = System.nanoTime();
      double elapsed = (drawn - start) * 1e-9;
      double left = elapsed / epoch * (epochs - epoch);
      System.out.print("\r\u001b[Kepoch " + epoch + "/" + epochs + "  loss "
          + CFormat.fixed(loss, 6) + "  accuracy " + CFormat.fixed(100 * accuracy, 1, 5) + "%  "
          + CFormat.fixed(elapsed, 1) + " s, " + CFormat.fixed(left, 1) + " s left");
      System.out.flush();
      shown = true;
    }

    void clear() {
      if (shown) {
        System.out.print("\r\u001b[K");
        System.out.flush();
        shown = false;
      }
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
