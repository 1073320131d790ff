/* Process-wide settings: backends, thread counts, diagnostics. Each test restores what it
 * changed. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "suites.h"

enum { BIG = 4096 }; /* large enough for the parallel paths */

/* A fixed computation: the column sums of r @ r^T for r = rand(64, 64) (BIG numbers) of seed 9,
 * then the last two random numbers themselves; writes out[0..65]. */
static void compute(double* out) {
  mt_generator* g = NULL;
  mt_tensor *r = NULL, *rt = NULL, *m = NULL, *s = NULL, *flat = NULL, *head = NULL;
  CHECK_OK(mt_generator_create(9, &g));
  CHECK_OK(mt_rand(DIMS(64, 64), MT_FLOAT64, -1, 1, g, &r));
  CHECK_OK(mt_transpose(r, 0, 1, &rt));
  CHECK_OK(mt_matmul(r, rt, &m));
  CHECK_OK(mt_reduce(MT_REDUCE_SUM, m, DIMS(0), 0, &s));
  CHECK(READ(s, out, 64) == 64);
  CHECK_OK(mt_view(r, DIMS(-1), &flat));
  CHECK_OK(mt_narrow(flat, 0, BIG - 2, 2, &head));
  CHECK(READ(head, out + 64, 2) == 2);
  RELEASE(r, rt, m, s, flat, head);
  mt_generator_release(g);
}

/* Whether two results of compute() agree (to rounding: backends may sum in other orders). */
static int agree(const double* a, const double* b) {
  int i, same = 1;
  for (i = 0; i < 66; ++i)
    same = same && (a[i] - b[i] < 1e-9 && b[i] - a[i] < 1e-9);
  return same && a[64] == b[64] && a[65] == b[65]; /* random numbers exactly */
}

static void backends(void) {
  const int32_t count = mt_backend_count();
  double first[66], other[66];
  int32_t i, seen_par = 0, seen_seq = 0;
  CHECK(count >= 2);
  CHECK_STR(mt_current_backend(), "cpu_par"); /* the default */
  for (i = 0; i < count; ++i) {
    const char* name = mt_backend_name(i);
    CHECK(name != NULL);
    seen_par += name != NULL && strcmp(name, "cpu_par") == 0;
    seen_seq += name != NULL && strcmp(name, "cpu_seq") == 0;
  }
  CHECK(seen_par == 1 && seen_seq == 1);
  CHECK(mt_backend_name(-1) == NULL);
  CHECK(mt_backend_name(count) == NULL);
  compute(first);
  for (i = 0; i < count; ++i) {
    const char* name = mt_backend_name(i);
    check_context(name);
    CHECK_OK(mt_set_backend(name));
    CHECK_STR(mt_current_backend(), name);
    compute(other);
    CHECK(agree(first, other));
  }
  check_context("");
  CHECK_OK(mt_set_backend("cpu_seq"));
  CHECK_ERR(mt_set_backend("gpu"), MT_ERR_INVALID_ARGUMENT, "mt_set_backend",
            "unknown backend 'gpu'", "cpu_par", "cpu_seq");
  CHECK_ERR(mt_set_backend(NULL), MT_ERR_INVALID_ARGUMENT, "mt_set_backend", "name is NULL");
  CHECK_STR(mt_current_backend(), "cpu_seq"); /* unchanged by the failures */
  CHECK_OK(mt_set_backend("cpu_par"));
  CHECK_STR(mt_current_backend(), "cpu_par");
}

static void threads(void) {
  const int32_t initial = mt_num_threads();
  int32_t usable;
  double first[66], other[66];
  CHECK(initial >= 1);
  compute(first);
  /* More threads than the CPUs this process may run on are clamped to them. */
  CHECK_OK(mt_set_num_threads(4096));
  usable = mt_num_threads();
  CHECK(usable >= initial && usable < 4096);
  CHECK_OK(mt_set_num_threads(3));
  CHECK(mt_num_threads() == (usable < 3 ? usable : 3));
  compute(other);
  CHECK(agree(first, other)); /* the same numbers on every thread count */
  CHECK_OK(mt_set_num_threads(1));
  CHECK(mt_num_threads() == 1);
  compute(other);
  CHECK(agree(first, other));
  CHECK_ERR(mt_set_num_threads(-1), MT_ERR_INVALID_ARGUMENT, "mt_set_num_threads", "-1");
  CHECK(mt_num_threads() == 1);    /* unchanged */
  CHECK_OK(mt_set_num_threads(0)); /* back to the default */
  CHECK(mt_num_threads() == initial);
}

/* The diagnostics text after running one zip add of BIG elements. */
static char* add_and_take(void) {
  mt_tensor *a = NULL, *b = NULL;
  char* text = NULL;
  CHECK_OK(mt_ones(DIMS(BIG), MT_FLOAT32, &a));
  CHECK_OK(mt_zip(MT_ZIP_ADD, a, a, &b));
  CHECK_OK(mt_take_diagnostics(&text));
  RELEASE(a, b);
  return text;
}

static void diagnostics(void) {
  const int32_t initial = mt_diagnostics();
  char* text = SENTINEL;
  CHECK_OK(mt_set_diagnostics(MT_DIAGNOSTICS_COLLECT));
  CHECK(mt_diagnostics() == MT_DIAGNOSTICS_COLLECT);
  CHECK_OK(mt_take_diagnostics(&text)); /* drop what came before */
  mt_string_free(text);
  text = add_and_take();
  CHECK_CONTAINS(text, "zip add");
  CHECK_CONTAINS(text, "cpu_par");
  CHECK_CONTAINS(text, "elements=4096");
  mt_string_free(text);
  CHECK_OK(mt_take_diagnostics(&text)); /* taking cleared them */
  CHECK_STR(text, "");
  mt_string_free(text);
  CHECK_ERR(mt_set_diagnostics(3), MT_ERR_INVALID_ARGUMENT, "mt_set_diagnostics",
            "unknown diagnostics mode 3");
  CHECK_ERR(mt_set_diagnostics(-1), MT_ERR_INVALID_ARGUMENT, "mode -1");
  CHECK(mt_diagnostics() == MT_DIAGNOSTICS_COLLECT);  /* unchanged */
  CHECK_OK(mt_set_diagnostics(MT_DIAGNOSTICS_PRINT)); /* prints a line to stderr too */
  CHECK(mt_diagnostics() == MT_DIAGNOSTICS_PRINT);
  text = add_and_take();
  CHECK_CONTAINS(text, "zip add");
  mt_string_free(text);
  CHECK_OK(mt_set_diagnostics(MT_DIAGNOSTICS_OFF));
  CHECK(mt_diagnostics() == MT_DIAGNOSTICS_OFF);
  text = add_and_take();
  CHECK_STR(text, ""); /* nothing kept while off */
  mt_string_free(text);
  CHECK_ERR(mt_take_diagnostics(NULL), MT_ERR_INVALID_ARGUMENT, "mt_take_diagnostics",
            "out is NULL");
  CHECK_OK(mt_set_diagnostics(initial));
}

/* Only the newest 1000 reports are kept. */
static void diagnostics_limit(void) {
  mt_tensor* a = SCALAR(MT_FLOAT32, 1);
  mt_tensor* b = NULL;
  char *text = NULL, *at;
  int i, lines = 0;
  CHECK_OK(mt_set_diagnostics(MT_DIAGNOSTICS_COLLECT));
  CHECK_OK(mt_take_diagnostics(&text));
  mt_string_free(text);
  for (i = 0; i < 1005; ++i) {
    CHECK_OK(mt_map(MT_MAP_NEG, a, &b));
    mt_release(b);
  }
  CHECK_OK(mt_take_diagnostics(&text));
  for (at = text; at && *at; ++at)
    lines += *at == '\n';
  CHECK(lines == 1000);
  CHECK_CONTAINS(text, "map neg");
  mt_string_free(text);
  CHECK_OK(mt_set_diagnostics(MT_DIAGNOSTICS_OFF));
  mt_release(a);
}

void test_runtime(void) {
  backends();
  threads();
  diagnostics();
  diagnostics_limit();
}
