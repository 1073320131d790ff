#include "boundary_plot.h"

#include "svg.h"

/* Layout in px: the unit square is SIZE x SIZE, with margins for the title, ticks and legend. */
#define SIZE 400.0
#define LEFT 64.0
#define TOP 44.0
#define RIGHT 24.0
#define BOTTOM 68.0

static const svg_frame kSquare = {LEFT, TOP, SIZE, SIZE, 0, 1, 0, 1};

/* ColorBrewer RdBu: saturated for the points, light for the background. */
static const svg_rgb kPoint[2] = {{33, 102, 172}, {178, 24, 43}};
static const svg_rgb kLight[2] = {{146, 197, 222}, {244, 165, 130}};
static const svg_rgb kWhite = {247, 247, 247};

static svg_rgb mix(svg_rgb a, svg_rgb b, double t) {
  svg_rgb c;
  c.r = a.r + (b.r - a.r) * t;
  c.g = a.g + (b.g - a.g) * t;
  c.b = a.b + (b.b - a.b) * t;
  return c;
}

/* Light blue at p = 0 through white at 0.5 to light red at 1. */
static svg_rgb background(double p) {
  if (!(p > 0)) p = 0; /* also NaN */
  if (p > 1) p = 1;
  return p < 0.5 ? mix(kLight[0], kWhite, 2 * p) : mix(kWhite, kLight[1], 2 * p - 1);
}

void boundary_grid_points(int grid, double* xy) {
  int i, j;
  for (j = 0; j < grid; ++j) {
    for (i = 0; i < grid; ++i) {
      xy[2 * (j * grid + i)] = (i + 0.5) / grid;
      xy[2 * (j * grid + i) + 1] = (j + 0.5) / grid;
    }
  }
}

/* Row j of cells holds x2 in [j, j + 1) / grid, drawn from the bottom up. */
static void put_cells(FILE* f, const boundary_plot* plot) {
  const int g = plot->grid;
  const double cell = SIZE / g;
  int i, j;
  fputs("<g class=\"probability\" shape-rendering=\"crispEdges\">\n", f);
  for (j = 0; j < g; ++j) {
    for (i = 0; i < g; ++i) {
      fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"",
              svg_x(&kSquare, i * 1.0 / g), svg_y(&kSquare, (j + 1.0) / g), cell, cell);
      svg_colour(f, background(plot->probs[j * g + i]));
      fputs("\"/>\n", f);
    }
  }
  fputs("</g>\n", f);
}

/* The 0.5 level line by marching squares over the cell centres: in each square of four
 * neighbouring samples, the crossings on its edges (found by linear interpolation) are joined
 * in pairs. */
static void put_contour(FILE* f, const boundary_plot* plot) {
  const int g = plot->grid;
  int i, j, k;
  fputs("<path class=\"boundary\" fill=\"none\" stroke-width=\"1.5\" stroke=\"", f);
  svg_colour(f, svg_ink);
  fputs("\" d=\"", f);
  for (j = 0; j + 1 < g; ++j) {
    for (i = 0; i + 1 < g; ++i) {
      /* Corners counter-clockwise from the bottom left, as (i, j) offsets. */
      static const int di[4] = {0, 1, 1, 0}, dj[4] = {0, 0, 1, 1};
      double cx[4], cy[4];
      int found = 0;
      for (k = 0; k < 4; ++k) {
        const int a = k, b = (k + 1) % 4;
        const double va = plot->probs[(j + dj[a]) * g + i + di[a]];
        const double vb = plot->probs[(j + dj[b]) * g + i + di[b]];
        if ((va >= 0.5) != (vb >= 0.5)) {
          const double t = (0.5 - va) / (vb - va);
          cx[found] = (i + di[a] + t * (di[b] - di[a]) + 0.5) / g;
          cy[found] = (j + dj[a] + t * (dj[b] - dj[a]) + 0.5) / g;
          ++found;
        }
      }
      for (k = 0; k + 1 < found; k += 2)
        fprintf(f, "M%.1f %.1fL%.1f %.1f", svg_x(&kSquare, cx[k]), svg_y(&kSquare, cy[k]),
                svg_x(&kSquare, cx[k + 1]), svg_y(&kSquare, cy[k + 1]));
    }
  }
  fputs("\"/>\n", f);
}

static void put_points(FILE* f, const boundary_plot* plot) {
  int64_t n;
  fputs("<g class=\"points\" stroke-width=\"1\" stroke=\"", f);
  svg_colour(f, svg_ink);
  fputs("\">\n", f);
  for (n = 0; n < plot->points; ++n) {
    const int label = plot->labels[n] > 0.5;
    fprintf(f, "<circle class=\"class%d\" cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"", label,
            svg_x(&kSquare, plot->xy[2 * n]), svg_y(&kSquare, plot->xy[2 * n + 1]));
    svg_colour(f, kPoint[label]);
    fputs("\"/>\n", f);
  }
  fputs("</g>\n", f);
}

int boundary_plot_write(const char* path, const boundary_plot* plot) {
  const double legend_y = TOP + SIZE + 58;
  FILE* f = svg_begin(path, LEFT + SIZE + RIGHT, TOP + SIZE + BOTTOM, plot->title, LEFT + SIZE / 2);
  if (!f) return -1;
  put_cells(f, plot);
  put_contour(f, plot);
  svg_border(f, &kSquare);
  svg_axis(f, &kSquare, SVG_AXIS_BOTTOM, 0.25, "x1", svg_ink);
  svg_axis(f, &kSquare, SVG_AXIS_LEFT, 0.25, "x2", svg_ink);
  put_points(f, plot);
  svg_legend_dot(f, LEFT + 16, legend_y, kPoint[0], "class 0");
  svg_legend_dot(f, LEFT + 126, legend_y, kPoint[1], "class 1");
  svg_legend_line(f, LEFT + 240, legend_y, svg_ink, "p(class 1) = 0.5");
  return svg_end(f);
}
