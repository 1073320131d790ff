/*
 * check.h: the tiny harness of the C API tests (C99).
 *
 * Every CHECK_* macro records one check; a failed one prints file:line and what failed, and
 * check_summary() (the return value of main) is nonzero when any failed.
 *
 * Shapes and values are written inline with DIMS(...) and VALUES(...), which expand to a
 * pointer and a count, so that they fill both parameters of the API's (array, count) pairs:
 *
 *     mt_tensor* a = TENSOR(MT_FLOAT32, DIMS(2, 3), VALUES(1, 2, 3, 4, 5, 6));
 *     CHECK_OK(mt_zeros(DIMS(2, 3), MT_FLOAT64, &z));
 *     CHECK_TENSOR(z, DIMS(2, 3), VALUES(0, 0, 0, 0, 0, 0));
 *
 * Errors: CHECK_ERR(call, status, substrings...) checks the status and that mt_last_error()
 * contains every substring; CHECK_OK(call) checks MT_OK and that mt_last_error() is "".
 * CHECK_ERR_OUT is CHECK_ERR for a call whose out-parameter is written as OUT: it is preset
 * to SENTINEL and must still hold it afterwards.
 *
 *     CHECK_ERR_OUT(mt_zip(MT_ZIP_ADD, a, b, OUT), MT_ERR_SHAPE_MISMATCH, "mt_zip", "(2, 3)");
 */
#ifndef MT_CAPI_CHECK_H
#define MT_CAPI_CHECK_H

#include <minitensor/minitensor.h>
#include <stddef.h>
#include <stdint.h>

/* --- Inline arrays: each expands to two arguments, a pointer and its element count. --- */
#define DIMS(...)                 \
  (const int64_t[]){__VA_ARGS__}, \
      (int32_t)(sizeof((const int64_t[]){__VA_ARGS__}) / sizeof(int64_t))
/* Just the array, for the calls whose count is not next to it (mt_from_blob). */
#define I64(...) ((const int64_t[]){__VA_ARGS__})
/* The shape of a rank-0 tensor. */
#define NO_DIMS (const int64_t*)NULL, 0
/* The values of a tensor without elements. */
#define NO_VALUES (const double*)NULL, 0
#define VALUES(...) \
  (const double[]){__VA_ARGS__}, (int64_t)(sizeof((const double[]){__VA_ARGS__}) / sizeof(double))

/* A pointer that no library call gives out: out-parameters are preset to it. */
extern long double check_sentinel_storage;
#define SENTINEL ((void*)&check_sentinel_storage)

/* --- Checks --- */
#define CHECK(cond) check_true_((cond) != 0, __FILE__, __LINE__, #cond)
#define CHECK_OK(call) check_status_((call), MT_OK, __FILE__, __LINE__, #call, (const char*)NULL)
#define CHECK_ERR(call, status, ...) \
  check_status_((call), (status), __FILE__, __LINE__, #call, __VA_ARGS__, (const char*)NULL)
/* CHECK_ERR for a call that writes its result to OUT (a pointer of `type`, preset to SENTINEL),
 * which must be left untouched. */
#define CHECK_ERR_OUT_TYPED(type, call, status, ...) \
  do {                                               \
    type check_out_ = SENTINEL;                      \
    type* OUT = &check_out_;                         \
    (void)OUT;                                       \
    CHECK_ERR(call, status, __VA_ARGS__);            \
    CHECK(check_out_ == SENTINEL);                   \
  } while (0)
#define CHECK_ERR_OUT(call, status, ...) CHECK_ERR_OUT_TYPED(mt_tensor*, call, status, __VA_ARGS__)
/* `call`, which writes its result to OUT, succeeds with a tensor of the shape and values (which
 * it then releases). */
#define CHECK_GIVES(call, ...)                \
  do {                                        \
    mt_tensor* check_result_ = NULL;          \
    mt_tensor** OUT = &check_result_;         \
    CHECK_OK(call);                           \
    CHECK_TENSOR(check_result_, __VA_ARGS__); \
    mt_release(check_result_);                \
  } while (0)
#define CHECK_STR(got, expected) check_str_((got), (expected), __FILE__, __LINE__, #got)
#define CHECK_CONTAINS(text, part) check_contains_((text), (part), __FILE__, __LINE__, #text)
/* Shape and row-major values (within 1e-5 relative; NaN matches NaN). */
#define CHECK_TENSOR(t, ...) check_tensor_((t), __FILE__, __LINE__, #t, __VA_ARGS__)
#define CHECK_SHAPE(t, ...) check_shape_((t), __FILE__, __LINE__, #t, __VA_ARGS__)
#define CHECK_SCALAR(t, value) check_tensor_((t), __FILE__, __LINE__, #t, NO_DIMS, VALUES(value))
#define CHECK_DTYPE(t, dtype) check_dtype_((t), (dtype), __FILE__, __LINE__, #t)
/* Whether mt_shares_memory(a, b) is `expected`. */
#define CHECK_SHARES(a, b, expected) check_shares_((a), (b), (expected), __FILE__, __LINE__)

/* --- Tensors from inline values (a failure is recorded and NULL returned) --- */
#define TENSOR(dtype, ...) make_tensor_(__FILE__, __LINE__, (dtype), __VA_ARGS__)
/* A 1-D tensor of the listed values. */
#define VEC(dtype, ...)                                                                        \
  make_tensor_(                                                                                \
      __FILE__, __LINE__, (dtype),                                                             \
      (const int64_t[]){(int64_t)(sizeof((const double[]){__VA_ARGS__}) / sizeof(double))}, 1, \
      VALUES(__VA_ARGS__))
#define SCALAR(dtype, value) make_tensor_(__FILE__, __LINE__, (dtype), NO_DIMS, VALUES(value))
/* mt_release of every listed handle. */
#define RELEASE(...)                        \
  release_all_((mt_tensor*[]){__VA_ARGS__}, \
               sizeof((mt_tensor*[]){__VA_ARGS__}) / sizeof(mt_tensor*))

/* The value of a one-element tensor and element `index` (DIMS) of a tensor (NaN after recording
 * a failure). */
#define ITEM(t) item_at_((t), __FILE__, __LINE__)
#define GET(t, ...) get_at_((t), __FILE__, __LINE__, __VA_ARGS__)
/* Copies the elements of t (at most `capacity`) as float64 to `out`; the numel, or -1 after
 * recording a failure. */
#define READ(t, out, capacity) read_values_((t), (out), (capacity), __FILE__, __LINE__)
/* Whether `text` contains `part`. */
int contains(const char* text, const char* part);

/* Names what the following checks are about (printed with their failures); "" for nothing. */
void check_context(const char* context);
/* Prints the counts; returns the exit status of the test program. */
int check_summary(const char* program);

/* --- The functions behind the macros --- */
int check_true_(int ok, const char* file, int line, const char* expr);
int check_status_(int32_t status, int32_t expected, const char* file, int line, const char* expr,
                  ...);
int check_str_(const char* got, const char* expected, const char* file, int line, const char* expr);
int check_contains_(const char* text, const char* part, const char* file, int line,
                    const char* expr);
int check_tensor_(const mt_tensor* t, const char* file, int line, const char* expr,
                  const int64_t* shape, int32_t ndim, const double* values, int64_t count);
int check_shape_(const mt_tensor* t, const char* file, int line, const char* expr,
                 const int64_t* shape, int32_t ndim);
int check_dtype_(const mt_tensor* t, int32_t dtype, const char* file, int line, const char* expr);
int check_shares_(const mt_tensor* a, const mt_tensor* b, int32_t expected, const char* file,
                  int line);
mt_tensor* make_tensor_(const char* file, int line, int32_t dtype, const int64_t* shape,
                        int32_t ndim, const double* values, int64_t count);
double item_at_(const mt_tensor* t, const char* file, int line);
double get_at_(const mt_tensor* t, const char* file, int line, const int64_t* index, int32_t ndim);
int64_t read_values_(const mt_tensor* t, double* out, int64_t capacity, const char* file, int line);
void release_all_(mt_tensor* const* tensors, size_t count);

#endif /* MT_CAPI_CHECK_H */
