/*
 * The SVG plot of training curves: the mean loss (left axis) and the accuracy (right axis, in
 * percent) after every epoch. Each series is a <polyline> with id "loss" or "accuracy" and
 * class "series", one point per epoch, which also carries its values in its data-values
 * attribute (the accuracy as a fraction; 17 significant digits, so that they read back
 * exactly). Plain C, no minitensor calls.
 */
#ifndef MT_EXAMPLES_CURVES_PLOT_H
#define MT_EXAMPLES_CURVES_PLOT_H

#include <stdint.h>

typedef struct curves_plot {
  const char* title;
  int64_t epochs;         /* >= 1 */
  const double* loss;     /* epochs mean losses, epoch 1 first */
  const double* accuracy; /* epochs accuracies in [0, 1] */
} curves_plot;

/* Writes the plot to `path`: 0, or -1 with errno set. */
int curves_plot_write(const char* path, const curves_plot* plot);

#endif /* MT_EXAMPLES_CURVES_PLOT_H */
