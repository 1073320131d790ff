/* Versions, status names, the last-error message and library strings. */
#include <stdio.h>

#include "check.h"
#include "suites.h"

static void versions(void) {
  char expected[64];
  snprintf(expected, sizeof expected, "%d.%d.%d", MT_VERSION_MAJOR, MT_VERSION_MINOR,
           MT_VERSION_PATCH);
  CHECK_STR(mt_version(), MT_VERSION_STRING);
  CHECK_STR(mt_version(), expected);
  CHECK(mt_abi_version() == MT_ABI_VERSION);
  CHECK(mt_abi_version() >= 1);
}

static void status_names(void) {
  static const struct {
    int32_t status;
    const char* name;
  } names[] = {{MT_OK, "MT_OK"},
               {MT_ERR_INVALID_ARGUMENT, "MT_ERR_INVALID_ARGUMENT"},
               {MT_ERR_SHAPE_MISMATCH, "MT_ERR_SHAPE_MISMATCH"},
               {MT_ERR_INDEX_OUT_OF_RANGE, "MT_ERR_INDEX_OUT_OF_RANGE"},
               {MT_ERR_DTYPE_MISMATCH, "MT_ERR_DTYPE_MISMATCH"},
               {MT_ERR_OVERFLOW, "MT_ERR_OVERFLOW"},
               {MT_ERR_OUT_OF_MEMORY, "MT_ERR_OUT_OF_MEMORY"},
               {MT_ERR_UNSUPPORTED, "MT_ERR_UNSUPPORTED"},
               {MT_ERR_INTERNAL, "MT_ERR_INTERNAL"},
               {MT_ERR_DEVICE_MISMATCH, "MT_ERR_DEVICE_MISMATCH"},
               {MT_ERR_DEVICE_UNAVAILABLE, "MT_ERR_DEVICE_UNAVAILABLE"},
               {MT_ERR_COLLECTIVE_FAILED, "MT_ERR_COLLECTIVE_FAILED"},
               {MT_ERR_COLLECTIVE_MISMATCH, "MT_ERR_COLLECTIVE_MISMATCH"},
               {MT_ERR_CAPTURE, "MT_ERR_CAPTURE"},
               {-1, "unknown status"},
               {14, "unknown status"},
               {INT32_MAX, "unknown status"},
               {INT32_MIN, "unknown status"}};
  size_t i;
  for (i = 0; i < sizeof names / sizeof names[0]; ++i)
    CHECK_STR(mt_status_name(names[i].status), names[i].name);
}

/* Every status-returning call resets the message; a failure sets it, a success clears it. */
static void last_error(void) {
  mt_tensor* t = NULL;
  CHECK_ERR(mt_zeros(DIMS(2, -3), MT_FLOAT32, &t), MT_ERR_INVALID_ARGUMENT, "mt_zeros",
            "negative size", "(2, -3)");
  CHECK(t == NULL);
  CHECK(mt_last_error()[0] != '\0');
  CHECK_OK(mt_zeros(DIMS(2, 3), MT_FLOAT32, &t));
  CHECK_STR(mt_last_error(), "");
  /* A failure of one function, then a success of another. */
  CHECK_ERR(mt_retain(NULL), MT_ERR_INVALID_ARGUMENT, "mt_retain", "tensor is NULL");
  CHECK_OK(mt_retain(t));
  CHECK_STR(mt_last_error(), "");
  mt_release(t);
  /* The message names the failed call and the values. */
  CHECK_ERR(mt_scalar(1, 7, &t), MT_ERR_DTYPE_MISMATCH, "mt_scalar", "unknown dtype 7");
  CHECK_OK(mt_set_diagnostics(MT_DIAGNOSTICS_OFF));
  CHECK_STR(mt_last_error(), "");
  mt_release(t);
}

static void strings(void) {
  mt_tensor* t = SCALAR(MT_FLOAT64, 2.5);
  char* text = NULL;
  CHECK_OK(mt_to_string(t, &text));
  CHECK_CONTAINS(text, "2.5");
  mt_string_free(text);
  mt_string_free(NULL);
  mt_release(t);
}

void test_version(void) {
  versions();
  status_names();
  last_error();
  strings();
}
