#include "svg.h"

#include <stdio.h>

/* Layout in px: the unit square is SIZE x SIZE, with margins for the title, ticks and legend. */
#define SIZE 400.0
#define LEFT 64.0
#define TOP 44.0
#define RIGHT 24.0
#define BOTTOM 68.0

typedef struct rgb {
  double r, g, b;
} rgb;

/* ColorBrewer RdBu: saturated for the points, light for the background. */
static const rgb kPoint[2] = {{33, 102, 172}, {178, 24, 43}};
static const rgb kLight[2] = {{146, 197, 222}, {244, 165, 130}};
static const rgb kWhite = {247, 247, 247};

/* Unit square to SVG coordinates; SVG's y points down, the plot's up. */
static double px(double x1) { return LEFT + x1 * SIZE; }
static double py(double x2) { return TOP + (1 - x2) * SIZE; }

static rgb mix(rgb a, rgb b, double t) {
  rgb c;
  c.r = a.r + (b.r - a.r) * t;
  c.g = a.g + (b.g - a.g) * t;
  c.b = a.b + (b.b - a.b) * t;
  return c;
}

/* Light blue at p = 0 through white at 0.5 to light red at 1. */
static rgb background(double p) {
  if (!(p > 0)) p = 0; /* also NaN */
  if (p > 1) p = 1;
  return p < 0.5 ? mix(kLight[0], kWhite, 2 * p) : mix(kWhite, kLight[1], 2 * p - 1);
}

static void put_colour(FILE* f, rgb c) {
  fprintf(f, "#%02x%02x%02x", (unsigned)(c.r + 0.5), (unsigned)(c.g + 0.5), (unsigned)(c.b + 0.5));
}

static void put_escaped(FILE* f, const char* text) {
  for (; *text; ++text) {
    switch (*text) {
      case '&': fputs("&amp;", f); break;
      case '<': fputs("&lt;", f); break;
      case '>': fputs("&gt;", f); break;
      default: fputc(*text, f);
    }
  }
}

void svg_grid_points(int grid, double* xy) {
  int i, j;
  for (j = 0; j < grid; ++j) {
    for (i = 0; i < grid; ++i) {
      xy[2 * (j * grid + i)] = (i + 0.5) / grid;
      xy[2 * (j * grid + i) + 1] = (j + 0.5) / grid;
    }
  }
}

/* The 0.5 level line by marching squares over the cell centres: in each square of four
 * neighbouring samples, the crossings on its edges (found by linear interpolation) are joined
 * in pairs. */
static void put_contour(FILE* f, const svg_plot* plot) {
  const int g = plot->grid;
  int i, j, k;
  fputs("<path fill=\"none\" stroke=\"#1a1a1a\" stroke-width=\"1.5\" d=\"", f);
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
        fprintf(f, "M%.1f %.1fL%.1f %.1f", px(cx[k]), py(cy[k]), px(cx[k + 1]), py(cy[k + 1]));
    }
  }
  fputs("\"/>\n", f);
}

static void put_axes(FILE* f) {
  int k;
  fprintf(f,
          "<rect x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\" fill=\"none\" stroke=\"#1a1a1a\"/>\n",
          LEFT, TOP, SIZE, SIZE);
  fputs("<g font-family=\"sans-serif\" font-size=\"12\" fill=\"#1a1a1a\" stroke=\"#1a1a1a\">\n", f);
  for (k = 0; k <= 4; ++k) {
    const double t = k / 4.0;
    fprintf(f, "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\"/>", px(t), TOP + SIZE, px(t),
            TOP + SIZE + 5);
    fprintf(f, "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\" stroke=\"none\">%g</text>\n", px(t),
            TOP + SIZE + 19, t);
    fprintf(f, "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\"/>", LEFT - 5, py(t), LEFT, py(t));
    fprintf(f, "<text x=\"%g\" y=\"%g\" text-anchor=\"end\" stroke=\"none\">%g</text>\n", LEFT - 8,
            py(t) + 4, t);
  }
  fprintf(f, "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\" stroke=\"none\">x1</text>\n", px(0.5),
          TOP + SIZE + 36);
  fprintf(f,
          "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\" stroke=\"none\" "
          "transform=\"rotate(-90 %g %g)\">x2</text>\n",
          LEFT - 44, py(0.5), LEFT - 44, py(0.5));
  fputs("</g>\n", f);
}

static void put_legend(FILE* f) {
  const double y = TOP + SIZE + 58;
  int k;
  fputs("<g font-family=\"sans-serif\" font-size=\"12\" fill=\"#1a1a1a\">\n", f);
  for (k = 0; k < 2; ++k) {
    const double x = LEFT + 20 + 110 * k;
    fprintf(f, "<circle cx=\"%g\" cy=\"%g\" r=\"4.5\" stroke=\"#1a1a1a\" fill=\"", x, y - 4);
    put_colour(f, kPoint[k]);
    fprintf(f, "\"/><text x=\"%g\" y=\"%g\">class %d</text>\n", x + 9, y, k);
  }
  fprintf(f,
          "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"#1a1a1a\" stroke-width=\"1.5\"/>",
          LEFT + 240, y - 4, LEFT + 262, y - 4);
  fprintf(f, "<text x=\"%g\" y=\"%g\">p(class 1) = 0.5</text>\n", LEFT + 268, y);
  fputs("</g>\n", f);
}

int svg_write(const char* path, const svg_plot* plot) {
  const int g = plot->grid;
  const double cell = SIZE / g;
  int i, j, failed;
  int64_t n;
  FILE* f = fopen(path, "w");
  if (!f) return -1;

  fprintf(f,
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%g\" height=\"%g\" "
          "viewBox=\"0 0 %g %g\">\n",
          LEFT + SIZE + RIGHT, TOP + SIZE + BOTTOM, LEFT + SIZE + RIGHT, TOP + SIZE + BOTTOM);
  fputs("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n", f);
  fprintf(f,
          "<text x=\"%g\" y=\"26\" text-anchor=\"middle\" font-family=\"sans-serif\" "
          "font-size=\"14\">",
          LEFT + SIZE / 2);
  put_escaped(f, plot->title);
  fputs("</text>\n", f);

  /* Row j of cells holds x2 in [j, j + 1) / grid, drawn from the bottom up. */
  fputs("<g shape-rendering=\"crispEdges\">\n", f);
  for (j = 0; j < g; ++j) {
    for (i = 0; i < g; ++i) {
      fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"",
              px(i * 1.0 / g), py((j + 1.0) / g), cell, cell);
      put_colour(f, background(plot->probs[j * g + i]));
      fputs("\"/>\n", f);
    }
  }
  fputs("</g>\n", f);
  put_contour(f, plot);
  put_axes(f);

  fputs("<g stroke=\"#1a1a1a\" stroke-width=\"1\">\n", f);
  for (n = 0; n < plot->points; ++n) {
    fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"", px(plot->xy[2 * n]),
            py(plot->xy[2 * n + 1]));
    put_colour(f, kPoint[plot->labels[n] > 0.5]);
    fputs("\"/>\n", f);
  }
  fputs("</g>\n", f);
  put_legend(f);
  fputs("</svg>\n", f);

  failed = ferror(f);
  if (fclose(f) != 0) failed = 1;
  return failed ? -1 : 0;
}
