/* Reductions, mean and matmul, their out forms and the reduce op names. */
#include <math.h>

#include "check.h"
#include "suites.h"

/* a = [[1, 2, 3], [4, 5, 6]] */
static mt_tensor* make_a(int32_t dtype) {
  return TENSOR(dtype, DIMS(2, 3), VALUES(1, 2, 3, 4, 5, 6));
}

static void reductions(void) {
  mt_tensor* a = make_a(MT_FLOAT64);
  mt_tensor* a32 = make_a(MT_FLOAT32);
  mt_tensor* s = NULL;
  CHECK_GIVES(mt_reduce(MT_REDUCE_SUM, a, NULL, 0, 0, OUT), NO_DIMS, VALUES(21));
  CHECK_GIVES(mt_reduce(MT_REDUCE_SUM, a, NULL, 0, 1, OUT), DIMS(1, 1), VALUES(21));
  CHECK_GIVES(mt_reduce(MT_REDUCE_SUM, a, DIMS(0), 0, OUT), DIMS(3), VALUES(5, 7, 9));
  CHECK_GIVES(mt_reduce(MT_REDUCE_SUM, a, DIMS(1), 1, OUT), DIMS(2, 1), VALUES(6, 15));
  CHECK_GIVES(mt_reduce(MT_REDUCE_SUM, a, DIMS(0, 1), 1, OUT), DIMS(1, 1), VALUES(21));
  CHECK_GIVES(mt_reduce(MT_REDUCE_PROD, a, DIMS(1), 0, OUT), DIMS(2), VALUES(6, 120));
  CHECK_GIVES(mt_reduce(MT_REDUCE_PROD, a, NULL, 0, 0, OUT), NO_DIMS, VALUES(720));
  CHECK_GIVES(mt_reduce(MT_REDUCE_MAX, a, DIMS(-1), 0, OUT), DIMS(2), VALUES(3, 6));
  CHECK_GIVES(mt_reduce(MT_REDUCE_MAX, a, NULL, 0, 0, OUT), NO_DIMS, VALUES(6));
  CHECK_GIVES(mt_reduce(MT_REDUCE_MIN, a, DIMS(0), 1, OUT), DIMS(1, 3), VALUES(1, 2, 3));
  CHECK_GIVES(mt_reduce(MT_REDUCE_MIN, a32, DIMS(-2, -1), 0, OUT), NO_DIMS, VALUES(1));
  CHECK_OK(mt_reduce(MT_REDUCE_SUM, a32, DIMS(0), 0, &s));
  CHECK_DTYPE(s, MT_FLOAT32); /* keeps the dtype */
  CHECK_GIVES(mt_mean(a, NULL, 0, 0, OUT), NO_DIMS, VALUES(3.5));
  CHECK_GIVES(mt_mean(a, DIMS(1), 0, OUT), DIMS(2), VALUES(2, 5));
  CHECK_GIVES(mt_mean(a32, DIMS(0), 1, OUT), DIMS(1, 3), VALUES(2.5, 3.5, 4.5));
  CHECK_STR(mt_reduce_name(MT_REDUCE_SUM), "sum");
  CHECK_STR(mt_reduce_name(MT_REDUCE_PROD), "prod");
  CHECK_STR(mt_reduce_name(MT_REDUCE_MAX), "max");
  CHECK_STR(mt_reduce_name(MT_REDUCE_MIN), "min");
  CHECK(mt_reduce_name(-1) == NULL);
  CHECK(mt_reduce_name(4) == NULL);
  RELEASE(a, a32, s);
}

static void empty_reductions(void) {
  mt_tensor* none = NULL;
  CHECK_OK(mt_zeros(DIMS(0, 2), MT_FLOAT64, &none));
  CHECK_GIVES(mt_reduce(MT_REDUCE_SUM, none, DIMS(0), 0, OUT), DIMS(2), VALUES(0, 0));
  CHECK_GIVES(mt_reduce(MT_REDUCE_PROD, none, DIMS(0), 0, OUT), DIMS(2), VALUES(1, 1));
  CHECK_GIVES(mt_mean(none, DIMS(0), 0, OUT), DIMS(2), VALUES(NAN, NAN)); /* as numpy */
  CHECK_ERR_OUT(mt_reduce(MT_REDUCE_MAX, none, DIMS(0), 0, OUT), MT_ERR_INVALID_ARGUMENT,
                "mt_reduce", "max of nothing", "(0, 2)");
  CHECK_ERR_OUT(mt_reduce(MT_REDUCE_MIN, none, NULL, 0, 0, OUT), MT_ERR_INVALID_ARGUMENT,
                "mt_reduce", "min of nothing");
  mt_release(none);
}

static void reduce_errors(void) {
  static const int64_t seventeen[17] = {0};
  mt_tensor* a = make_a(MT_FLOAT32);
  CHECK_ERR_OUT(mt_reduce(MT_REDUCE_SUM, a, DIMS(2), 0, OUT), MT_ERR_INDEX_OUT_OF_RANGE,
                "mt_reduce", "dim 2", "rank 2");
  CHECK_ERR_OUT(mt_reduce(MT_REDUCE_SUM, a, DIMS(0, -2), 0, OUT), MT_ERR_INVALID_ARGUMENT,
                "mt_reduce", "appears twice");
  CHECK_ERR_OUT(mt_reduce(MT_REDUCE_SUM, a, seventeen, 17, 0, OUT), MT_ERR_INVALID_ARGUMENT,
                "mt_reduce", "count 17");
  CHECK_ERR_OUT(mt_reduce(MT_REDUCE_SUM, a, NULL, 1, 0, OUT), MT_ERR_INVALID_ARGUMENT, "mt_reduce",
                "dims is NULL");
  CHECK_ERR_OUT(mt_reduce(4, a, NULL, 0, 0, OUT), MT_ERR_INVALID_ARGUMENT, "mt_reduce",
                "unknown reduce op 4");
  CHECK_ERR_OUT(mt_reduce(-1, a, NULL, 0, 0, OUT), MT_ERR_INVALID_ARGUMENT, "unknown reduce op");
  CHECK_ERR_OUT(mt_mean(a, DIMS(3), 0, OUT), MT_ERR_INDEX_OUT_OF_RANGE, "mt_mean", "dim 3");
  CHECK_ERR_OUT(mt_mean(a, NULL, -1, 0, OUT), MT_ERR_INVALID_ARGUMENT, "mt_mean", "count -1");
  mt_release(a);
}

static void reduce_out(void) {
  mt_tensor* a = make_a(MT_FLOAT64);
  mt_tensor *out = NULL, *kept = NULL, *wrong = NULL, *f32 = NULL, *all = NULL;
  CHECK_OK(mt_zeros(NO_DIMS, MT_FLOAT64, &all));
  CHECK_OK(mt_reduce_out(MT_REDUCE_PROD, a, NULL, 0, 0, all)); /* every dim, into a scalar */
  CHECK_SCALAR(all, 720);
  CHECK_OK(mt_full(DIMS(3), -1, MT_FLOAT64, &out));
  CHECK_OK(mt_reduce_out(MT_REDUCE_SUM, a, DIMS(0), 0, out));
  CHECK_TENSOR(out, DIMS(3), VALUES(5, 7, 9));
  CHECK_OK(mt_full(DIMS(2, 1), -1, MT_FLOAT64, &kept));
  CHECK_OK(mt_reduce_out(MT_REDUCE_MAX, a, DIMS(1), 1, kept));
  CHECK_TENSOR(kept, DIMS(2, 1), VALUES(3, 6));
  CHECK_OK(mt_full(DIMS(2), -1, MT_FLOAT64, &wrong));
  CHECK_OK(mt_full(DIMS(3), -1, MT_FLOAT32, &f32));
  CHECK_ERR(mt_reduce_out(MT_REDUCE_SUM, a, DIMS(0), 0, wrong), MT_ERR_SHAPE_MISMATCH,
            "mt_reduce_out", "out has shape (2,)", "(3,)");
  CHECK_ERR(mt_reduce_out(MT_REDUCE_SUM, a, DIMS(0), 0, f32), MT_ERR_DTYPE_MISMATCH,
            "mt_reduce_out", "float32");
  CHECK_ERR(mt_reduce_out(MT_REDUCE_SUM, a, DIMS(5), 0, out), MT_ERR_INDEX_OUT_OF_RANGE,
            "mt_reduce_out", "dim 5");
  CHECK_ERR(mt_reduce_out(9, a, DIMS(0), 0, out), MT_ERR_INVALID_ARGUMENT, "mt_reduce_out",
            "unknown reduce op 9");
  CHECK_TENSOR(wrong, DIMS(2), VALUES(-1, -1));
  CHECK_TENSOR(f32, DIMS(3), VALUES(-1, -1, -1));
  CHECK_TENSOR(out, DIMS(3), VALUES(5, 7, 9));
  RELEASE(a, out, kept, wrong, f32, all);
}

static void matmuls(void) {
  mt_tensor* a = make_a(MT_FLOAT32);
  mt_tensor* b = TENSOR(MT_FLOAT32, DIMS(3, 2), VALUES(1, 0, 0, 1, 1, 1));
  mt_tensor* b64 = TENSOR(MT_FLOAT64, DIMS(1, 3, 2), VALUES(1, 0, 0, 1, 1, 1));
  mt_tensor* batch =
      TENSOR(MT_FLOAT32, DIMS(2, 2, 3), VALUES(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
  mt_tensor* v = VEC(MT_FLOAT32, 1, 2, 3);
  mt_tensor* m = NULL;
  CHECK_GIVES(mt_matmul(a, b, OUT), DIMS(2, 2), VALUES(4, 5, 10, 11));
  /* (2, 2, 3) @ (3, 2): b broadcast over the batch; (1, 3, 2) broadcasts the same way. */
  CHECK_GIVES(mt_matmul(batch, b, OUT), DIMS(2, 2, 2), VALUES(2, 3, 8, 9, 14, 15, 20, 21));
  CHECK_OK(mt_matmul(batch, b64, &m));
  CHECK_TENSOR(m, DIMS(2, 2, 2), VALUES(2, 3, 8, 9, 14, 15, 20, 21));
  CHECK_DTYPE(m, MT_FLOAT64);
  /* 1-D operands: a row on the left, a column on the right, the added dim dropped. */
  CHECK_GIVES(mt_matmul(v, b, OUT), DIMS(2), VALUES(4, 5));
  CHECK_GIVES(mt_matmul(a, v, OUT), DIMS(2), VALUES(14, 32));
  CHECK_GIVES(mt_matmul(v, v, OUT), NO_DIMS, VALUES(14));
  CHECK_GIVES(mt_matmul(batch, v, OUT), DIMS(2, 2), VALUES(8, 26, 44, 62)); /* batched @ 1-D */
  CHECK_ERR_OUT(mt_matmul(a, a, OUT), MT_ERR_SHAPE_MISMATCH, "mt_matmul", "(2, 3)");
  RELEASE(a, b, b64, batch, v, m);
}

static void matmul_errors(void) {
  mt_tensor* a = make_a(MT_FLOAT32);
  mt_tensor* s = SCALAR(MT_FLOAT32, 2);
  mt_tensor* left = NULL;
  mt_tensor* right = NULL;
  CHECK_OK(mt_zeros(DIMS(2, 2, 3), MT_FLOAT32, &left));
  CHECK_OK(mt_zeros(DIMS(3, 3, 2), MT_FLOAT32, &right));
  CHECK_ERR_OUT(mt_matmul(a, s, OUT), MT_ERR_INVALID_ARGUMENT, "mt_matmul", "at least one dim");
  CHECK_ERR_OUT(mt_matmul(left, right, OUT), MT_ERR_SHAPE_MISMATCH, "mt_matmul", "(2, 2, 3)",
                "(3, 3, 2)");
  RELEASE(a, s, left, right);
}

static void matmul_out(void) {
  mt_tensor* a = make_a(MT_FLOAT64);
  mt_tensor* b = TENSOR(MT_FLOAT64, DIMS(3, 2), VALUES(1, 0, 0, 1, 1, 1));
  mt_tensor* sq = TENSOR(MT_FLOAT64, DIMS(2, 2), VALUES(1, 2, 3, 4));
  mt_tensor* v = VEC(MT_FLOAT64, 1, 2, 3);
  mt_tensor* batch =
      TENSOR(MT_FLOAT64, DIMS(2, 2, 3), VALUES(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
  mt_tensor *out = NULL, *vec = NULL, *wrong = NULL, *s = NULL, *bv = NULL;
  CHECK_OK(mt_zeros(DIMS(2, 2), MT_FLOAT64, &out));
  CHECK_OK(mt_matmul_out(a, b, out));
  CHECK_TENSOR(out, DIMS(2, 2), VALUES(4, 5, 10, 11));
  CHECK_OK(mt_matmul_out(sq, sq, sq)); /* out is an input */
  CHECK_TENSOR(sq, DIMS(2, 2), VALUES(7, 10, 15, 22));
  CHECK_OK(mt_zeros(DIMS(2), MT_FLOAT64, &vec));
  CHECK_OK(mt_matmul_out(a, v, vec));
  CHECK_TENSOR(vec, DIMS(2), VALUES(14, 32));
  CHECK_OK(mt_zeros(NO_DIMS, MT_FLOAT64, &s));
  CHECK_OK(mt_matmul_out(v, v, s));
  CHECK_SCALAR(s, 14);
  CHECK_OK(mt_zeros(DIMS(2, 2), MT_FLOAT64, &bv));
  CHECK_OK(mt_matmul_out(batch, v, bv));
  CHECK_TENSOR(bv, DIMS(2, 2), VALUES(8, 26, 44, 62));
  CHECK_OK(mt_zeros(DIMS(3, 3), MT_FLOAT64, &wrong));
  CHECK_ERR(mt_matmul_out(a, b, wrong), MT_ERR_SHAPE_MISMATCH, "mt_matmul_out",
            "out has shape (3, 3)", "(2, 2)");
  CHECK_ERR(mt_matmul_out(a, a, out), MT_ERR_SHAPE_MISMATCH, "mt_matmul_out", "(2, 3)");
  CHECK_TENSOR(wrong, DIMS(3, 3), VALUES(0, 0, 0, 0, 0, 0, 0, 0, 0));
  CHECK_TENSOR(out, DIMS(2, 2), VALUES(4, 5, 10, 11));
  RELEASE(a, b, sq, v, out, vec, wrong, s, batch, bv);
}

void test_reduce(void) {
  reductions();
  empty_reductions();
  reduce_errors();
  reduce_out();
  matmuls();
  matmul_errors();
  matmul_out();
}
