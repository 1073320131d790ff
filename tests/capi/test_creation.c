/* Creating tensors: empty/zeros/ones/full/scalar/arange/rand/randn, and the errors that every
 * function taking a shape shares. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "suites.h"

static void filled(void) {
  mt_tensor *e = NULL, *z = NULL, *o = NULL, *f = NULL, *s = NULL, *r0 = NULL, *none = NULL;
  mt_tensor* deep = NULL;
  int64_t sixteen[MT_MAX_RANK];
  int d;
  CHECK_OK(mt_empty(DIMS(2, 3), MT_FLOAT64, &e));
  CHECK_SHAPE(e, DIMS(2, 3));
  CHECK_DTYPE(e, MT_FLOAT64);
  CHECK_OK(mt_zeros(DIMS(2, 2), MT_FLOAT32, &z));
  CHECK_TENSOR(z, DIMS(2, 2), VALUES(0, 0, 0, 0));
  CHECK_DTYPE(z, MT_FLOAT32);
  CHECK_OK(mt_ones(DIMS(3), MT_FLOAT64, &o));
  CHECK_TENSOR(o, DIMS(3), VALUES(1, 1, 1));
  CHECK_OK(mt_full(DIMS(1, 2), -2.5, MT_FLOAT32, &f));
  CHECK_TENSOR(f, DIMS(1, 2), VALUES(-2.5, -2.5));
  CHECK_OK(mt_scalar(4.25, MT_FLOAT64, &s));
  CHECK_SCALAR(s, 4.25);
  CHECK_DTYPE(s, MT_FLOAT64);
  CHECK_OK(mt_zeros(NO_DIMS, MT_FLOAT32, &r0)); /* shape NULL with ndim 0: a scalar */
  CHECK_SCALAR(r0, 0);
  CHECK_OK(mt_ones(DIMS(0, 3), MT_FLOAT32, &none));
  CHECK_TENSOR(none, DIMS(0, 3), NO_VALUES);
  for (d = 0; d < MT_MAX_RANK; ++d)
    sixteen[d] = 1;
  CHECK_OK(mt_full(sixteen, MT_MAX_RANK, 7, MT_FLOAT64, &deep));
  CHECK_TENSOR(deep, sixteen, MT_MAX_RANK, VALUES(7));
  RELEASE(e, z, o, f, s, r0, none, deep);
}

static void arange(void) {
  mt_tensor *a = NULL, *b = NULL, *c = NULL, *d = NULL;
  CHECK_OK(mt_arange(0, 3, 1, MT_FLOAT32, &a));
  CHECK_TENSOR(a, DIMS(3), VALUES(0, 1, 2));
  CHECK_DTYPE(a, MT_FLOAT32);
  CHECK_OK(mt_arange(5, 0, -2, MT_FLOAT64, &b));
  CHECK_TENSOR(b, DIMS(3), VALUES(5, 3, 1));
  CHECK_OK(mt_arange(0, 1, 0.25, MT_FLOAT64, &c));
  CHECK_TENSOR(c, DIMS(4), VALUES(0, 0.25, 0.5, 0.75));
  CHECK_OK(mt_arange(3, 0, 1, MT_FLOAT32, &d)); /* nothing between */
  CHECK_TENSOR(d, DIMS(0), NO_VALUES);
  CHECK_ERR_OUT(mt_arange(0, 3, 0, MT_FLOAT32, OUT), MT_ERR_INVALID_ARGUMENT, "mt_arange",
                "step 0");
  CHECK_ERR_OUT(mt_arange(NAN, 3, 1, MT_FLOAT32, OUT), MT_ERR_INVALID_ARGUMENT, "mt_arange",
                "finite");
  CHECK_ERR_OUT(mt_arange(0, INFINITY, 1, MT_FLOAT32, OUT), MT_ERR_INVALID_ARGUMENT, "finite");
  CHECK_ERR_OUT(mt_arange(0, 1e19, 1, MT_FLOAT32, OUT), MT_ERR_OVERFLOW, "mt_arange", "too many");
  CHECK_ERR_OUT(mt_arange(0, 3, 1, 2, OUT), MT_ERR_DTYPE_MISMATCH, "mt_arange", "unknown dtype 2");
  CHECK_ERR(mt_arange(0, 3, 1, MT_FLOAT32, NULL), MT_ERR_INVALID_ARGUMENT, "mt_arange",
            "out is NULL");
  RELEASE(a, b, c, d);
}

/* n float64 values of `t` in a malloc'd array (NULL after recording a failure). */
static double* values_of(const mt_tensor* t, int64_t n) {
  double* values = malloc((size_t)n * sizeof(double));
  if (values != NULL && READ(t, values, n) != n) {
    free(values);
    return NULL;
  }
  return values;
}

/* Whether two tensors of n elements hold exactly the same values. */
static int same_values(const mt_tensor* a, const mt_tensor* b, int64_t n) {
  double* x = values_of(a, n);
  double* y = values_of(b, n);
  const int same = x != NULL && y != NULL && memcmp(x, y, (size_t)n * sizeof(double)) == 0;
  free(x);
  free(y);
  return same;
}

static void uniform(void) {
  enum { N = 1000 };
  mt_generator *g1 = NULL, *g2 = NULL, *g3 = NULL;
  mt_tensor *a = NULL, *b = NULL, *c = NULL, *again = NULL, *f = NULL;
  double* v;
  double low = 3, high = 2;
  int64_t i;
  int in_range = 1;
  CHECK_OK(mt_generator_create(42, &g1));
  CHECK_OK(mt_generator_create(42, &g2));
  CHECK_OK(mt_generator_create(43, &g3));
  CHECK_OK(mt_rand(DIMS(N), MT_FLOAT64, 2, 3, g1, &a));
  CHECK_OK(mt_rand(DIMS(N), MT_FLOAT64, 2, 3, g2, &b));
  CHECK_OK(mt_rand(DIMS(N), MT_FLOAT64, 2, 3, g3, &c));
  CHECK_SHAPE(a, DIMS(N));
  CHECK(same_values(a, b, N));  /* same seed, same numbers */
  CHECK(!same_values(a, c, N)); /* another seed, others */
  CHECK_OK(mt_manual_seed(g1, 42));
  CHECK_OK(mt_rand(DIMS(N), MT_FLOAT64, 2, 3, g1, &again));
  CHECK(same_values(a, again, N)); /* restarted stream */
  v = values_of(a, N);
  for (i = 0; v != NULL && i < N; ++i) {
    in_range = in_range && v[i] >= 2 && v[i] < 3;
    low = v[i] < low ? v[i] : low;
    high = v[i] > high ? v[i] : high;
  }
  CHECK(v != NULL && in_range);
  CHECK(low < 2.01 && high > 2.99); /* spread over the range */
  free(v);
  CHECK_OK(mt_rand(DIMS(10, 10), MT_FLOAT32, -1, 1, g2, &f));
  CHECK_DTYPE(f, MT_FLOAT32);
  CHECK_ERR_OUT(mt_rand(DIMS(2), MT_FLOAT32, 3, 2, g1, OUT), MT_ERR_INVALID_ARGUMENT, "mt_rand",
                "low <= high");
  CHECK_ERR_OUT(mt_rand(DIMS(2), MT_FLOAT32, 0, INFINITY, g1, OUT), MT_ERR_INVALID_ARGUMENT,
                "mt_rand", "finite");
  RELEASE(a, b, c, again, f);
  mt_generator_release(g1);
  mt_generator_release(g2);
  mt_generator_release(g3);
}

/* float32 rounding of low + (high - low) u could reach high (seed 4696, index 94 did): the
 * interval must stay half-open. */
static void uniform_upper_bound(void) {
  mt_generator* g = NULL;
  mt_tensor* t = NULL;
  float v[128];
  int i, below = 1;
  CHECK_OK(mt_generator_create(4696, &g));
  CHECK_OK(mt_rand(DIMS(128), MT_FLOAT32, 2, 3, g, &t));
  CHECK_OK(mt_to_buffer(t, v, MT_FLOAT32, 128));
  for (i = 0; i < 128; ++i)
    below = below && v[i] >= 2 && v[i] < 3;
  CHECK(below);
  mt_release(t);
  mt_generator_release(g);
}

static void normal(void) {
  enum { N = 20000 };
  mt_generator *g1 = NULL, *g2 = NULL;
  mt_tensor *a = NULL, *b = NULL;
  double* v;
  double sum = 0, squares = 0, mean, std;
  int64_t i;
  CHECK_OK(mt_generator_create(7, &g1));
  CHECK_OK(mt_generator_create(7, &g2));
  CHECK_OK(mt_randn(DIMS(N), MT_FLOAT64, 3, 2, g1, &a));
  CHECK_OK(mt_randn(DIMS(N), MT_FLOAT64, 3, 2, g2, &b));
  CHECK(same_values(a, b, N));
  v = values_of(a, N);
  for (i = 0; v != NULL && i < N; ++i) {
    sum += v[i];
    squares += v[i] * v[i];
  }
  free(v);
  mean = sum / N;
  std = sqrt(squares / N - mean * mean);
  CHECK(fabs(mean - 3) < 0.1);
  CHECK(fabs(std - 2) < 0.1);
  CHECK_ERR_OUT(mt_randn(DIMS(2), MT_FLOAT64, 0, -1, g1, OUT), MT_ERR_INVALID_ARGUMENT, "mt_randn",
                "std >= 0");
  CHECK_ERR_OUT(mt_randn(DIMS(2), MT_FLOAT64, NAN, 1, g1, OUT), MT_ERR_INVALID_ARGUMENT, "mt_randn",
                "finite");
  RELEASE(a, b);
  mt_generator_release(g1);
  mt_generator_release(g2);
}

/* The default generator (NULL) restarts with mt_manual_seed(NULL, seed). */
static void default_generator(void) {
  mt_tensor *a = NULL, *b = NULL, *c = NULL, *d = NULL;
  CHECK_OK(mt_manual_seed(NULL, 5));
  CHECK_OK(mt_rand(DIMS(64), MT_FLOAT64, 0, 1, NULL, &a));
  CHECK_OK(mt_randn(DIMS(64), MT_FLOAT64, 0, 1, NULL, &c));
  CHECK_OK(mt_manual_seed(NULL, 5));
  CHECK_OK(mt_rand(DIMS(64), MT_FLOAT64, 0, 1, NULL, &b));
  CHECK_OK(mt_randn(DIMS(64), MT_FLOAT64, 0, 1, NULL, &d));
  CHECK(same_values(a, b, 64));
  CHECK(same_values(c, d, 64));
  RELEASE(a, b, c, d);
}

/* The functions that take a shape, as one signature, for the sweep of shared errors. */
static double source[6];
static int blob_deletes;
static void count_delete(void* data, void* context) {
  (void)data;
  (void)context;
  ++blob_deletes;
}
static int32_t make_empty(const int64_t* s, int32_t n, int32_t dt, mt_tensor** out) {
  return mt_empty(s, n, dt, out);
}
static int32_t make_zeros(const int64_t* s, int32_t n, int32_t dt, mt_tensor** out) {
  return mt_zeros(s, n, dt, out);
}
static int32_t make_ones(const int64_t* s, int32_t n, int32_t dt, mt_tensor** out) {
  return mt_ones(s, n, dt, out);
}
static int32_t make_full(const int64_t* s, int32_t n, int32_t dt, mt_tensor** out) {
  return mt_full(s, n, 1.5, dt, out);
}
static int32_t make_rand(const int64_t* s, int32_t n, int32_t dt, mt_tensor** out) {
  return mt_rand(s, n, dt, 0, 1, NULL, out);
}
static int32_t make_randn(const int64_t* s, int32_t n, int32_t dt, mt_tensor** out) {
  return mt_randn(s, n, dt, 0, 1, NULL, out);
}
static int32_t make_from_buffer(const int64_t* s, int32_t n, int32_t dt, mt_tensor** out) {
  int64_t count = 1;
  int32_t d;
  for (d = 0; s != NULL && d < n && d < MT_MAX_RANK; ++d)
    count = s[d] >= 0 && (s[d] == 0 || count <= INT64_MAX / s[d]) ? count * s[d] : 6;
  return mt_from_buffer(source, MT_FLOAT64, count, s, n, dt, out);
}
static int32_t make_from_blob(const int64_t* s, int32_t n, int32_t dt, mt_tensor** out) {
  return mt_from_blob(source, dt, s, NULL, n, count_delete, NULL, out);
}
/* A placeholder of a capture that ends right after (its checks are mt_empty's). */
static int32_t make_capture_input(const int64_t* s, int32_t n, int32_t dt, mt_tensor** out) {
  int32_t status;
  if (mt_capture_begin() != MT_OK) return MT_ERR_INTERNAL;
  status = mt_capture_input(s, n, dt, out);
  mt_capture_abandon();
  return status;
}

static const struct {
  const char* name;
  int32_t (*make)(const int64_t*, int32_t, int32_t, mt_tensor**);
} makers[] = {{"mt_empty", make_empty},
              {"mt_zeros", make_zeros},
              {"mt_ones", make_ones},
              {"mt_full", make_full},
              {"mt_rand", make_rand},
              {"mt_randn", make_randn},
              {"mt_from_buffer", make_from_buffer},
              {"mt_from_blob", make_from_blob},
              {"mt_capture_input", make_capture_input}};
enum { MAKER_COUNT = sizeof makers / sizeof makers[0] };

static void shape_errors(void) {
  static const int64_t big[2] = {INT64_MAX, 2}, negative[2] = {2, -3};
  static const int64_t huge[1] = {(int64_t)1 << 62}; /* fits, but not in bytes */
  static const int64_t seventeen[17] = {1};
  size_t i;
  blob_deletes = 0;
  for (i = 0; i < MAKER_COUNT; ++i) {
    const char* fn = makers[i].name;
    int32_t (*make)(const int64_t*, int32_t, int32_t, mt_tensor**) = makers[i].make;
    CHECK_ERR_OUT(make(big, -1, MT_FLOAT32, OUT), MT_ERR_INVALID_ARGUMENT, fn, "count -1");
    CHECK_ERR_OUT(make(seventeen, 17, MT_FLOAT32, OUT), MT_ERR_INVALID_ARGUMENT, fn, "count 17",
                  "16");
    CHECK_ERR_OUT(make(NULL, 2, MT_FLOAT32, OUT), MT_ERR_INVALID_ARGUMENT, fn, "shape is NULL");
    CHECK_ERR_OUT(make(negative, 2, MT_FLOAT32, OUT), MT_ERR_INVALID_ARGUMENT, fn, "negative size",
                  "(2, -3)");
    CHECK_ERR_OUT(make(big, 2, MT_FLOAT64, OUT), MT_ERR_OVERFLOW, fn, "9223372036854775807");
    CHECK_ERR_OUT(make(huge, 1, MT_FLOAT32, OUT), MT_ERR_OVERFLOW, fn, "overflows int64");
    CHECK_ERR_OUT(make(DIMS(2, 3), 2, OUT), MT_ERR_DTYPE_MISMATCH, fn, "unknown dtype 2");
    CHECK_ERR_OUT(make(DIMS(2, 3), -1, OUT), MT_ERR_DTYPE_MISMATCH, fn, "unknown dtype -1");
    CHECK_ERR(make(DIMS(2, 3), MT_FLOAT32, NULL), MT_ERR_INVALID_ARGUMENT, fn, "out is NULL");
  }
  CHECK(blob_deletes == 0); /* failed mt_from_blob calls never call the deleter */
}

/* Allocations that cannot succeed (2^62 bytes) report MT_ERR_OUT_OF_MEMORY. */
static void out_of_memory(void) {
  static const int64_t giant[2] = {(int64_t)1 << 30, (int64_t)1 << 30};
  size_t i;
  for (i = 0; i < 6; ++i) /* the allocating ones: empty .. randn */
    CHECK_ERR_OUT(makers[i].make(giant, 2, MT_FLOAT32, OUT), MT_ERR_OUT_OF_MEMORY, makers[i].name);
}

void test_creation(void) {
  filled();
  arange();
  uniform();
  uniform_upper_bound();
  normal();
  default_generator();
  shape_errors();
  out_of_memory();
}
