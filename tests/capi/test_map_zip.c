/* Elementwise ops: every map and zip op through the C API (the ops' values are tested against
 * reference math per backend in tests/core; here each op runs, in both dtypes, and float32
 * agrees with float64), broadcasting, dtype promotion, the out forms (in place too) and the op
 * names. The ops are enumerated by their names, so a new op needs no edit here. */
#include <math.h>
#include <stdio.h>

#include "check.h"
#include "suites.h"

/* The number of ops a name function knows: 0 .. count - 1. */
static int32_t op_count(const char* (*name)(int32_t)) {
  int32_t n = 0;
  while (name(n) != NULL)
    ++n;
  return n;
}

/* Every map op on float32 and float64 inputs: the same shape, a new tensor, and float32 values
 * within float32 rounding of the float64 ones (NaN where they are NaN). */
static void maps(void) {
  mt_tensor* x32 = TENSOR(MT_FLOAT32, DIMS(2, 2), VALUES(-2, -0.5, 0.25, 3));
  mt_tensor* x64 = TENSOR(MT_FLOAT64, DIMS(2, 2), VALUES(-2, -0.5, 0.25, 3));
  int32_t op;
  for (op = 0; mt_map_name(op) != NULL; ++op) {
    mt_tensor *y32 = NULL, *y64 = NULL;
    double expected[4];
    check_context(mt_map_name(op));
    CHECK_OK(mt_map(op, x32, &y32));
    CHECK_OK(mt_map(op, x64, &y64));
    CHECK_DTYPE(y32, MT_FLOAT32);
    CHECK_DTYPE(y64, MT_FLOAT64);
    CHECK_SHARES(x32, y32, 0);
    CHECK(READ(y64, expected, 4) == 4);
    CHECK_TENSOR(y32, DIMS(2, 2), expected, 4);
    RELEASE(y32, y64);
  }
  check_context("");
  RELEASE(x32, x64);
}

/* Every zip op on a (2, 3) and a broadcast (3,), in each pair of dtypes: float64 wins, and the
 * results agree with those in float64. a's values are in (0, 1) so that binary cross entropy
 * gets probabilities too. */
static void zips(void) {
  static const int32_t dtypes[2] = {MT_FLOAT32, MT_FLOAT64};
  int32_t op;
  int i, j;
  for (op = 0; mt_zip_name(op) != NULL; ++op) {
    double expected[6];
    mt_tensor* reference = NULL;
    mt_tensor* a64 = TENSOR(MT_FLOAT64, DIMS(2, 3), VALUES(0.1, 0.5, 0.9, 0.25, 0.75, 0.5));
    mt_tensor* b64 = TENSOR(MT_FLOAT64, DIMS(3), VALUES(0, 0.5, 1));
    check_context(mt_zip_name(op));
    CHECK_OK(mt_zip(op, a64, b64, &reference));
    CHECK(READ(reference, expected, 6) == 6);
    for (i = 0; i < 2; ++i) {
      for (j = 0; j < 2; ++j) {
        mt_tensor* a = TENSOR(dtypes[i], DIMS(2, 3), VALUES(0.1, 0.5, 0.9, 0.25, 0.75, 0.5));
        mt_tensor* b = TENSOR(dtypes[j], DIMS(3), VALUES(0, 0.5, 1));
        mt_tensor* y = NULL;
        CHECK_OK(mt_zip(op, a, b, &y));
        CHECK_DTYPE(y, i == 1 || j == 1 ? MT_FLOAT64 : MT_FLOAT32);
        CHECK_TENSOR(y, DIMS(2, 3), expected, 6);
        RELEASE(a, b, y);
      }
    }
    RELEASE(a64, b64, reference);
  }
  check_context("");
}

/* A few values against C's math, one per kind of op. */
static void values(void) {
  mt_tensor* x = TENSOR(MT_FLOAT64, DIMS(3), VALUES(-1, 0.5, 2));
  mt_tensor* y = TENSOR(MT_FLOAT64, DIMS(3), VALUES(3, 0.5, -2));
  mt_tensor *e = NULL, *s = NULL, *p = NULL, *m = NULL;
  CHECK_OK(mt_map(MT_MAP_EXP, x, &e));
  CHECK_TENSOR(e, DIMS(3), VALUES(exp(-1), exp(0.5), exp(2)));
  CHECK_OK(mt_map(MT_MAP_SIGMOID, x, &s));
  CHECK_TENSOR(s, DIMS(3), VALUES(1 / (1 + exp(1)), 1 / (1 + exp(-0.5)), 1 / (1 + exp(-2))));
  CHECK_OK(mt_zip(MT_ZIP_POW, y, x, &p));
  CHECK_TENSOR(p, DIMS(3), VALUES(pow(3, -1), pow(0.5, 0.5), pow(-2, 2)));
  CHECK_OK(mt_zip(MT_ZIP_MAX, x, y, &m));
  CHECK_TENSOR(m, DIMS(3), VALUES(3, 0.5, 2));
  RELEASE(x, y, e, s, p, m);
}

static void broadcasting(void) {
  mt_tensor* col = TENSOR(MT_FLOAT32, DIMS(2, 1), VALUES(10, 20));
  mt_tensor* row = VEC(MT_FLOAT32, 1, 2, 3);
  mt_tensor* s = SCALAR(MT_FLOAT64, 0.5);
  mt_tensor* wrong = VEC(MT_FLOAT32, 1, 2, 3, 4);
  mt_tensor *sum = NULL, *scaled = NULL;
  char unknown_map[32], unknown_zip[32];
  snprintf(unknown_map, sizeof unknown_map, "unknown map op %d", (int)op_count(mt_map_name));
  snprintf(unknown_zip, sizeof unknown_zip, "unknown zip op %d", (int)op_count(mt_zip_name));
  CHECK_OK(mt_zip(MT_ZIP_ADD, col, row, &sum));
  CHECK_TENSOR(sum, DIMS(2, 3), VALUES(11, 12, 13, 21, 22, 23));
  CHECK_OK(mt_zip(MT_ZIP_MUL, s, sum, &scaled)); /* a scalar operand, and f64 wins */
  CHECK_TENSOR(scaled, DIMS(2, 3), VALUES(5.5, 6, 6.5, 10.5, 11, 11.5));
  CHECK_DTYPE(scaled, MT_FLOAT64);
  CHECK_ERR_OUT(mt_zip(MT_ZIP_ADD, sum, wrong, OUT), MT_ERR_SHAPE_MISMATCH, "mt_zip", "(2, 3)",
                "(4,)");
  CHECK_ERR_OUT(mt_zip(op_count(mt_zip_name), sum, row, OUT), MT_ERR_INVALID_ARGUMENT, "mt_zip",
                unknown_zip);
  CHECK_ERR_OUT(mt_zip(-1, sum, row, OUT), MT_ERR_INVALID_ARGUMENT, "mt_zip", "unknown zip op -1");
  CHECK_ERR_OUT(mt_map(op_count(mt_map_name), sum, OUT), MT_ERR_INVALID_ARGUMENT, "mt_map",
                unknown_map);
  CHECK_ERR_OUT(mt_map(-1, sum, OUT), MT_ERR_INVALID_ARGUMENT, "mt_map", "unknown map op -1");
  RELEASE(col, row, s, wrong, sum, scaled);
}

/* The header: is_close is numpy.isclose, |a - b| <= 1e-8 + 1e-5 |b|, equal infinities close. */
static void is_close_tolerance(void) {
  mt_tensor* a = VEC(MT_FLOAT64, 1, 1, 100, 0, INFINITY);
  mt_tensor* b = VEC(MT_FLOAT64, 1.000001, 1.02, 100.0005, 1e-7, INFINITY);
  mt_tensor* y = NULL;
  CHECK_OK(mt_zip(MT_ZIP_IS_CLOSE, a, b, &y));
  CHECK_TENSOR(y, DIMS(5), VALUES(1, 0, 1, 0, 1));
  RELEASE(a, b, y);
}

static void map_out(void) {
  mt_tensor* x = TENSOR(MT_FLOAT64, DIMS(2, 2), VALUES(1, -2, 3, -4));
  mt_tensor *out = NULL, *small = NULL, *f32 = NULL, *row = NULL, *wide = NULL;
  CHECK_OK(mt_zeros(DIMS(2, 2), MT_FLOAT64, &out));
  CHECK_OK(mt_map_out(MT_MAP_ABS, x, out));
  CHECK_TENSOR(out, DIMS(2, 2), VALUES(1, 2, 3, 4));
  CHECK_OK(mt_map_out(MT_MAP_NEG, x, x)); /* in place */
  CHECK_TENSOR(x, DIMS(2, 2), VALUES(-1, 2, -3, 4));
  CHECK_OK(mt_full(DIMS(3), 7, MT_FLOAT64, &small));
  CHECK_OK(mt_full(DIMS(2, 2), 7, MT_FLOAT32, &f32));
  CHECK_OK(mt_full(DIMS(1, 2), 7, MT_FLOAT64, &row));
  CHECK_OK(mt_expand(row, DIMS(2, 2), &wide));
  CHECK_ERR(mt_map_out(MT_MAP_EXP, x, small), MT_ERR_SHAPE_MISMATCH, "mt_map_out",
            "out has shape (3,)", "(2, 2)");
  CHECK_ERR(mt_map_out(MT_MAP_EXP, x, f32), MT_ERR_DTYPE_MISMATCH, "mt_map_out", "float32",
            "float64");
  CHECK_ERR(mt_map_out(MT_MAP_EXP, x, wide), MT_ERR_INVALID_ARGUMENT, "mt_map_out",
            "broadcast view");
  CHECK_ERR(mt_map_out(op_count(mt_map_name), x, out), MT_ERR_INVALID_ARGUMENT, "mt_map_out",
            "unknown map op");
  CHECK_ERR(mt_set(wide, DIMS(1, 0), 5), MT_ERR_INVALID_ARGUMENT, "mt_set", "broadcast view");
  /* Failed out ops (and the set) wrote nothing. */
  CHECK_TENSOR(small, DIMS(3), VALUES(7, 7, 7));
  CHECK_TENSOR(f32, DIMS(2, 2), VALUES(7, 7, 7, 7));
  CHECK_TENSOR(row, DIMS(1, 2), VALUES(7, 7));
  CHECK_TENSOR(out, DIMS(2, 2), VALUES(1, 2, 3, 4));
  RELEASE(x, out, small, f32, row, wide);
}

static void zip_out(void) {
  mt_tensor* a = TENSOR(MT_FLOAT32, DIMS(2, 3), VALUES(1, 2, 3, 4, 5, 6));
  mt_tensor* b = VEC(MT_FLOAT32, 10, 20, 30);
  mt_tensor* b64 = VEC(MT_FLOAT64, 1, 1, 1);
  mt_tensor* s = TENSOR(MT_FLOAT64, DIMS(2, 2), VALUES(1, 2, 3, 4));
  mt_tensor *out = NULL, *st = NULL, *square = NULL, *row = NULL, *wide = NULL;
  CHECK_OK(mt_zeros(DIMS(2, 3), MT_FLOAT32, &out));
  CHECK_OK(mt_zip_out(MT_ZIP_ADD, a, b, out));
  CHECK_TENSOR(out, DIMS(2, 3), VALUES(11, 22, 33, 14, 25, 36));
  CHECK_OK(mt_zip_out(MT_ZIP_MUL, a, b, a)); /* in place, b broadcast */
  CHECK_TENSOR(a, DIMS(2, 3), VALUES(10, 40, 90, 40, 100, 180));
  CHECK_OK(mt_transpose(s, 0, 1, &st)); /* out overlapping an input differently: s += s^T */
  CHECK_OK(mt_zip_out(MT_ZIP_ADD, s, st, s));
  CHECK_TENSOR(s, DIMS(2, 2), VALUES(2, 5, 5, 8));
  CHECK_OK(mt_zeros(DIMS(2, 2), MT_FLOAT32, &square));
  CHECK_OK(mt_zeros(DIMS(1, 3), MT_FLOAT32, &row));
  CHECK_OK(mt_expand(row, DIMS(2, 3), &wide));
  CHECK_ERR(mt_zip_out(MT_ZIP_ADD, a, b, square), MT_ERR_SHAPE_MISMATCH, "mt_zip_out",
            "out has shape (2, 2)", "(2, 3)");
  CHECK_ERR(mt_zip_out(MT_ZIP_ADD, a, b64, out), MT_ERR_DTYPE_MISMATCH, "mt_zip_out", "float64");
  CHECK_ERR(mt_zip_out(MT_ZIP_ADD, a, b, wide), MT_ERR_INVALID_ARGUMENT, "mt_zip_out",
            "broadcast view");
  CHECK_ERR(mt_zip_out(MT_ZIP_ADD, a, square, out), MT_ERR_SHAPE_MISMATCH, "mt_zip_out", "(2, 3)",
            "(2, 2)");
  CHECK_ERR(mt_zip_out(op_count(mt_zip_name), a, b, out), MT_ERR_INVALID_ARGUMENT, "mt_zip_out",
            "unknown zip op");
  CHECK_TENSOR(out, DIMS(2, 3), VALUES(11, 22, 33, 14, 25, 36)); /* unchanged */
  CHECK_TENSOR(square, DIMS(2, 2), VALUES(0, 0, 0, 0));
  CHECK_TENSOR(row, DIMS(1, 3), VALUES(0, 0, 0));
  RELEASE(a, b, b64, s, out, st, square, row, wide);
}

/* The adversarial review's probe: a blob view (3, 4) with strides (1, 1) reaches each of its 6
 * memory cells up to four times; as an out, or for mt_set, it is refused and nothing is
 * written. A view whose strides interleave without overlapping is a valid out. */
static void overlapping_out(void) {
  float cells[12] = {0};
  mt_tensor *ones = NULL, *overlapping = NULL, *interleaved = NULL, *small = NULL;
  int i, untouched = 1;
  CHECK_OK(mt_full(DIMS(3, 4), 1, MT_FLOAT32, &ones));
  CHECK_OK(mt_from_blob(cells, MT_FLOAT32, I64(3, 4), I64(1, 1), 2, NULL, NULL, &overlapping));
  CHECK_ERR(mt_zip_out(MT_ZIP_ADD, ones, ones, overlapping), MT_ERR_INVALID_ARGUMENT, "mt_zip_out",
            "(3, 4)", "strides (1, 1)", "elements that overlap", "are the same memory");
  CHECK_ERR(mt_map_out(MT_MAP_ID, ones, overlapping), MT_ERR_INVALID_ARGUMENT, "mt_map_out",
            "elements that overlap");
  CHECK_ERR(mt_set(overlapping, DIMS(1, 1), 5), MT_ERR_INVALID_ARGUMENT, "mt_set",
            "elements that overlap");
  for (i = 0; i < 12; ++i)
    untouched = untouched && cells[i] == 0;
  CHECK(untouched);
  /* (3, 2) with strides (2, 3): cells 0 2 4 / 3 5 7, distinct though not nested. */
  CHECK_OK(mt_from_blob(cells, MT_FLOAT32, I64(3, 2), I64(2, 3), 2, NULL, NULL, &interleaved));
  CHECK_OK(mt_full(DIMS(3, 2), 2, MT_FLOAT32, &small));
  CHECK_OK(mt_zip_out(MT_ZIP_ADD, small, small, interleaved));
  CHECK_TENSOR(interleaved, DIMS(3, 2), VALUES(4, 4, 4, 4, 4, 4));
  CHECK(cells[0] == 4 && cells[1] == 0 && cells[6] == 0 && cells[7] == 4);
  RELEASE(ones, overlapping, interleaved, small);
}

/* The names themselves are checked against the header by test_op_enums.c. */
static void names(void) {
  CHECK(mt_map_name(-1) == NULL);
  CHECK(op_count(mt_map_name) > 0 && op_count(mt_zip_name) > 0);
  CHECK_STR(mt_map_name(MT_MAP_EXP), "exp");
  CHECK_STR(mt_zip_name(MT_ZIP_IS_CLOSE), "is_close");
  CHECK(mt_zip_name(-1) == NULL);
}

void test_map_zip(void) {
  maps();
  zips();
  values();
  broadcasting();
  is_close_tolerance();
  map_out();
  zip_out();
  overlapping_out();
  names();
}
