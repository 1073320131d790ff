/*
 * mt_train_c's progress output: a line after every `every`-th epoch and after the last one
 * ("epoch N  loss L  accuracy A%  T ms"), and, where stdout is a terminal, a live line
 * rewritten in place with \r (epoch/total, loss, accuracy, elapsed and remaining time),
 * cleared before each permanent line and at the end. Pipes get the permanent lines only.
 */
#ifndef MT_EXAMPLES_PROGRESS_H
#define MT_EXAMPLES_PROGRESS_H

#include <stdint.h>

typedef struct progress {
  int64_t epochs;
  int64_t every;   /* 0: nothing at all (--quiet) */
  int exact;       /* the loss with 17 significant digits */
  int live;        /* stdout is a terminal: keep a live line */
  int live_shown;  /* the live line is on the screen */
  double start_ms; /* when training started */
  double drawn_ms; /* when the live line was last drawn */
} progress;

/* Milliseconds on a monotonic clock. */
double progress_now_ms(void);
/* Before epoch 1. */
void progress_start(progress* p, int64_t epochs, int64_t every, int exact);
/* After epoch `epoch` (from 1), which took epoch_ms and left the model at loss and accuracy. */
void progress_epoch(progress* p, int64_t epoch, double loss, double accuracy, double epoch_ms);
/* Clears the live line; call it before anything else goes to stdout. */
void progress_clear(progress* p);

#endif /* MT_EXAMPLES_PROGRESS_H */
