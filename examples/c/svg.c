#include "svg.h"

#include <math.h>

const svg_rgb svg_ink = {26, 26, 26};

#define FONT "font-family=\"sans-serif\" font-size=\"12\""

double svg_x(const svg_frame* frame, double x) {
  return frame->left + (x - frame->x0) / (frame->x1 - frame->x0) * frame->width;
}

double svg_y(const svg_frame* frame, double y) {
  return frame->top + (frame->y1 - y) / (frame->y1 - frame->y0) * frame->height;
}

void svg_colour(FILE* f, svg_rgb c) {
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

static void put_line(FILE* f, double x1, double y1, double x2, double y2, svg_rgb colour,
                     double width) {
  fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke-width=\"%g\" stroke=\"",
          x1, y1, x2, y2, width);
  svg_colour(f, colour);
  fputs("\"/>", f);
}

/* svg_text, turned by `degrees` about (x, y) when not 0. */
static void put_text(FILE* f, double x, double y, const char* anchor, svg_rgb colour,
                     double degrees, const char* text) {
  fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" " FONT " fill=\"", x, y, anchor);
  svg_colour(f, colour);
  fputc('"', f);
  if (degrees != 0) fprintf(f, " transform=\"rotate(%g %.1f %.1f)\"", degrees, x, y);
  fputc('>', f);
  put_escaped(f, text);
  fputs("</text>\n", f);
}

void svg_text(FILE* f, double x, double y, const char* anchor, svg_rgb colour, const char* text) {
  put_text(f, x, y, anchor, colour, 0, text);
}

FILE* svg_begin(const char* path, double width, double height, const char* title, double title_x) {
  FILE* f = fopen(path, "w");
  if (!f) return NULL;
  fprintf(f,
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%g\" height=\"%g\" "
          "viewBox=\"0 0 %g %g\">\n",
          width, height, width, height);
  fputs("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n", f);
  fprintf(f,
          "<text class=\"title\" x=\"%g\" y=\"26\" text-anchor=\"middle\" "
          "font-family=\"sans-serif\" font-size=\"14\">",
          title_x);
  put_escaped(f, title);
  fputs("</text>\n", f);
  return f;
}

int svg_end(FILE* f) {
  int failed;
  fputs("</svg>\n", f);
  failed = ferror(f);
  if (fclose(f) != 0) failed = 1;
  return failed ? -1 : 0;
}

void svg_border(FILE* f, const svg_frame* frame) {
  fprintf(f, "<rect x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\" fill=\"none\" stroke=\"",
          frame->left, frame->top, frame->width, frame->height);
  svg_colour(f, svg_ink);
  fputs("\"/>\n", f);
}

void svg_axis(FILE* f, const svg_frame* frame, svg_axis_side side, double step, const char* label,
              svg_rgb colour) {
  static const char* const kNames[3] = {"bottom", "left", "right"};
  const int vertical = side != SVG_AXIS_BOTTOM;
  const double low = vertical ? frame->y0 : frame->x0, high = vertical ? frame->y1 : frame->x1;
  /* Where the ticks start and point: outwards from the frame's edge. */
  const double edge = side == SVG_AXIS_BOTTOM ? frame->top + frame->height
                      : side == SVG_AXIS_LEFT ? frame->left
                                              : frame->left + frame->width;
  const double out = side == SVG_AXIS_LEFT ? -1 : 1;
  double k;
  char text[32];

  fprintf(f, "<g class=\"axis %s\">\n", kNames[side]);
  /* k * step for every integer k in [low, high], with slack for rounding. */
  for (k = ceil(low / step - 1e-9); k * step <= high + 1e-9 * step; ++k) {
    const double at = vertical ? svg_y(frame, k * step) : svg_x(frame, k * step);
    snprintf(text, sizeof text, "%g", k * step + 0.0); /* + 0.0: no "-0" */
    if (vertical) {
      put_line(f, edge, at, edge + 5 * out, at, colour, 1);
      put_text(f, edge + 8 * out, at + 4, out < 0 ? "end" : "start", colour, 0, text);
    } else {
      put_line(f, at, edge, at, edge + 5, colour, 1);
      put_text(f, at, edge + 19, "middle", colour, 0, text);
    }
  }
  if (vertical)
    put_text(f, edge + 46 * out, frame->top + frame->height / 2, "middle", colour, -90, label);
  else
    put_text(f, frame->left + frame->width / 2, edge + 36, "middle", colour, 0, label);
  fputs("</g>\n", f);
}

void svg_legend_dot(FILE* f, double x, double y, svg_rgb colour, const char* text) {
  fprintf(f, "<circle cx=\"%g\" cy=\"%g\" r=\"4.5\" stroke=\"", x + 4.5, y - 4);
  svg_colour(f, svg_ink);
  fputs("\" fill=\"", f);
  svg_colour(f, colour);
  fputs("\"/>\n", f);
  svg_text(f, x + 14, y, "start", svg_ink, text);
}

void svg_legend_line(FILE* f, double x, double y, svg_rgb colour, const char* text) {
  put_line(f, x, y - 4, x + 22, y - 4, colour, 2);
  svg_text(f, x + 28, y, "start", svg_ink, text);
}
