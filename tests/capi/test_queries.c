/* Queries, element access (get/set/item), to_string and reference counts. */
#include <string.h>

#include "check.h"
#include "suites.h"

static void queries(void) {
  mt_tensor* a = TENSOR(MT_FLOAT32, DIMS(2, 3), VALUES(1, 2, 3, 4, 5, 6));
  mt_tensor *at = NULL, *copy = NULL;
  int32_t ndim = -1, dtype = -1, type = -1, index = -1, contiguous = -1;
  int64_t numel = -1, size = -1, stride = -1, shape[3] = {0, 0, -9}, strides[2] = {0, 0};
  CHECK_OK(mt_ndim(a, &ndim));
  CHECK(ndim == 2);
  CHECK_OK(mt_numel(a, &numel));
  CHECK(numel == 6);
  CHECK_OK(mt_dtype(a, &dtype));
  CHECK(dtype == MT_FLOAT32);
  CHECK_OK(mt_device(a, &type, &index));
  CHECK(type == MT_DEVICE_CPU && index == 0);
  CHECK_OK(mt_size(a, 0, &size));
  CHECK(size == 2);
  CHECK_OK(mt_size(a, -1, &size));
  CHECK(size == 3);
  CHECK_OK(mt_stride(a, 0, &stride));
  CHECK(stride == 3);
  CHECK_OK(mt_stride(a, -1, &stride));
  CHECK(stride == 1);
  CHECK_OK(mt_shape(a, shape, 3)); /* a larger capacity is fine */
  CHECK(shape[0] == 2 && shape[1] == 3 && shape[2] == -9);
  CHECK_OK(mt_strides(a, strides, 2));
  CHECK(strides[0] == 3 && strides[1] == 1);
  CHECK_OK(mt_is_contiguous(a, &contiguous));
  CHECK(contiguous == 1);
  CHECK_OK(mt_transpose(a, 0, 1, &at));
  CHECK_OK(mt_is_contiguous(at, &contiguous));
  CHECK(contiguous == 0);
  CHECK_OK(mt_clone(a, &copy));
  CHECK_SHARES(a, at, 1);
  CHECK_SHARES(at, a, 1);
  CHECK_SHARES(a, copy, 0);
  RELEASE(a, at, copy);
}

static void query_errors(void) {
  mt_tensor* a = TENSOR(MT_FLOAT64, DIMS(2, 3), VALUES(1, 2, 3, 4, 5, 6));
  mt_tensor* none = NULL;
  int64_t value = -77, shape[2] = {-5, -5};
  double item = -77;
  CHECK_ERR(mt_size(a, 2, &value), MT_ERR_INDEX_OUT_OF_RANGE, "mt_size", "dim 2", "rank 2");
  CHECK_ERR(mt_size(a, -3, &value), MT_ERR_INDEX_OUT_OF_RANGE, "mt_size", "dim -3");
  CHECK_ERR(mt_stride(a, 5, &value), MT_ERR_INDEX_OUT_OF_RANGE, "mt_stride", "dim 5");
  CHECK(value == -77);
  CHECK_ERR(mt_shape(a, shape, 1), MT_ERR_INVALID_ARGUMENT, "mt_shape", "capacity 1", "(2, 3)");
  CHECK_ERR(mt_strides(a, shape, 0), MT_ERR_INVALID_ARGUMENT, "mt_strides", "capacity 0", "(3, 1)");
  CHECK_ERR(mt_shape(a, NULL, 2), MT_ERR_INVALID_ARGUMENT, "mt_shape", "out is NULL");
  CHECK_ERR(mt_shape(a, shape, -1), MT_ERR_INVALID_ARGUMENT, "mt_shape", "capacity -1");
  CHECK(shape[0] == -5 && shape[1] == -5);
  CHECK_ERR(mt_item(a, &item), MT_ERR_SHAPE_MISMATCH, "mt_item", "(2, 3)");
  CHECK_OK(mt_zeros(DIMS(0), MT_FLOAT64, &none));
  CHECK_ERR(mt_item(none, &item), MT_ERR_SHAPE_MISMATCH, "mt_item", "(0,)");
  CHECK(item == -77);
  RELEASE(a, none);
}

static void scalars(void) {
  mt_tensor* s = SCALAR(MT_FLOAT64, -1.5);
  mt_tensor* one = TENSOR(MT_FLOAT32, DIMS(1, 1), VALUES(8));
  int32_t ndim = -1;
  int64_t numel = -1;
  double value = 0;
  CHECK_OK(mt_ndim(s, &ndim));
  CHECK(ndim == 0);
  CHECK_OK(mt_numel(s, &numel));
  CHECK(numel == 1);
  CHECK_OK(mt_shape(s, NULL, 0)); /* nothing to copy */
  CHECK_OK(mt_item(s, &value));
  CHECK(value == -1.5);
  CHECK_OK(mt_get(s, NULL, 0, &value));
  CHECK(value == -1.5);
  CHECK_ERR(mt_size(s, 0, &numel), MT_ERR_INDEX_OUT_OF_RANGE, "mt_size", "rank 0");
  CHECK(ITEM(one) == 8); /* any one-element tensor */
  RELEASE(s, one);
}

static void get_set(void) {
  mt_tensor* a = TENSOR(MT_FLOAT32, DIMS(2, 3), VALUES(1, 2, 3, 4, 5, 6));
  mt_tensor* row = NULL;
  double value = -77;
  CHECK(GET(a, DIMS(1, 2)) == 6);
  CHECK(GET(a, DIMS(0, 1)) == 2);
  CHECK_OK(mt_select(a, 0, 1, &row));
  CHECK_OK(mt_set(a, DIMS(1, 0), 40)); /* seen by the view ... */
  CHECK(GET(row, DIMS(0)) == 40);
  CHECK_OK(mt_set(row, DIMS(2), 60.5)); /* ... and the other way */
  CHECK(GET(a, DIMS(1, 2)) == 60.5);
  CHECK_ERR(mt_get(a, DIMS(1), &value), MT_ERR_INDEX_OUT_OF_RANGE, "mt_get", "rank 1", "(2, 3)");
  CHECK_ERR(mt_get(a, DIMS(2, 0), &value), MT_ERR_INDEX_OUT_OF_RANGE, "mt_get", "(2, 0)");
  CHECK_ERR(mt_get(a, DIMS(-1, 0), &value), MT_ERR_INDEX_OUT_OF_RANGE, "mt_get", "(-1, 0)");
  CHECK_ERR(mt_get(a, NULL, 2, &value), MT_ERR_INVALID_ARGUMENT, "mt_get", "index is NULL");
  CHECK_ERR(mt_get(a, DIMS(0, 0), NULL), MT_ERR_INVALID_ARGUMENT, "mt_get", "out is NULL");
  CHECK(value == -77);
  CHECK_ERR(mt_set(a, DIMS(0, 3), 9), MT_ERR_INDEX_OUT_OF_RANGE, "mt_set", "(0, 3)");
  CHECK_ERR(mt_set(a, DIMS(0), 9), MT_ERR_INDEX_OUT_OF_RANGE, "mt_set", "rank 1");
  CHECK_ERR(mt_set(a, NULL, 17, 9), MT_ERR_INVALID_ARGUMENT, "mt_set", "count 17");
  CHECK_TENSOR(a, DIMS(2, 3), VALUES(1, 2, 3, 40, 5, 60.5)); /* failed sets changed nothing */
  RELEASE(a, row);
}

static void to_string(void) {
  mt_tensor* a = TENSOR(MT_FLOAT32, DIMS(2, 2), VALUES(1, 2, 3, 4));
  mt_tensor* h = VEC(MT_FLOAT64, 0.5, -2);
  mt_tensor* none = NULL;
  char* text = SENTINEL;
  CHECK_OK(mt_to_string(a, &text));
  /* "tensor([[1., 2.],\n        [3., 4.]], dtype=float32)" (numpy marks floats with "1.") */
  CHECK(strncmp(text, "tensor([[1", 10) == 0);
  CHECK_CONTAINS(text, "],\n        [3");
  CHECK_CONTAINS(text, "]], dtype=float32)");
  mt_string_free(text);
  CHECK_OK(mt_to_string(h, &text));
  CHECK_CONTAINS(text, "0.5, -2");
  CHECK_CONTAINS(text, "dtype=float64)");
  mt_string_free(text);
  CHECK_OK(mt_zeros(DIMS(0, 3), MT_FLOAT32, &none));
  CHECK_OK(mt_to_string(none, &text));
  CHECK_CONTAINS(text, "(0, 3)");
  mt_string_free(text);
  mt_release(none);
  CHECK_OK(mt_arange(0, 2000, 1, MT_FLOAT64, &none)); /* long: summarized */
  CHECK_OK(mt_to_string(none, &text));
  CHECK_CONTAINS(text, "...");
  CHECK_CONTAINS(text, "1999");
  CHECK(!contains(text, "1000"));
  mt_string_free(text);
  text = SENTINEL;
  CHECK_ERR(mt_to_string(NULL, &text), MT_ERR_INVALID_ARGUMENT, "mt_to_string", "tensor is NULL");
  CHECK(text == SENTINEL);
  RELEASE(a, h, none);
}

void test_queries(void) {
  queries();
  query_errors();
  scalars();
  get_set();
  to_string();
}
