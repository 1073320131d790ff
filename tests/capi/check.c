/* check.c: the harness behind check.h. */
#include "check.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long double check_sentinel_storage;

static int checks_run = 0;
static int checks_failed = 0;
static const char* current_context = "";

void check_context(const char* context) { current_context = context ? context : ""; }

static void failure(const char* file, int line, const char* format, ...) {
  va_list args;
  ++checks_failed;
  fprintf(stderr, "%s:%d: FAILED%s%s: ", file, line, *current_context ? " in " : "",
          current_context);
  va_start(args, format);
  vfprintf(stderr, format, args);
  va_end(args);
  fputc('\n', stderr);
}

/* Records one check; prints the failure (formatted) when !ok. */
#define RECORD(ok, ...)                          \
  do {                                           \
    ++checks_run;                                \
    if (!(ok)) failure(file, line, __VA_ARGS__); \
  } while (0)

int contains(const char* text, const char* part) {
  return text != NULL && part != NULL && strstr(text, part) != NULL;
}

int check_true_(int ok, const char* file, int line, const char* expr) {
  RECORD(ok, "%s", expr);
  return ok;
}

/* A malloc'd copy of the thread's last error (the pointer lives only until the next call). */
static char* copy_last_error(void) {
  const char* message = mt_last_error();
  char* copy;
  if (message == NULL) return NULL;
  copy = malloc(strlen(message) + 1);
  if (copy != NULL) strcpy(copy, message);
  return copy;
}

int check_status_(int32_t status, int32_t expected, const char* file, int line, const char* expr,
                  ...) {
  char* message = copy_last_error();
  int ok = status == expected && message != NULL;
  const char* part;
  va_list parts;
  if (status != expected)
    RECORD(0, "%s returned %s (%d), expected %s: \"%s\"", expr, mt_status_name(status), status,
           mt_status_name(expected), message ? message : "(null)");
  else if (message == NULL)
    RECORD(0, "%s: mt_last_error() is NULL", expr);
  else if (expected == MT_OK)
    RECORD(message[0] == '\0', "%s succeeded but mt_last_error() is \"%s\", not \"\"", expr,
           message);
  else
    RECORD(message[0] != '\0', "%s failed with an empty mt_last_error()", expr);
  ok = ok && (expected == MT_OK) == (message[0] == '\0');
  va_start(parts, expr);
  while ((part = va_arg(parts, const char*)) != NULL) {
    const int found = contains(message, part);
    RECORD(found, "%s: mt_last_error() \"%s\" does not contain \"%s\"", expr,
           message ? message : "(null)", part);
    ok = ok && found;
  }
  va_end(parts);
  free(message);
  return ok;
}

static int close_enough(double got, double expected) {
  if (isnan(expected)) return isnan(got);
  if (isinf(expected)) return got == expected;
  return fabs(got - expected) <= 1e-5 * (1 + fabs(expected));
}

int check_str_(const char* got, const char* expected, const char* file, int line,
               const char* expr) {
  const int ok = got != NULL && expected != NULL ? strcmp(got, expected) == 0 : got == expected;
  RECORD(ok, "%s is \"%s\", expected \"%s\"", expr, got ? got : "(null)",
         expected ? expected : "(null)");
  return ok;
}

int check_contains_(const char* text, const char* part, const char* file, int line,
                    const char* expr) {
  const int ok = contains(text, part);
  RECORD(ok, "%s (\"%s\") does not contain \"%s\"", expr, text ? text : "(null)", part);
  return ok;
}

/* Formats `ndim` sizes as "(2, 3)" into `out`. */
static const char* format_dims(char* out, size_t size, const int64_t* dims, int32_t ndim) {
  size_t used = (size_t)snprintf(out, size, "(");
  int32_t d;
  for (d = 0; d < ndim && used < size; ++d)
    used += (size_t)snprintf(out + used, size - used, "%s%" PRId64, d ? ", " : "", dims[d]);
  if (used < size) snprintf(out + used, size - used, ")");
  return out;
}

int check_shape_(const mt_tensor* t, const char* file, int line, const char* expr,
                 const int64_t* shape, int32_t ndim) {
  int64_t got[MT_MAX_RANK];
  int32_t rank = -1;
  char want_text[256], got_text[256];
  int ok = mt_ndim(t, &rank) == MT_OK && rank == ndim && mt_shape(t, got, MT_MAX_RANK) == MT_OK &&
           (ndim == 0 || memcmp(got, shape, (size_t)ndim * sizeof(int64_t)) == 0);
  RECORD(ok, "%s has shape %s, expected %s", expr,
         rank < 0 ? "(none)" : format_dims(got_text, sizeof got_text, got, rank),
         format_dims(want_text, sizeof want_text, shape, ndim));
  return ok;
}

int check_tensor_(const mt_tensor* t, const char* file, int line, const char* expr,
                  const int64_t* shape, int32_t ndim, const double* values, int64_t count) {
  double* got;
  int64_t i, numel = -1;
  int ok = check_shape_(t, file, line, expr, shape, ndim);
  if (!ok) return 0;
  ok = mt_numel(t, &numel) == MT_OK && numel == count;
  RECORD(ok, "%s has %" PRId64 " elements, expected %" PRId64, expr, numel, count);
  if (!ok) return 0;
  got = malloc((size_t)(count > 0 ? count : 1) * sizeof(double));
  ok = got != NULL && mt_to_buffer(t, got, MT_FLOAT64, count) == MT_OK;
  RECORD(ok, "%s: mt_to_buffer failed: %s", expr, mt_last_error());
  for (i = 0; ok && i < count; ++i) {
    ok = close_enough(got[i], values[i]);
    RECORD(ok, "%s: element %" PRId64 " is %.9g, expected %.9g", expr, i, got[i], values[i]);
  }
  free(got);
  return ok;
}

int check_dtype_(const mt_tensor* t, int32_t dtype, const char* file, int line, const char* expr) {
  int32_t got = -1;
  const int ok = mt_dtype(t, &got) == MT_OK && got == dtype;
  RECORD(ok, "%s has dtype %d, expected %d", expr, got, dtype);
  return ok;
}

int check_shares_(const mt_tensor* a, const mt_tensor* b, int32_t expected, const char* file,
                  int line) {
  int32_t got = -1;
  const int ok = mt_shares_memory(a, b, &got) == MT_OK && (got != 0) == (expected != 0);
  RECORD(ok, "mt_shares_memory gave %d, expected %d", got, expected);
  return ok;
}

mt_tensor* make_tensor_(const char* file, int line, int32_t dtype, const int64_t* shape,
                        int32_t ndim, const double* values, int64_t count) {
  mt_tensor* t = NULL;
  const int32_t status = mt_from_buffer(values, MT_FLOAT64, count, shape, ndim, dtype, &t);
  RECORD(status == MT_OK, "making a tensor: %s", mt_last_error());
  return t;
}

double item_at_(const mt_tensor* t, const char* file, int line) {
  double value = NAN;
  const int32_t status = mt_item(t, &value);
  RECORD(status == MT_OK, "mt_item: %s", mt_last_error());
  return value;
}

double get_at_(const mt_tensor* t, const char* file, int line, const int64_t* index, int32_t ndim) {
  double value = NAN;
  const int32_t status = mt_get(t, index, ndim, &value);
  RECORD(status == MT_OK, "mt_get: %s", mt_last_error());
  return value;
}

static int64_t numel_of(const mt_tensor* t) {
  int64_t numel = -1;
  return mt_numel(t, &numel) == MT_OK ? numel : -1;
}

int64_t read_values_(const mt_tensor* t, double* out, int64_t capacity, const char* file,
                     int line) {
  const int64_t numel = numel_of(t);
  const int ok =
      numel >= 0 && numel <= capacity && mt_to_buffer(t, out, MT_FLOAT64, capacity) == MT_OK;
  RECORD(ok, "read_values: %s", mt_last_error());
  return ok ? numel : -1;
}

void release_all_(mt_tensor* const* tensors, size_t count) {
  size_t i;
  for (i = 0; i < count; ++i)
    mt_release(tensors[i]);
}

int check_summary(const char* program) {
  printf("%s: %d checks, %d failed", program, checks_run, checks_failed);
  printf("\n");
  return checks_failed == 0 ? 0 : 1;
}
