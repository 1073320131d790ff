/* The toy datasets: names and kinds, shapes, labels that follow each kind's rule, seeds. */
#include <string.h>

#include "check.h"
#include "suites.h"

enum { N = 64 };

static const char* const names[] = {"simple", "diag", "split", "xor", "circle", "spiral"};
enum { KINDS = sizeof names / sizeof names[0] };

/* The label of (x1, x2) under the header's rule for `kind` (not for the spiral). */
static double rule(int32_t kind, double x1, double x2) {
  switch (kind) {
    case MT_DATASET_SIMPLE: return x1 < 0.5;
    case MT_DATASET_DIAG: return x1 + x2 < 0.5;
    case MT_DATASET_SPLIT: return x1 < 0.2 || x1 > 0.8;
    case MT_DATASET_XOR: return (x1 < 0.5) != (x2 < 0.5);
    case MT_DATASET_CIRCLE: return (x1 - 0.5) * (x1 - 0.5) + (x2 - 0.5) * (x2 - 0.5) > 0.1;
    default: return -1;
  }
}

static void kinds(void) {
  int32_t kind, out;
  for (kind = 0; kind < KINDS; ++kind) {
    CHECK_STR(mt_dataset_name(kind), names[kind]);
    out = -1;
    CHECK_OK(mt_dataset_kind(names[kind], &out));
    CHECK(out == kind);
  }
  CHECK(MT_DATASET_XOR == 3 && MT_DATASET_SPIRAL == 5);
  CHECK(mt_dataset_name(-1) == NULL);
  CHECK(mt_dataset_name(KINDS) == NULL);
  out = -1;
  CHECK_ERR(mt_dataset_kind("moons", &out), MT_ERR_INVALID_ARGUMENT, "mt_dataset_kind",
            "unknown dataset 'moons'", "simple", "xor", "spiral");
  CHECK_ERR(mt_dataset_kind("XOR", &out), MT_ERR_INVALID_ARGUMENT, "'XOR'");
  CHECK_ERR(mt_dataset_kind(NULL, &out), MT_ERR_INVALID_ARGUMENT, "mt_dataset_kind",
            "name is NULL");
  CHECK_ERR(mt_dataset_kind("xor", NULL), MT_ERR_INVALID_ARGUMENT, "mt_dataset_kind",
            "out is NULL");
  CHECK(out == -1);
}

/* One dataset of each kind: shapes, points in the unit square, labels by the rule. */
static void points(int32_t kind, int32_t dtype) {
  mt_tensor *x = NULL, *y = NULL;
  double xv[2 * N], yv[N];
  int i, square = 1, labels = 1;
  check_context(names[kind]);
  CHECK_OK(mt_dataset(kind, N, 3, dtype, &x, &y));
  CHECK_SHAPE(x, DIMS(N, 2));
  CHECK_SHAPE(y, DIMS(N));
  CHECK_DTYPE(x, dtype);
  CHECK_DTYPE(y, dtype);
  CHECK(READ(x, xv, 2 * N) == 2 * N && READ(y, yv, N) == N);
  for (i = 0; i < N; ++i) {
    square = square && xv[2 * i] >= 0 && xv[2 * i] < 1 && xv[2 * i + 1] >= 0 && xv[2 * i + 1] < 1;
    if (kind == MT_DATASET_SPIRAL) /* arm 0, then arm 1 */
      labels = labels && yv[i] == (i >= N / 2);
    else
      labels = labels && yv[i] == rule(kind, xv[2 * i], xv[2 * i + 1]);
  }
  CHECK(square);
  CHECK(labels);
  check_context("");
  RELEASE(x, y);
}

/* The same (kind, n, seed) gives the same data; another seed other points. */
static void seeds(void) {
  mt_tensor *a = NULL, *ay = NULL, *b = NULL, *by = NULL, *c = NULL, *cy = NULL;
  double av[2 * N], bv[2 * N], cv[2 * N], ayv[N], byv[N];
  int ones = 0, i;
  CHECK_OK(mt_dataset(MT_DATASET_XOR, N, 1234, MT_FLOAT64, &a, &ay));
  CHECK_OK(mt_dataset(MT_DATASET_XOR, N, 1234, MT_FLOAT64, &b, &by));
  CHECK_OK(mt_dataset(MT_DATASET_XOR, N, 1235, MT_FLOAT64, &c, &cy));
  CHECK(READ(a, av, 2 * N) > 0 && READ(b, bv, 2 * N) > 0 && READ(c, cv, 2 * N) > 0);
  CHECK(READ(ay, ayv, N) > 0 && READ(by, byv, N) > 0);
  CHECK(memcmp(av, bv, sizeof av) == 0 && memcmp(ayv, byv, sizeof ayv) == 0);
  CHECK(memcmp(av, cv, sizeof av) != 0);
  for (i = 0; i < N; ++i)
    ones += ayv[i] == 1;
  CHECK(ones > 0 && ones < N); /* both labels occur */
  RELEASE(a, ay, b, by, c, cy);
}

static void dataset_errors(void) {
  mt_tensor *x = SENTINEL, *y = SENTINEL, *ex = NULL, *ey = NULL;
  CHECK_ERR(mt_dataset(MT_DATASET_XOR, -1, 0, MT_FLOAT32, &x, &y), MT_ERR_INVALID_ARGUMENT,
            "mt_dataset", "-1");
  CHECK_ERR(mt_dataset(KINDS, 10, 0, MT_FLOAT32, &x, &y), MT_ERR_INVALID_ARGUMENT, "mt_dataset",
            "unknown dataset kind 6");
  CHECK_ERR(mt_dataset(-1, 10, 0, MT_FLOAT32, &x, &y), MT_ERR_INVALID_ARGUMENT, "kind -1");
  CHECK_ERR(mt_dataset(MT_DATASET_XOR, 10, 0, 2, &x, &y), MT_ERR_DTYPE_MISMATCH, "mt_dataset",
            "unknown dtype 2");
  CHECK_ERR(mt_dataset(MT_DATASET_XOR, INT64_MAX, 0, MT_FLOAT32, &x, &y), MT_ERR_OVERFLOW,
            "mt_dataset");
  CHECK_ERR(mt_dataset(MT_DATASET_XOR, 10, 0, MT_FLOAT32, NULL, &y), MT_ERR_INVALID_ARGUMENT,
            "mt_dataset", "x is NULL");
  CHECK_ERR(mt_dataset(MT_DATASET_XOR, 10, 0, MT_FLOAT32, &x, NULL), MT_ERR_INVALID_ARGUMENT,
            "mt_dataset", "y is NULL");
  CHECK(x == SENTINEL && y == SENTINEL);
  CHECK_OK(mt_dataset(MT_DATASET_CIRCLE, 0, 0, MT_FLOAT32, &ex, &ey)); /* no points */
  CHECK_SHAPE(ex, DIMS(0, 2));
  CHECK_SHAPE(ey, DIMS(0));
  RELEASE(ex, ey);
}

void test_datasets(void) {
  int32_t kind;
  kinds();
  for (kind = 0; kind < KINDS; ++kind) {
    points(kind, MT_FLOAT64);
    points(kind, MT_FLOAT32);
  }
  seeds();
  dataset_errors();
}
