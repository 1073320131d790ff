#define _POSIX_C_SOURCE 200112L /* clock_gettime, fileno, isatty */

#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define LIVE_PERIOD_MS 100.0 /* the live line is redrawn at most this often */

double progress_now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

static int digits(int64_t n) {
  int d = 1;
  while (n >= 10) {
    n /= 10;
    ++d;
  }
  return d;
}

void progress_start(progress* p, int64_t epochs, int64_t every, int exact) {
  p->epochs = epochs;
  p->every = every;
  p->exact = exact;
  p->live = every > 0 && isatty(fileno(stdout));
  p->live_shown = 0;
  p->start_ms = progress_now_ms();
  p->drawn_ms = p->start_ms - LIVE_PERIOD_MS; /* draw after the first epoch */
}

void progress_clear(progress* p) {
  if (!p->live_shown) return;
  fputs("\r\033[K", stdout); /* to the line's start, erase to its end */
  fflush(stdout);
  p->live_shown = 0;
}

static void draw_live(progress* p, int64_t epoch, double loss, double accuracy, double now) {
  const double elapsed = (now - p->start_ms) / 1e3;
  const double left = elapsed / (double)epoch * (double)(p->epochs - epoch);
  printf("\r\033[Kepoch %lld/%lld  loss %.6f  accuracy %5.1f%%  %.1f s, %.1f s left",
         (long long)epoch, (long long)p->epochs, loss, 100 * accuracy, elapsed, left);
  fflush(stdout);
  p->live_shown = 1;
  p->drawn_ms = now;
}

void progress_epoch(progress* p, int64_t epoch, double loss, double accuracy, double epoch_ms) {
  char loss_text[32];
  double now;
  if (p->every == 0) return;
  if (epoch % p->every == 0 || epoch == p->epochs) {
    progress_clear(p);
    snprintf(loss_text, sizeof loss_text, p->exact ? "%.17g" : "%.6f", loss);
    printf("epoch %*lld  loss %s  accuracy %5.1f%%  %.3f ms\n", digits(p->epochs), (long long)epoch,
           loss_text, 100 * accuracy, epoch_ms);
  }
  if (!p->live || epoch == p->epochs) return;
  now = progress_now_ms();
  if (now - p->drawn_ms >= LIVE_PERIOD_MS) draw_live(p, epoch, loss, accuracy, now);
}
