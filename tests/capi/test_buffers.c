/* Data in and out: mt_from_buffer (a copy, with dtype conversion), mt_to_buffer, and
 * mt_from_blob (no copy, strides, the deleter). */
#include "check.h"
#include "suites.h"

static void from_buffer(void) {
  static const double f64[4] = {0.5, 1.25, -3, 4};
  float f32[3] = {1.5f, 2.25f, -0.125f};
  mt_tensor *a = NULL, *b = NULL, *none = NULL;
  CHECK_OK(mt_from_buffer(f64, MT_FLOAT64, 4, DIMS(2, 2), MT_FLOAT32, &a));
  CHECK_TENSOR(a, DIMS(2, 2), VALUES(0.5, 1.25, -3, 4));
  CHECK_DTYPE(a, MT_FLOAT32);
  CHECK_OK(mt_from_buffer(f32, MT_FLOAT32, 3, DIMS(3), MT_FLOAT64, &b));
  CHECK_DTYPE(b, MT_FLOAT64);
  f32[0] = 100; /* a copy: later writes to the source do not show */
  CHECK_TENSOR(b, DIMS(3), VALUES(1.5, 2.25, -0.125));
  CHECK_OK(mt_from_buffer(NULL, MT_FLOAT64, 0, DIMS(0), MT_FLOAT64, &none));
  CHECK_SHAPE(none, DIMS(0));
  CHECK_ERR_OUT(mt_from_buffer(f64, MT_FLOAT64, 5, DIMS(2, 3), MT_FLOAT32, OUT),
                MT_ERR_SHAPE_MISMATCH, "mt_from_buffer", "5 values", "(2, 3)");
  CHECK_ERR_OUT(mt_from_buffer(f64, MT_FLOAT64, -1, DIMS(2), MT_FLOAT32, OUT),
                MT_ERR_INVALID_ARGUMENT, "mt_from_buffer", "negative count -1");
  CHECK_ERR_OUT(mt_from_buffer(NULL, MT_FLOAT64, 4, DIMS(4), MT_FLOAT32, OUT),
                MT_ERR_INVALID_ARGUMENT, "mt_from_buffer", "data is NULL");
  CHECK_ERR_OUT(mt_from_buffer(f64, 9, 4, DIMS(4), MT_FLOAT32, OUT), MT_ERR_DTYPE_MISMATCH,
                "mt_from_buffer", "unknown dtype 9");
  RELEASE(a, b, none);
}

/* Buffers at any address (a record in a byte stream, say) are copied through aligned memory,
 * never read or written as misaligned elements. */
static void misaligned_buffers(void) {
  double storage[8] = {0};
  unsigned char* bytes = (unsigned char*)storage + 1;
  mt_tensor* a = TENSOR(MT_FLOAT64, DIMS(3), VALUES(1.5, -2, 8));
  mt_tensor* back = NULL;
  CHECK_OK(mt_to_buffer(a, bytes, MT_FLOAT64, 3));
  CHECK_OK(mt_from_buffer(bytes, MT_FLOAT64, 3, DIMS(3), MT_FLOAT32, &back));
  CHECK_TENSOR(back, DIMS(3), VALUES(1.5, -2, 8));
  CHECK(((unsigned char*)storage)[0] == 0 && bytes[3 * sizeof(double)] == 0); /* no spill */
  RELEASE(a, back);
}

static void to_buffer(void) {
  mt_tensor* a = TENSOR(MT_FLOAT32, DIMS(2, 3), VALUES(1, 2, 3, 4, 5, 6));
  mt_tensor *at = NULL, *none = NULL;
  double d[7] = {-7, -7, -7, -7, -7, -7, -7};
  float f[6] = {0};
  int i, untouched = 1;
  CHECK_OK(mt_to_buffer(a, d, MT_FLOAT64, 7)); /* room to spare: only numel written */
  CHECK(d[0] == 1 && d[5] == 6 && d[6] == -7);
  CHECK_OK(mt_to_buffer(a, f, MT_FLOAT32, 6));
  CHECK(f[0] == 1 && f[1] == 2 && f[5] == 6);
  CHECK_OK(mt_transpose(a, 0, 1, &at)); /* row-major order of the view */
  CHECK_OK(mt_to_buffer(at, d, MT_FLOAT64, 6));
  CHECK(d[0] == 1 && d[1] == 4 && d[2] == 2 && d[3] == 5 && d[4] == 3 && d[5] == 6);
  for (i = 0; i < 7; ++i)
    d[i] = -7;
  CHECK_ERR(mt_to_buffer(a, d, MT_FLOAT64, 5), MT_ERR_SHAPE_MISMATCH, "mt_to_buffer", "holds 5",
            "(2, 3)");
  CHECK_ERR(mt_to_buffer(a, d, MT_FLOAT64, -1), MT_ERR_SHAPE_MISMATCH, "mt_to_buffer");
  CHECK_ERR(mt_to_buffer(a, NULL, MT_FLOAT64, 6), MT_ERR_INVALID_ARGUMENT, "mt_to_buffer",
            "dst is NULL");
  CHECK_ERR(mt_to_buffer(a, d, 3, 7), MT_ERR_DTYPE_MISMATCH, "mt_to_buffer", "unknown dtype 3");
  CHECK_ERR(mt_to_buffer(NULL, d, MT_FLOAT64, 7), MT_ERR_INVALID_ARGUMENT, "mt_to_buffer",
            "tensor is NULL");
  for (i = 0; i < 7; ++i)
    untouched = untouched && d[i] == -7;
  CHECK(untouched); /* failed copies write nothing */
  CHECK_OK(mt_zeros(DIMS(0, 4), MT_FLOAT32, &none));
  CHECK_OK(mt_to_buffer(none, NULL, MT_FLOAT32, 0)); /* nothing to copy, no buffer needed */
  RELEASE(a, at, none);
}

/* What a deleter saw: how often it ran and with which pointer. */
typedef struct {
  int calls;
  void* data;
} deleter_log;

static void log_delete(void* data, void* context) {
  deleter_log* log = context;
  ++log->calls;
  log->data = data;
}

static void blob(void) {
  float data[6] = {0, 1, 2, 3, 4, 5};
  deleter_log log = {0, NULL};
  mt_tensor *t = NULL, *view = NULL;
  int64_t strides[2] = {0, 0};
  int32_t contiguous = -1;
  CHECK_OK(mt_from_blob(data, MT_FLOAT32, I64(2, 3), NULL, 2, log_delete, &log, &t));
  CHECK_TENSOR(t, DIMS(2, 3), VALUES(0, 1, 2, 3, 4, 5));
  CHECK_OK(mt_set(t, DIMS(1, 2), 50)); /* no copy: writes reach the buffer ... */
  CHECK(data[5] == 50);
  data[0] = 9; /* ... and the buffer's changes show */
  CHECK(GET(t, DIMS(0, 0)) == 9);
  CHECK_OK(mt_transpose(t, 0, 1, &view));
  CHECK_OK(mt_retain(t));
  mt_release(t);
  mt_release(t);
  CHECK(log.calls == 0); /* the view keeps the memory */
  CHECK(GET(view, DIMS(2, 1)) == 50);
  mt_release(view);
  CHECK(log.calls == 1 && log.data == data);

  /* Strides in elements: element (i, j) at data[i + 2 j]. */
  log.calls = 0;
  CHECK_OK(mt_from_blob(data, MT_FLOAT32, I64(2, 3), I64(1, 2), 2, log_delete, &log, &t));
  CHECK_TENSOR(t, DIMS(2, 3), VALUES(9, 2, 4, 1, 3, 50));
  CHECK_OK(mt_strides(t, strides, 2));
  CHECK(strides[0] == 1 && strides[1] == 2);
  CHECK_OK(mt_is_contiguous(t, &contiguous));
  CHECK(contiguous == 0);
  mt_release(t);
  CHECK(log.calls == 1);

  /* Stride 0 repeats an element; a NULL deleter is allowed. */
  CHECK_OK(mt_from_blob(data + 1, MT_FLOAT32, I64(3), I64(0), 1, NULL, NULL, &t));
  CHECK_TENSOR(t, DIMS(3), VALUES(1, 1, 1));
  mt_release(t);
  /* No elements: no data needed, and the deleter still runs once. */
  log.calls = 0;
  CHECK_OK(mt_from_blob(NULL, MT_FLOAT64, I64(0, 2), NULL, 2, log_delete, &log, &t));
  mt_release(t);
  CHECK(log.calls == 1);
}

static void blob_errors(void) {
  double data[4] = {1, 2, 3, 4};
  deleter_log log = {0, NULL};
  CHECK_ERR_OUT(mt_from_blob(data, MT_FLOAT64, I64(2, 2), I64(2, -1), 2, log_delete, &log, OUT),
                MT_ERR_UNSUPPORTED, "mt_from_blob", "negative strides", "(2, -1)");
  CHECK_ERR_OUT(mt_from_blob(NULL, MT_FLOAT64, I64(2, 2), NULL, 2, log_delete, &log, OUT),
                MT_ERR_INVALID_ARGUMENT, "mt_from_blob", "data is NULL");
  CHECK_ERR_OUT(
      mt_from_blob(data, MT_FLOAT64, I64(2, 2), I64(INT64_MAX, 1), 2, log_delete, &log, OUT),
      MT_ERR_OVERFLOW, "mt_from_blob", "buffer extent");
  CHECK_ERR_OUT(mt_from_blob(data, 5, I64(2, 2), NULL, 2, log_delete, &log, OUT),
                MT_ERR_DTYPE_MISMATCH, "mt_from_blob", "unknown dtype 5");
  /* Reads through a misaligned pointer are undefined behaviour: refused, naming the alignment. */
  CHECK_ERR_OUT(mt_from_blob((char*)data + 2, MT_FLOAT32, I64(2), NULL, 1, log_delete, &log, OUT),
                MT_ERR_INVALID_ARGUMENT, "mt_from_blob", "data", "not aligned", "4 bytes",
                "float32");
  CHECK_ERR_OUT(mt_from_blob((char*)data + 4, MT_FLOAT64, I64(2), NULL, 1, log_delete, &log, OUT),
                MT_ERR_INVALID_ARGUMENT, "not aligned", "8 bytes", "float64");
  /* Elements past the end of the address space. */
  CHECK_ERR_OUT(
      mt_from_blob((void*)(UINTPTR_MAX - 15), MT_FLOAT64, I64(4), NULL, 1, log_delete, &log, OUT),
      MT_ERR_OVERFLOW, "mt_from_blob", "address space");
  CHECK(log.calls == 0);
  CHECK(data[0] == 1 && data[3] == 4);
}

void test_buffers(void) {
  from_buffer();
  to_buffer();
  misaligned_buffers();
  blob();
  blob_errors();
}
