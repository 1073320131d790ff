/*
 * mt_train_c: trains MiniTorch's classifier on a toy dataset through minitensor's C API,
 * prints a line per epoch (loss, accuracy, time) and writes the decision boundary as SVG; on
 * the CPU or a CUDA device (--device cuda).
 *   mt_train_c [--dataset xor] [--hidden 10] [--epochs 500] ... (--help lists them)
 * Exit status: 0 done, 1 a failed call (the library's message is printed) or --device cuda
 * where CUDA is unavailable (the reason is printed), 2 bad options.
 */
#define _POSIX_C_SOURCE 200112L /* clock_gettime */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <minitensor/minitensor.h>

#include "boundary_plot.h"
#include "classifier.h"
#include "options.h"

#define GRID 50 /* cells per side of the plotted probability grid */

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

static int compare_doubles(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

/* The median of `n` values; sorts them. */
static double median(double* values, int64_t n) {
  qsort(values, (size_t)n, sizeof *values, compare_doubles);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

static int digits(int64_t n) {
  int d = 1;
  while (n >= 10) {
    n /= 10;
    ++d;
  }
  return d;
}

/* The plot: the model's probabilities on the grid, the data points, a title. Returns 0, or 1
 * after printing why it failed. */
static int write_plot(const classifier* model, const options* opt, double accuracy) {
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
  sprintf(title, "%s: %lld points, H = %lld, %lld epochs, accuracy %.1f%%",
          mt_dataset_name(opt->dataset), (long long)opt->points, (long long)opt->hidden,
          (long long)opt->epochs, 100 * accuracy);
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
  failed = 0;

done:
  free(labels);
  free(xy);
  free(probs);
  free(grid_xy);
  return failed;
}

int main(int argc, char** argv) {
  classifier model = CLASSIFIER_EMPTY;
  classifier_config config;
  options opt;
  double* times = NULL;
  double loss = 0, accuracy = 0, total_ms = 0;
  int32_t status = MT_OK;
  int failed = 0;
  int64_t epoch;

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
  if (status != MT_OK) goto done;

  times = malloc(sizeof *times * (size_t)opt.epochs);
  if (!times) {
    fprintf(stderr, "mt_train_c: out of memory for %lld epoch times\n", (long long)opt.epochs);
    failed = 1;
    goto done;
  }
  printf("%s, %lld points, hidden %lld, lr %g, batch %lld, %s, seed %lld, backend %s",
         mt_dataset_name(opt.dataset), (long long)opt.points, (long long)opt.hidden, opt.lr,
         (long long)opt.batch, opt.dtype == MT_FLOAT32 ? "float32" : "float64", (long long)opt.seed,
         mt_current_backend());
  /* The thread count applies to the parallel backend only. */
  if (strcmp(mt_current_backend(), "cpu_par") == 0) printf(" (%d threads)", (int)mt_num_threads());
  if (opt.device.type == MT_DEVICE_CPU)
    printf(", device cpu\n");
  else
    printf(", device cuda:%d\n", (int)opt.device.index);

  for (epoch = 1; epoch <= opt.epochs; ++epoch) {
    const double start = now_ms();
    status = classifier_train_epoch(&model, &loss);
    if (status != MT_OK) goto done;
    times[epoch - 1] = now_ms() - start;
    total_ms += times[epoch - 1];
    if (opt.every && (epoch % opt.every == 0 || epoch == 1 || epoch == opt.epochs)) {
      status = classifier_accuracy(&model, &accuracy);
      if (status != MT_OK) goto done;
      char loss_text[32];
      snprintf(loss_text, sizeof loss_text, opt.exact ? "%.17g" : "%.6f", loss);
      printf("epoch %*lld  loss %s  accuracy %5.1f%%  %.3f ms\n", digits(opt.epochs),
             (long long)epoch, loss_text, 100 * accuracy, times[epoch - 1]);
    }
  }
  status = classifier_accuracy(&model, &accuracy);
  if (status != MT_OK) goto done;
  printf("done: %lld epochs, loss %.6f, accuracy %.1f%%, %.3f ms/epoch (median; mean %.3f)\n",
         (long long)opt.epochs, loss, 100 * accuracy, median(times, opt.epochs),
         total_ms / (double)opt.epochs);

  failed = write_plot(&model, &opt, accuracy);
  if (!failed) printf("decision boundary (%dx%d grid): %s\n", GRID, GRID, opt.svg_path);

done:
  if (status != MT_OK) fprintf(stderr, "mt_train_c: %s\n", mt_last_error());
  free(times);
  classifier_release(&model);
  return status != MT_OK || failed ? 1 : 0;
}
