/*
 * The SVG plot of a binary classifier's decision boundary over the unit square: the predicted
 * probability on a grid of cells as a blue (class 0) to red (class 1) blend, the 0.5 contour,
 * and the data points coloured by their true label. Plain C, no minitensor calls.
 */
#ifndef MT_EXAMPLES_BOUNDARY_PLOT_H
#define MT_EXAMPLES_BOUNDARY_PLOT_H

#include <stdint.h>

typedef struct boundary_plot {
  const char* title;
  int grid;             /* cells per side */
  const double* probs;  /* grid * grid probabilities of class 1, in boundary_grid_points' order */
  int64_t points;       /* data points */
  const double* xy;     /* 2 * points coordinates (x1, x2) in [0, 1] */
  const double* labels; /* points labels, 0 or 1 */
} boundary_plot;

/* The centres of the grid * grid cells as (x1, x2) pairs, row by row from x2 = 0 up: the
 * points at which boundary_plot_write expects the probabilities. `xy` holds 2 * grid * grid
 * doubles. */
void boundary_grid_points(int grid, double* xy);

/* Writes the plot to `path`: 0, or -1 with errno set. */
int boundary_plot_write(const char* path, const boundary_plot* plot);

#endif /* MT_EXAMPLES_BOUNDARY_PLOT_H */
