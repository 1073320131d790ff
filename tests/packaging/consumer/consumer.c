/* An out-of-tree user of the installed libminitensor: built by scripts/check-install.sh with
 * pkg-config and with find_package(minitensor), as a C99 program with -pedantic -Werror. It
 * calls a few functions, checks their results and prints OK. */
#include <minitensor/minitensor.h>
#include <stdio.h>
#include <string.h>

static int failures = 0;

static void check(int ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "consumer: FAILED: %s (last error: '%s')\n", what, mt_last_error());
    ++failures;
  }
}

int main(void) {
  int64_t shape[2] = {2, 3};
  int64_t bad_shape[1] = {4};
  mt_tensor *a = NULL, *b = NULL, *c = NULL, *s = NULL, *w = NULL, *m = NULL;
  mt_tensor* untouched = NULL;
  double total = 0.0;
  double out[6] = {0};
  int64_t sizes[2] = {0, 0};
  int32_t status;

  /* The header and the running library agree. */
  check(strcmp(mt_version(), MT_VERSION_STRING) == 0, "mt_version() == MT_VERSION_STRING");
  check(mt_abi_version() >= MT_ABI_VERSION, "mt_abi_version() >= MT_ABI_VERSION");

  /* ones(2, 3) + arange(3) -> broadcasts to (2, 3); its sum is 2 * (1 + 2 + 3) = 12. */
  check(mt_ones(shape, 2, MT_FLOAT32, &a) == MT_OK, "mt_ones");
  check(mt_arange(0, 3, 1, MT_FLOAT32, &b) == MT_OK, "mt_arange");
  check(mt_zip(MT_ZIP_ADD, a, b, &c) == MT_OK, "mt_zip add");
  check(mt_shape(c, sizes, 2) == MT_OK && sizes[0] == 2 && sizes[1] == 3, "mt_shape (2, 3)");
  check(mt_reduce(MT_REDUCE_SUM, c, NULL, 0, 0, &s) == MT_OK, "mt_reduce sum");
  check(mt_item(s, &total) == MT_OK && total == 12.0, "sum == 12");
  check(strcmp(mt_last_error(), "") == 0, "mt_last_error() is empty after a success");

  /* A float64 copy out in row-major order. */
  check(mt_to_buffer(c, out, MT_FLOAT64, 6) == MT_OK, "mt_to_buffer");
  check(out[0] == 1.0 && out[2] == 3.0 && out[5] == 3.0, "mt_to_buffer values");

  /* matmul (2, 3) @ (3, 2) of ones: every element is 3. */
  check(mt_transpose(a, 0, 1, &w) == MT_OK, "mt_transpose");
  check(mt_matmul(a, w, &m) == MT_OK, "mt_matmul");
  check(mt_get(m, (const int64_t[2]){1, 1}, 2, &total) == MT_OK && total == 3.0, "matmul value");

  /* An error: a status, a message, and the out-parameter left alone. */
  mt_release(b);
  b = NULL;
  check(mt_ones(bad_shape, 1, MT_FLOAT32, &b) == MT_OK, "mt_ones (4,)");
  status = mt_zip(MT_ZIP_ADD, a, b, &untouched);
  check(status == MT_ERR_SHAPE_MISMATCH, "(2, 3) + (4,) is MT_ERR_SHAPE_MISMATCH");
  check(strlen(mt_last_error()) > 0, "mt_last_error() names the problem");
  check(untouched == NULL, "out is untouched on failure");
  check(strcmp(mt_status_name(status), "MT_ERR_SHAPE_MISMATCH") == 0, "mt_status_name");

  mt_release(m);
  mt_release(w);
  mt_release(s);
  mt_release(c);
  mt_release(b);
  mt_release(a);
  mt_release(NULL);
  if (failures != 0) return 1;
  printf("OK\n");
  return 0;
}
