/* Round steps for axis ticks and for how often the demo prints progress. */
#ifndef MT_EXAMPLES_NICE_STEP_H
#define MT_EXAMPLES_NICE_STEP_H

/* The smallest of 1, 2, 5 x 10^k (any integer k) with span / step <= most: at most `most`
 * steps cover `span` (finite and > 0; anything else counts as 1). nice_step(500, 20) is 50,
 * nice_step(0.69, 5) is 0.2. */
double nice_step(double span, double most);

#endif /* MT_EXAMPLES_NICE_STEP_H */
