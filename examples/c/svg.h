/*
 * The SVG pieces both of the demo's plots are drawn with (boundary_plot.c, curves_plot.c): the
 * document and its title, a frame that maps data to px, axes with ticks and labels, text and
 * legend entries. Plain C, no minitensor calls.
 */
#ifndef MT_EXAMPLES_SVG_H
#define MT_EXAMPLES_SVG_H

#include <stdio.h>

typedef struct svg_rgb {
  double r, g, b; /* 0 to 255 */
} svg_rgb;

extern const svg_rgb svg_ink; /* the near-black of frames, text and outlines */

/* A plot area in px and the data ranges it shows, x0..x1 left to right, y0..y1 bottom to top
 * (SVG's y points down). */
typedef struct svg_frame {
  double left, top, width, height;
  double x0, x1, y0, y1;
} svg_frame;

double svg_x(const svg_frame* frame, double x);
double svg_y(const svg_frame* frame, double y);

/* Creates `path` and writes the document's start: a width x height white page and the title
 * centred on x = title_x. The file, or NULL with errno set. */
FILE* svg_begin(const char* path, double width, double height, const char* title, double title_x);
/* Writes the document's end and closes the file: 0, or -1 with errno set if a write failed. */
int svg_end(FILE* f);

/* Writes "#rrggbb". */
void svg_colour(FILE* f, svg_rgb c);
/* A line of 12 px sans-serif text; anchor is "start", "middle" or "end"; `text` is escaped. */
void svg_text(FILE* f, double x, double y, const char* anchor, svg_rgb colour, const char* text);

/* The frame's border. */
void svg_border(FILE* f, const svg_frame* frame);

typedef enum { SVG_AXIS_BOTTOM, SVG_AXIS_LEFT, SVG_AXIS_RIGHT } svg_axis_side;
/* An axis on one side of the frame: a tick at every multiple of `step` in the frame's range,
 * labelled with printf's %g, and the axis title `label`, all in `colour`. */
void svg_axis(FILE* f, const svg_frame* frame, svg_axis_side side, double step, const char* label,
              svg_rgb colour);

/* Legend entries, a marker and its text starting at x, on the text baseline y. */
void svg_legend_dot(FILE* f, double x, double y, svg_rgb colour, const char* text);
void svg_legend_line(FILE* f, double x, double y, svg_rgb colour, const char* text);

#endif /* MT_EXAMPLES_SVG_H */
