/* Elementwise ops: every map and zip op against C's math, broadcasting, dtype promotion, the
 * out forms (in place too) and the op names. */
#include <math.h>

#include "check.h"
#include "suites.h"

static double f_neg(double x) { return -x; }
static double f_id(double x) { return x; }
static double f_sigmoid(double x) { return 1 / (1 + exp(-x)); }
static double f_relu(double x) { return x > 0 ? x : 0; }
static double f_inv(double x) { return 1 / x; }
static double f_square(double x) { return x * x; }

static const struct {
  int32_t op;
  const char* name;
  double (*f)(double);
} map_ops[] = {{MT_MAP_NEG, "neg", f_neg},
               {MT_MAP_ID, "id", f_id},
               {MT_MAP_EXP, "exp", exp},
               {MT_MAP_LOG, "log", log},
               {MT_MAP_SIGMOID, "sigmoid", f_sigmoid},
               {MT_MAP_RELU, "relu", f_relu},
               {MT_MAP_TANH, "tanh", tanh},
               {MT_MAP_INV, "inv", f_inv},
               {MT_MAP_ABS, "abs", fabs},
               {MT_MAP_SQRT, "sqrt", sqrt},
               {MT_MAP_SQUARE, "square", f_square}};
enum { MAP_OPS = sizeof map_ops / sizeof map_ops[0] };

static double z_add(double a, double b) { return a + b; }
static double z_sub(double a, double b) { return a - b; }
static double z_mul(double a, double b) { return a * b; }
static double z_div(double a, double b) { return a / b; }
static double z_max(double a, double b) { return a > b ? a : b; }
static double z_min(double a, double b) { return a < b ? a : b; }
static double z_lt(double a, double b) { return a < b; }
static double z_gt(double a, double b) { return a > b; }
static double z_eq(double a, double b) { return a == b; }
static double z_is_close(double a, double b) { return fabs(a - b) < 1e-2; }
static double clamped_log(double x) { return x > 0 && log(x) > -100 ? log(x) : -100; }
static double z_bce(double p, double y) {
  return -(y * clamped_log(p) + (1 - y) * clamped_log(1 - p));
}

static const struct {
  int32_t op;
  const char* name;
  double (*f)(double, double);
} zip_ops[] = {{MT_ZIP_ADD, "add", z_add},
               {MT_ZIP_SUB, "sub", z_sub},
               {MT_ZIP_MUL, "mul", z_mul},
               {MT_ZIP_DIV, "div", z_div},
               {MT_ZIP_POW, "pow", pow},
               {MT_ZIP_MAX, "max", z_max},
               {MT_ZIP_MIN, "min", z_min},
               {MT_ZIP_LT, "lt", z_lt},
               {MT_ZIP_GT, "gt", z_gt},
               {MT_ZIP_EQ, "eq", z_eq},
               {MT_ZIP_IS_CLOSE, "is_close", z_is_close},
               {MT_ZIP_BINARY_CROSS_ENTROPY, "binary_cross_entropy", z_bce}};
enum { ZIP_OPS = sizeof zip_ops / sizeof zip_ops[0] };

static void maps(int32_t dtype) {
  static const double in[4] = {-2, -0.5, 0.25, 3};
  mt_tensor* x = TENSOR(dtype, DIMS(2, 2), VALUES(-2, -0.5, 0.25, 3));
  double expected[4];
  int op, i;
  for (op = 0; op < MAP_OPS; ++op) {
    mt_tensor* y = NULL;
    check_context(map_ops[op].name);
    for (i = 0; i < 4; ++i)
      expected[i] = map_ops[op].f(in[i]);
    CHECK_OK(mt_map(map_ops[op].op, x, &y));
    CHECK_TENSOR(y, DIMS(2, 2), expected, 4);
    CHECK_DTYPE(y, dtype);
    CHECK_SHARES(x, y, 0);
    CHECK_STR(mt_map_name(map_ops[op].op), map_ops[op].name);
    mt_release(y);
  }
  check_context("");
  mt_release(x);
}

/* a (2, 3) op b (3,), broadcast, for every zip op: a's values are in (0, 1) so that binary
 * cross entropy gets probabilities too. */
static void zips(int32_t a_dtype, int32_t b_dtype) {
  static const double av[6] = {0.1, 0.5, 0.9, 0.25, 0.75, 0.5}, bv[3] = {0, 0.5, 1};
  mt_tensor* a = TENSOR(a_dtype, DIMS(2, 3), VALUES(0.1, 0.5, 0.9, 0.25, 0.75, 0.5));
  mt_tensor* b = TENSOR(b_dtype, DIMS(3), VALUES(0, 0.5, 1));
  const int32_t dtype = a_dtype == MT_FLOAT64 || b_dtype == MT_FLOAT64 ? MT_FLOAT64 : MT_FLOAT32;
  double expected[6];
  int op, i;
  for (op = 0; op < ZIP_OPS; ++op) {
    mt_tensor* y = NULL;
    check_context(zip_ops[op].name);
    for (i = 0; i < 6; ++i)
      expected[i] = zip_ops[op].f(av[i], bv[i % 3]);
    CHECK_OK(mt_zip(zip_ops[op].op, a, b, &y));
    CHECK_TENSOR(y, DIMS(2, 3), expected, 6);
    CHECK_DTYPE(y, dtype);
    CHECK_STR(mt_zip_name(zip_ops[op].op), zip_ops[op].name);
    mt_release(y);
  }
  check_context("");
  RELEASE(a, b);
}

static void broadcasting(void) {
  mt_tensor* col = TENSOR(MT_FLOAT32, DIMS(2, 1), VALUES(10, 20));
  mt_tensor* row = VEC(MT_FLOAT32, 1, 2, 3);
  mt_tensor* s = SCALAR(MT_FLOAT64, 0.5);
  mt_tensor* wrong = VEC(MT_FLOAT32, 1, 2, 3, 4);
  mt_tensor *sum = NULL, *scaled = NULL;
  CHECK_OK(mt_zip(MT_ZIP_ADD, col, row, &sum));
  CHECK_TENSOR(sum, DIMS(2, 3), VALUES(11, 12, 13, 21, 22, 23));
  CHECK_OK(mt_zip(MT_ZIP_MUL, s, sum, &scaled)); /* a scalar operand, and f64 wins */
  CHECK_TENSOR(scaled, DIMS(2, 3), VALUES(5.5, 6, 6.5, 10.5, 11, 11.5));
  CHECK_DTYPE(scaled, MT_FLOAT64);
  CHECK_ERR_OUT(mt_zip(MT_ZIP_ADD, sum, wrong, OUT), MT_ERR_SHAPE_MISMATCH, "mt_zip", "(2, 3)",
                "(4,)");
  CHECK_ERR_OUT(mt_zip(12, sum, row, OUT), MT_ERR_INVALID_ARGUMENT, "mt_zip", "unknown zip op 12");
  CHECK_ERR_OUT(mt_zip(-1, sum, row, OUT), MT_ERR_INVALID_ARGUMENT, "mt_zip", "unknown zip op -1");
  CHECK_ERR_OUT(mt_map(11, sum, OUT), MT_ERR_INVALID_ARGUMENT, "mt_map", "unknown map op 11");
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
  CHECK_ERR(mt_map_out(11, x, out), MT_ERR_INVALID_ARGUMENT, "mt_map_out", "unknown map op 11");
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
  CHECK_ERR(mt_zip_out(12, a, b, out), MT_ERR_INVALID_ARGUMENT, "mt_zip_out", "unknown zip op");
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

static void names(void) {
  CHECK(mt_map_name(-1) == NULL);
  CHECK(mt_map_name(MAP_OPS) == NULL);
  CHECK(mt_zip_name(-1) == NULL);
  CHECK(mt_zip_name(ZIP_OPS) == NULL);
}

void test_map_zip(void) {
  maps(MT_FLOAT32);
  maps(MT_FLOAT64);
  zips(MT_FLOAT32, MT_FLOAT32);
  zips(MT_FLOAT64, MT_FLOAT64);
  zips(MT_FLOAT32, MT_FLOAT64); /* f32 with f64 gives f64 */
  zips(MT_FLOAT64, MT_FLOAT32);
  broadcasting();
  is_close_tolerance();
  map_out();
  zip_out();
  overlapping_out();
  names();
}
