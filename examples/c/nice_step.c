#include "nice_step.h"

#include <float.h>

double nice_step(double span, double most) {
  static const double kMantissas[3] = {1, 2, 5};
  double scale = 1;
  int i;
  if (!(span > 0 && span <= DBL_MAX)) span = 1; /* also NaN and infinity */
  /* The largest power of ten with scale * most <= span: a smaller step never fits. */
  while (scale * most > span)
    scale /= 10;
  while (scale * 10 * most <= span)
    scale *= 10;
  for (;; scale *= 10) {
    for (i = 0; i < 3; ++i)
      if (span / (kMantissas[i] * scale) <= most) return kMantissas[i] * scale;
  }
}
