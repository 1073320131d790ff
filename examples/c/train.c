/*
 * mt_train_c: trains MiniTorch's classifier on a toy dataset through minitensor's C API,
 * prints its progress (a line every few epochs and, on a terminal, a live line; progress.h),
 * and writes the decision boundary and the loss and accuracy curves as SVG; on the CPU or a
 * CUDA device (--device cuda); data-parallel under mpirun with --distributed; each minibatch
 * as a compiled plan of the training step with --compile.
 *   mt_train_c [--dataset xor] [--hidden 10] [--epochs 500] ... (--help lists them)
 * Exit status: 0 done, 1 a failed call (the library's message is printed) or --device cuda
 * where CUDA is unavailable (the reason is printed), 2 bad options.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <minitensor/minitensor.h>

#include "boundary_plot.h"
#include "classifier.h"
#include "compiled_step.h"
#include "curves_plot.h"
#include "distributed.h"
#include "options.h"
#include "progress.h"

#define GRID 50 /* cells per side of the plotted probability grid */

/* What every epoch left: its time, the mean loss and the accuracy after it. */
typedef struct history {
  double* ms;
  double* loss;
  double* accuracy;
} history;

static int compare_doubles(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

/* The median of `n` values; sorts them. */
static double median(double* values, int64_t n) {
  qsort(values, (size_t)n, sizeof *values, compare_doubles);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

/* "xor: 50 points, H = 10": how both plots' titles start. */
static void describe(char* out, size_t size, const options* opt) {
  snprintf(out, size, "%s: %lld points, H = %lld", mt_dataset_name(opt->dataset),
           (long long)opt->points, (long long)opt->hidden);
}

/* The decision boundary: the model's probabilities on the grid, the data points, a title.
 * Returns 0, or 1 after printing why it failed. */
static int write_boundary(const classifier* model, const options* opt, double accuracy) {
  const int64_t cells = (int64_t)GRID * GRID;
  double* grid_xy = malloc(sizeof(double) * 2 * (size_t)cells);
  double* probs = malloc(sizeof(double) * (size_t)cells);
  double* xy = malloc(sizeof(double) * 2 * (size_t)model->points);
  double* labels = malloc(sizeof(double) * (size_t)model->points);
  char title[200];
  boundary_plot plot;
  int32_t status = MT_OK;
  int failed = 1;

  if (!grid_xy || !probs || !xy || !labels) {
    fprintf(stderr, "mt_train_c: out of memory for the plot\n");
    goto done;
  }
  boundary_grid_points(GRID, grid_xy);
  status = classifier_probabilities(model, grid_xy, cells, probs);
  if (status == MT_OK) status = mt_to_buffer(model->x, xy, MT_FLOAT64, 2 * model->points);
  if (status == MT_OK) status = mt_to_buffer(model->y, labels, MT_FLOAT64, model->points);
  if (status != MT_OK) {
    fprintf(stderr, "mt_train_c: %s\n", mt_last_error());
    goto done;
  }
  describe(title, sizeof title, opt);
  sprintf(title + strlen(title), ", %lld epochs, accuracy %.1f%%", (long long)opt->epochs,
          100 * accuracy);
  plot.title = title;
  plot.grid = GRID;
  plot.probs = probs;
  plot.points = model->points;
  plot.xy = xy;
  plot.labels = labels;
  if (boundary_plot_write(opt->svg_path, &plot) != 0) {
    fprintf(stderr, "mt_train_c: cannot write %s: %s\n", opt->svg_path, strerror(errno));
    goto done;
  }
  printf("decision boundary (%dx%d grid): %s\n", GRID, GRID, opt->svg_path);
  failed = 0;

done:
  free(labels);
  free(xy);
  free(probs);
  free(grid_xy);
  return failed;
}

/* The loss and accuracy of every epoch. Returns 0, or 1 after printing why it failed. */
static int write_curves(const history* h, const options* opt) {
  char title[200];
  curves_plot plot;
  describe(title, sizeof title, opt);
  sprintf(title + strlen(title), ", lr %g, batch %lld", opt->lr, (long long)opt->batch);
  plot.title = title;
  plot.epochs = opt->epochs;
  plot.loss = h->loss;
  plot.accuracy = h->accuracy;
  if (curves_plot_write(opt->curves_path, &plot) != 0) {
    fprintf(stderr, "mt_train_c: cannot write %s: %s\n", opt->curves_path, strerror(errno));
    return 1;
  }
  printf("training curves (%lld epochs): %s\n", (long long)opt->epochs, opt->curves_path);
  return 0;
}

int main(int argc, char** argv) {
  classifier model = CLASSIFIER_EMPTY;
  compiled_step plans = COMPILED_STEP_EMPTY;
  distributed world;
  classifier_config config;
  options opt;
  history h = {NULL, NULL, NULL};
  progress shown;
  double total_ms = 0;
  int32_t status = MT_OK;
  int failed = 0;
  int64_t epoch, last;

  memset(&world, 0, sizeof world);
  switch (options_parse(argc, argv, &opt)) {
    case OPTIONS_HELP: return 0;
    case OPTIONS_BAD: return 2;
    default: break;
  }
  if (opt.device.type == MT_DEVICE_CUDA) {
    const char* reason = mt_device_unavailable_reason(MT_DEVICE_CUDA);
    if (*reason) {
      fprintf(stderr, "mt_train_c: CUDA is unavailable: %s\n", reason);
      return 1;
    }
  }
  if (opt.backend) status = mt_set_backend(opt.backend);
  if (status == MT_OK) status = mt_set_num_threads((int32_t)opt.threads);

  /* Weights from generator S, points from seed S + 1: the default S = 3 gives the model and
   * the points of the C++ demo mt_train (Generator(3), make_dataset(..., 4, ...)). */
  config.dataset = opt.dataset;
  config.points = opt.points;
  config.data_seed = (uint64_t)opt.seed + 1;
  config.hidden = opt.hidden;
  config.model_seed = (uint64_t)opt.seed;
  config.dtype = opt.dtype;
  config.lr = opt.lr;
  config.batch = opt.batch;
  config.device_type = opt.device.type;
  config.device_index = opt.device.index;
  if (status == MT_OK) status = classifier_create(&config, &model);
  if (status == MT_OK && opt.distributed)
    status = distributed_create(&model, (uint64_t)opt.seed, &world);
  if (status != MT_OK) goto done;
  if (world.rank != 0) opt.every = 0; /* rank 0 shows the progress */

  /* One block: the times, the losses, the accuracies. */
  h.ms = malloc(sizeof(double) * 3 * (size_t)opt.epochs);
  if (!h.ms) {
    fprintf(stderr, "mt_train_c: out of memory for the history of %lld epochs\n",
            (long long)opt.epochs);
    failed = 1;
    goto done;
  }
  h.loss = h.ms + opt.epochs;
  h.accuracy = h.loss + opt.epochs;
  if (world.rank == 0)
    printf("%s, %lld points, hidden %lld, lr %g, batch %lld, %s, seed %lld, backend %s",
           mt_dataset_name(opt.dataset), (long long)opt.points, (long long)opt.hidden, opt.lr,
           (long long)opt.batch, opt.dtype == MT_FLOAT32 ? "float32" : "float64",
           (long long)opt.seed, mt_current_backend());
  /* The thread count applies to the parallel backend only. */
  if (world.rank == 0 && strcmp(mt_current_backend(), "cpu_par") == 0)
    printf(" (%d threads)", (int)mt_num_threads());
  if (world.rank == 0 && opt.device.type == MT_DEVICE_CPU)
    printf(", device cpu%s\n", opt.distributed ? ", distributed" : opt.compile ? ", compiled" : "");
  else if (world.rank == 0)
    printf(", device cuda:%d\n", (int)opt.device.index);

  progress_start(&shown, opt.epochs, opt.every, opt.exact);
  for (epoch = 1; epoch <= opt.epochs; ++epoch) {
    const double start = progress_now_ms();
    const int64_t i = epoch - 1;
    if (opt.distributed)
      status = distributed_train_epoch(&world, &model, i, &h.loss[i]);
    else if (opt.compile)
      status = classifier_train_epoch_by(&model, compiled_step_train_batch, &plans, &h.loss[i]);
    else
      status = classifier_train_epoch(&model, &h.loss[i]);
    h.ms[i] = progress_now_ms() - start;
    if (status == MT_OK) status = classifier_accuracy(&model, &h.accuracy[i]);
    if (status != MT_OK) {
      progress_clear(&shown);
      goto done;
    }
    total_ms += h.ms[i];
    progress_epoch(&shown, epoch, h.loss[i], h.accuracy[i], h.ms[i]);
  }
  progress_clear(&shown);
  last = opt.epochs - 1;
  if (opt.distributed)
    printf("rank %d of %d: final loss %.17g\n", (int)world.rank, (int)world.size, h.loss[last]);
  if (world.rank != 0) goto done;
  printf("done: %lld epochs, loss %.6f, accuracy %.1f%%, %.3f ms/epoch (median; mean %.3f)\n",
         (long long)opt.epochs, h.loss[last], 100 * h.accuracy[last], median(h.ms, opt.epochs),
         total_ms / (double)opt.epochs);
  status = compiled_step_describe(&plans);
  if (status != MT_OK) goto done;
  failed = write_boundary(&model, &opt, h.accuracy[last]);
  if (write_curves(&h, &opt) != 0) failed = 1;

done:
  if (status != MT_OK) fprintf(stderr, "mt_train_c: %s\n", distributed_error());
  free(h.ms);
  distributed_release(&world);
  compiled_step_release(&plans);
  classifier_release(&model);
  return status != MT_OK || failed ? 1 : 0;
}
