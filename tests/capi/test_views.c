/* Views (which share memory) and copies (which do not). */
#include "check.h"
#include "suites.h"

/* `call`, which writes OUT, succeeds with a tensor of the given shape and values that shares
 * memory with `base` or not (`shares`). */
#define VIEW_IS(base, call, shares, ...) \
  do {                                   \
    mt_tensor* view_ = NULL;             \
    mt_tensor** OUT = &view_;            \
    CHECK_OK(call);                      \
    CHECK_TENSOR(view_, __VA_ARGS__);    \
    CHECK_SHARES(base, view_, shares);   \
    mt_release(view_);                   \
  } while (0)

/* x = [[0, 1, 2], [3, 4, 5]] */
static mt_tensor* make_x(void) { return TENSOR(MT_FLOAT32, DIMS(2, 3), VALUES(0, 1, 2, 3, 4, 5)); }

static void reorder(void) {
  mt_tensor* x = make_x();
  mt_tensor* xt = NULL;
  int64_t strides[2] = {0, 0};
  VIEW_IS(x, mt_permute(x, DIMS(1, 0), OUT), 1, DIMS(3, 2), VALUES(0, 3, 1, 4, 2, 5));
  VIEW_IS(x, mt_permute(x, DIMS(-1, 0), OUT), 1, DIMS(3, 2), VALUES(0, 3, 1, 4, 2, 5));
  VIEW_IS(x, mt_permute(x, DIMS(0, 1), OUT), 1, DIMS(2, 3), VALUES(0, 1, 2, 3, 4, 5));
  VIEW_IS(x, mt_transpose(x, -1, -2, OUT), 1, DIMS(3, 2), VALUES(0, 3, 1, 4, 2, 5));
  CHECK_OK(mt_transpose(x, 0, 1, &xt));
  CHECK_OK(mt_strides(xt, strides, 2));
  CHECK(strides[0] == 1 && strides[1] == 3);
  /* New shapes: views where the strides allow, reshape copies otherwise. */
  VIEW_IS(x, mt_view(x, DIMS(3, 2), OUT), 1, DIMS(3, 2), VALUES(0, 1, 2, 3, 4, 5));
  VIEW_IS(x, mt_view(x, DIMS(-1), OUT), 1, DIMS(6), VALUES(0, 1, 2, 3, 4, 5));
  VIEW_IS(x, mt_view(x, DIMS(1, 2, 1, 3), OUT), 1, DIMS(1, 2, 1, 3), VALUES(0, 1, 2, 3, 4, 5));
  VIEW_IS(x, mt_reshape(x, DIMS(3, -1), OUT), 1, DIMS(3, 2), VALUES(0, 1, 2, 3, 4, 5));
  VIEW_IS(x, mt_reshape(xt, DIMS(6), OUT), 0, DIMS(6), VALUES(0, 3, 1, 4, 2, 5));
  VIEW_IS(x, mt_view(xt, DIMS(3, 2), OUT), 1, DIMS(3, 2), VALUES(0, 3, 1, 4, 2, 5));
  CHECK_ERR_OUT(mt_view(xt, DIMS(6), OUT), MT_ERR_SHAPE_MISMATCH, "mt_view", "(3, 2)", "reshape");
  RELEASE(x, xt);
}

static void pick(void) {
  mt_tensor* x = make_x();
  mt_tensor *row = NULL, *wide = NULL;
  int64_t strides[2] = {-1, -1};
  CHECK_OK(mt_narrow(x, 0, 0, 1, &row)); /* [[0, 1, 2]] */
  VIEW_IS(x, mt_expand(row, DIMS(2, 3), OUT), 1, DIMS(2, 3), VALUES(0, 1, 2, 0, 1, 2));
  VIEW_IS(x, mt_expand(row, DIMS(2, 2, -1), OUT), 1, DIMS(2, 2, 3),
          VALUES(0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2));
  CHECK_OK(mt_expand(row, DIMS(4, 3), &wide));
  CHECK_OK(mt_strides(wide, strides, 2));
  CHECK(strides[0] == 0 && strides[1] == 1); /* size-1 dims repeat with stride 0 */
  VIEW_IS(x, mt_narrow(x, 1, 1, 2, OUT), 1, DIMS(2, 2), VALUES(1, 2, 4, 5));
  VIEW_IS(x, mt_narrow(x, -1, -2, 2, OUT), 1, DIMS(2, 2), VALUES(1, 2, 4, 5));
  VIEW_IS(x, mt_slice(x, 1, 0, 3, 2, OUT), 1, DIMS(2, 2), VALUES(0, 2, 3, 5));
  VIEW_IS(x, mt_slice(x, 1, -2, INT64_MAX, 1, OUT), 1, DIMS(2, 2), VALUES(1, 2, 4, 5));
  VIEW_IS(x, mt_slice(x, 0, 5, 10, 1, OUT), 1, DIMS(0, 3), NO_VALUES);
  VIEW_IS(x, mt_select(x, 0, 1, OUT), 1, DIMS(3), VALUES(3, 4, 5));
  VIEW_IS(x, mt_select(x, 1, -1, OUT), 1, DIMS(2), VALUES(2, 5));
  VIEW_IS(x, mt_unsqueeze(x, 0, OUT), 1, DIMS(1, 2, 3), VALUES(0, 1, 2, 3, 4, 5));
  VIEW_IS(x, mt_unsqueeze(x, -1, OUT), 1, DIMS(2, 3, 1), VALUES(0, 1, 2, 3, 4, 5));
  VIEW_IS(x, mt_squeeze(row, 0, OUT), 1, DIMS(3), VALUES(0, 1, 2));
  RELEASE(x, row, wide);
}

static void copies(void) {
  mt_tensor* x = make_x();
  mt_tensor *xt = NULL, *c = NULL, *copy = NULL;
  int32_t contiguous = -1;
  CHECK_OK(mt_transpose(x, 0, 1, &xt));
  VIEW_IS(x, mt_contiguous(x, OUT), 1, DIMS(2, 3), VALUES(0, 1, 2, 3, 4, 5)); /* already is */
  CHECK_OK(mt_contiguous(xt, &c));
  CHECK_TENSOR(c, DIMS(3, 2), VALUES(0, 3, 1, 4, 2, 5));
  CHECK_SHARES(x, c, 0);
  CHECK_OK(mt_is_contiguous(c, &contiguous));
  CHECK(contiguous == 1);
  VIEW_IS(x, mt_to_dtype(x, MT_FLOAT64, OUT), 0, DIMS(2, 3), VALUES(0, 1, 2, 3, 4, 5));
  VIEW_IS(x, mt_to_dtype(x, MT_FLOAT32, OUT), 0, DIMS(2, 3), VALUES(0, 1, 2, 3, 4, 5));
  VIEW_IS(x, mt_detach(x, OUT), 1, DIMS(2, 3), VALUES(0, 1, 2, 3, 4, 5));
  CHECK_OK(mt_to_dtype(xt, MT_FLOAT64, &copy));
  CHECK_DTYPE(copy, MT_FLOAT64);
  CHECK_TENSOR(copy, DIMS(3, 2), VALUES(0, 3, 1, 4, 2, 5));
  mt_release(copy);
  CHECK_OK(mt_clone(x, &copy));
  CHECK_SHARES(x, copy, 0);
  CHECK_OK(mt_set(copy, DIMS(0, 0), 100)); /* the copy's writes do not reach x */
  CHECK(GET(x, DIMS(0, 0)) == 0);
  CHECK_ERR_OUT(mt_to_dtype(x, 2, OUT), MT_ERR_DTYPE_MISMATCH, "mt_to_dtype", "unknown dtype 2");
  RELEASE(x, xt, c, copy);
}

/* A view keeps the memory alive after the tensor it came from is released. */
static void lifetime(void) {
  mt_tensor* x = make_x();
  mt_tensor *row = NULL, *col = NULL;
  CHECK_OK(mt_select(x, 0, 1, &row));
  CHECK_OK(mt_select(x, 1, 2, &col));
  mt_release(x);
  CHECK_TENSOR(row, DIMS(3), VALUES(3, 4, 5));
  CHECK_OK(mt_set(row, DIMS(2), -5));
  CHECK_TENSOR(col, DIMS(2), VALUES(2, -5));
  CHECK_SHARES(row, col, 1);
  RELEASE(col, row);
}

static void view_errors(void) {
  static const int64_t seventeen[17] = {1};
  mt_tensor* x = make_x();
  mt_tensor* deep = NULL;
  CHECK_ERR_OUT(mt_permute(x, DIMS(0, 0), OUT), MT_ERR_INVALID_ARGUMENT, "mt_permute",
                "not a permutation");
  CHECK_ERR_OUT(mt_permute(x, DIMS(0), OUT), MT_ERR_INVALID_ARGUMENT, "mt_permute", "(0,)",
                "rank 2");
  CHECK_ERR_OUT(mt_permute(x, DIMS(0, 2), OUT), MT_ERR_INDEX_OUT_OF_RANGE, "mt_permute", "dim 2");
  CHECK_ERR_OUT(mt_permute(x, NULL, 2, OUT), MT_ERR_INVALID_ARGUMENT, "order is NULL");
  CHECK_ERR_OUT(mt_transpose(x, 0, 2, OUT), MT_ERR_INDEX_OUT_OF_RANGE, "mt_transpose", "dim 2");
  CHECK_ERR_OUT(mt_view(x, DIMS(4), OUT), MT_ERR_SHAPE_MISMATCH, "mt_view", "(2, 3)", "(4,)");
  CHECK_ERR_OUT(mt_view(x, DIMS(-1, -1), OUT), MT_ERR_INVALID_ARGUMENT, "mt_view",
                "more than one -1");
  CHECK_ERR_OUT(mt_view(x, DIMS(-2, 3), OUT), MT_ERR_INVALID_ARGUMENT, "mt_view",
                "invalid size -2");
  CHECK_ERR_OUT(mt_view(x, DIMS(INT64_MAX, 2), OUT), MT_ERR_OVERFLOW, "mt_view");
  CHECK_ERR_OUT(mt_view(x, seventeen, 17, OUT), MT_ERR_INVALID_ARGUMENT, "mt_view", "count 17");
  CHECK_ERR_OUT(mt_view(x, I64(6), -1, OUT), MT_ERR_INVALID_ARGUMENT, "mt_view", "count -1");
  CHECK_ERR_OUT(mt_reshape(x, DIMS(4, 2), OUT), MT_ERR_SHAPE_MISMATCH, "mt_reshape", "(4, 2)");
  CHECK_ERR_OUT(mt_expand(x, DIMS(4, 3), OUT), MT_ERR_SHAPE_MISMATCH, "mt_expand", "(2, 3)",
                "(4, 3)");
  CHECK_ERR_OUT(mt_expand(x, DIMS(3), OUT), MT_ERR_SHAPE_MISMATCH, "mt_expand", "lower rank");
  CHECK_ERR_OUT(mt_expand(x, DIMS(2, -2), OUT), MT_ERR_INVALID_ARGUMENT, "mt_expand",
                "invalid size -2");
  CHECK_ERR_OUT(mt_narrow(x, 1, 4, 1, OUT), MT_ERR_INDEX_OUT_OF_RANGE, "mt_narrow", "start 4");
  CHECK_ERR_OUT(mt_narrow(x, 1, 1, 3, OUT), MT_ERR_INDEX_OUT_OF_RANGE, "mt_narrow", "length 3");
  CHECK_ERR_OUT(mt_narrow(x, 1, 0, -1, OUT), MT_ERR_INDEX_OUT_OF_RANGE, "mt_narrow", "length -1");
  CHECK_ERR_OUT(mt_narrow(x, 2, 0, 1, OUT), MT_ERR_INDEX_OUT_OF_RANGE, "mt_narrow", "dim 2");
  CHECK_ERR_OUT(mt_slice(x, 1, 0, 3, 0, OUT), MT_ERR_INVALID_ARGUMENT, "mt_slice",
                "step must be positive");
  CHECK_ERR_OUT(mt_slice(x, -3, 0, 3, 1, OUT), MT_ERR_INDEX_OUT_OF_RANGE, "mt_slice", "dim -3");
  CHECK_ERR_OUT(mt_select(x, 0, 2, OUT), MT_ERR_INDEX_OUT_OF_RANGE, "mt_select", "index 2");
  CHECK_ERR_OUT(mt_select(x, 0, -3, OUT), MT_ERR_INDEX_OUT_OF_RANGE, "mt_select", "index -3");
  CHECK_ERR_OUT(mt_unsqueeze(x, 3, OUT), MT_ERR_INDEX_OUT_OF_RANGE, "mt_unsqueeze", "dim 3");
  CHECK_ERR_OUT(mt_squeeze(x, 1, OUT), MT_ERR_SHAPE_MISMATCH, "mt_squeeze", "size 3, not 1");
  CHECK_ERR_OUT(mt_squeeze(x, 2, OUT), MT_ERR_INDEX_OUT_OF_RANGE, "mt_squeeze", "dim 2");
  /* A 17th dim does not fit. */
  CHECK_OK(mt_zeros(DIMS(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1), MT_FLOAT32, &deep));
  CHECK_ERR_OUT(mt_unsqueeze(deep, 0, OUT), MT_ERR_INVALID_ARGUMENT, "mt_unsqueeze", "rank 17");
  CHECK_TENSOR(x, DIMS(2, 3), VALUES(0, 1, 2, 3, 4, 5)); /* nothing changed */
  RELEASE(x, deep);
}

void test_views(void) {
  reorder();
  pick();
  copies();
  lifetime();
  view_errors();
}
