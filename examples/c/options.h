/* mt_train_c's command line. */
#ifndef MT_EXAMPLES_OPTIONS_H
#define MT_EXAMPLES_OPTIONS_H

#include <stdint.h>
#include <stdio.h>

/* Where the model and the data live: MT_DEVICE_CPU (index 0) or MT_DEVICE_CUDA and an index. */
typedef struct device_option {
  int32_t type;
  int32_t index;
} device_option;

typedef struct options {
  int32_t dataset; /* MT_DATASET_* */
  int64_t points;
  int64_t hidden;
  int64_t epochs;
  double lr;
  int64_t batch;
  int32_t dtype;       /* MT_FLOAT32 or MT_FLOAT64 */
  int64_t seed;        /* model weights from a generator seeded `seed`, data points from seed + 1 */
  const char* backend; /* NULL: the library's default */
  int64_t threads;     /* 0: the library's default */
  device_option device;
  const char* svg_path;    /* the decision boundary's plot */
  const char* curves_path; /* the loss and accuracy curves' plot */
  int64_t every;           /* a progress line every `every` epochs and after the last; 0: none */
  int exact;       /* progress lines print the loss with 17 digits (it reads back exactly) */
  int distributed; /* data-parallel over the launcher's ranks (distributed.h) */
  int compile;     /* each minibatch runs a compiled plan of the training step (compiled_step.h) */
} options;

enum { OPTIONS_RUN, OPTIONS_HELP, OPTIONS_BAD };

/* The default of --every for `epochs` epochs: the smallest of 1, 2, 5, 10, 20, 50, ... that
 * prints at most 20 progress lines (500 epochs: every 50th). The Python, Java and C# demos
 * follow the same rule. */
int64_t options_default_every(int64_t epochs);

/* Fills *out from the defaults and argv. OPTIONS_HELP after printing the usage to stdout,
 * OPTIONS_BAD after printing a message to stderr. */
int options_parse(int argc, char** argv, options* out);
void options_usage(FILE* stream, const char* program);

#endif /* MT_EXAMPLES_OPTIONS_H */
