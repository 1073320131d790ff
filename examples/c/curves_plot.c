#include "curves_plot.h"

#include <math.h>

#include "nice_step.h"
#include "svg.h"

/* Layout in px: the plot area, with margins for the title, the three axes and the legend. */
#define WIDTH 400.0
#define HEIGHT 260.0
#define LEFT 64.0
#define TOP 44.0
#define RIGHT 64.0
#define BOTTOM 68.0
#define TICKS 5 /* about as many ticks per axis */

static const svg_rgb kLoss = {33, 102, 172};    /* RdBu blue, as class 0 */
static const svg_rgb kAccuracy = {178, 24, 43}; /* RdBu red, as class 1 */

/* The largest finite value, or 0 where there is none. */
static double largest(const double* values, int64_t n) {
  double most = 0;
  int64_t i;
  for (i = 0; i < n; ++i)
    if (isfinite(values[i]) && values[i] > most) most = values[i];
  return most;
}

/* Epoch e at x = e, value * scale at y; values outside the frame (NaN too) at its top or
 * bottom edge. */
static void put_series(FILE* f, const char* name, const svg_frame* frame, const double* values,
                       int64_t epochs, double scale, svg_rgb colour) {
  int64_t e;
  fprintf(f, "<polyline id=\"%s\" class=\"series\" fill=\"none\" stroke-width=\"1.5\" stroke=\"",
          name);
  svg_colour(f, colour);
  fputs("\"\n  data-values=\"", f);
  for (e = 0; e < epochs; ++e)
    fprintf(f, e ? " %.17g" : "%.17g", values[e]);
  fputs("\"\n  points=\"", f);
  for (e = 0; e < epochs; ++e) {
    double y = values[e] * scale;
    if (!(y <= frame->y1)) y = frame->y1;
    if (y < frame->y0) y = frame->y0;
    fprintf(f, e ? " %.2f,%.2f" : "%.2f,%.2f", svg_x(frame, (double)(e + 1)), svg_y(frame, y));
  }
  fputs("\"/>\n", f);
}

int curves_plot_write(const char* path, const curves_plot* plot) {
  const double most_loss = largest(plot->loss, plot->epochs);
  const double loss_step = nice_step(most_loss, TICKS);
  const double epoch_step = nice_step((double)plot->epochs, TICKS);
  const double legend_y = TOP + HEIGHT + 58;
  svg_frame loss = {LEFT, TOP, WIDTH, HEIGHT, 0, 0, 0, 0}, accuracy;
  FILE* f;

  loss.x1 = (double)plot->epochs;
  loss.y1 = loss_step * ceil(most_loss / loss_step);
  if (!(loss.y1 > 0)) loss.y1 = loss_step; /* every loss 0 (or none finite) */
  accuracy = loss;
  accuracy.y1 = 100;

  f = svg_begin(path, LEFT + WIDTH + RIGHT, TOP + HEIGHT + BOTTOM, plot->title, LEFT + WIDTH / 2);
  if (!f) return -1;
  svg_border(f, &loss);
  svg_axis(f, &loss, SVG_AXIS_BOTTOM, epoch_step < 1 ? 1 : epoch_step, "epoch", svg_ink);
  svg_axis(f, &loss, SVG_AXIS_LEFT, loss_step, "loss", kLoss);
  svg_axis(f, &accuracy, SVG_AXIS_RIGHT, nice_step(100, TICKS), "accuracy (%)", kAccuracy);
  put_series(f, "loss", &loss, plot->loss, plot->epochs, 1, kLoss);
  put_series(f, "accuracy", &accuracy, plot->accuracy, plot->epochs, 100, kAccuracy);
  svg_legend_line(f, LEFT + 16, legend_y, kLoss, "loss (binary cross-entropy)");
  svg_legend_line(f, LEFT + 236, legend_y, kAccuracy, "accuracy");
  return svg_end(f);
}
