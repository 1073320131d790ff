/*
 * mt_capi_device_tests: devices through the C API (C99), in one of two worlds:
 *   mt_capi_device_tests unavailable PATH   MINITENSOR_CUDA_PLUGIN names PATH, which does not
 *                                           exist: CUDA is unavailable, the CPU works
 *   mt_capi_device_tests emulated           MINITENSOR_CUDA_PLUGIN names the emulated plugin
 *                                           (kernels run on host threads): one CUDA device
 * Device ops are slow in the emulation (a thread per CUDA thread): tensors stay small.
 */
#include <dlpack/dlpack.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

#define CUDA MT_DEVICE_CUDA, 0

static int32_t i32 = -77;
static int64_t i64 = -77;

/* The element values of `t` as float64 (at most 64). */
typedef struct {
  double v[64];
  int64_t n;
} values;
static values read_all(const mt_tensor* t) {
  values r;
  r.n = READ(t, r.v, 64);
  return r;
}

/* `device` and `cpu` hold the same values (within 1e-5 relative) and `device` is on cuda:0. */
#define CHECK_SAME(device, cpu) check_same_((device), (cpu), __FILE__, __LINE__, #device)
static void check_same_(const mt_tensor* device, const mt_tensor* cpu, const char* file, int line,
                        const char* expr) {
  values a = read_all(device), b = read_all(cpu);
  int32_t type = -1, index = -1;
  int64_t i;
  int ok = a.n == b.n && a.n >= 0;
  for (i = 0; ok && i < a.n; ++i)
    ok = fabs(a.v[i] - b.v[i]) <= 1e-5 * fabs(b.v[i]) + 1e-6;
  check_true_(ok, file, line, expr);
  check_true_(mt_device(device, &type, &index) == MT_OK && type == MT_DEVICE_CUDA && index == 0,
              file, line, "on cuda:0");
}

/* --- Both worlds: the CPU device, bad device arguments, NULL arguments --- */

static void cpu_device_and_bad_args(void) {
  mt_tensor* t = TENSOR(MT_FLOAT32, DIMS(2), VALUES(1, 2));
  mt_tensor* same = NULL;
  char* name = NULL;
  int32_t count = -1;
  int64_t cached = -77;
  mt_linear* layer = NULL;
  mt_mlp* model = NULL;
  check_context("cpu and bad arguments");
  CHECK(mt_abi_version() >= 2);
  CHECK_OK(mt_device_count(MT_DEVICE_CPU, &count));
  CHECK(count == 1);
  CHECK_STR(mt_device_unavailable_reason(MT_DEVICE_CPU), "");
  CHECK_OK(mt_device_name(MT_DEVICE_CPU, 0, &name));
  CHECK_STR(name, "cpu");
  mt_string_free(name);
  /* Already there: the tensor itself (as mt_contiguous). */
  CHECK_OK(mt_to_device(t, MT_DEVICE_CPU, 0, &same));
  CHECK_SHARES(t, same, 1);
  CHECK_OK(mt_set(same, DIMS(0), 5));
  CHECK(GET(t, DIMS(0)) == 5);
  mt_release(same);

  CHECK_ERR(mt_device_count(7, &i32), MT_ERR_INVALID_ARGUMENT, "mt_device_count",
            "unknown device type 7", "0 cpu, 1 cuda");
  CHECK(i32 == -77);
  CHECK(mt_device_unavailable_reason(-1) == NULL);
  CHECK_CONTAINS(mt_last_error(), "mt_device_unavailable_reason: unknown device type -1");
  CHECK_ERR_OUT_TYPED(char*, mt_device_name(2, 0, OUT), MT_ERR_INVALID_ARGUMENT, "mt_device_name",
                      "unknown device type 2");
  CHECK_ERR_OUT(mt_to_device(t, 3, 0, OUT), MT_ERR_INVALID_ARGUMENT, "mt_to_device",
                "unknown device type 3");
  CHECK_ERR_OUT(mt_to_device(t, MT_DEVICE_CPU, 1, OUT), MT_ERR_INVALID_ARGUMENT, "mt_to_device",
                "index 0, not 1");
  CHECK_ERR_OUT(mt_to_device(t, MT_DEVICE_CUDA, -1, OUT), MT_ERR_INVALID_ARGUMENT, "mt_to_device",
                "negative CUDA device index -1");
  CHECK_ERR_OUT(mt_empty_on(DIMS(2), MT_FLOAT32, 9, 0, OUT), MT_ERR_INVALID_ARGUMENT, "mt_empty_on",
                "unknown device type 9");
  CHECK_ERR_OUT(mt_full_on(DIMS(2), 1, MT_FLOAT32, MT_DEVICE_CUDA, -2, OUT),
                MT_ERR_INVALID_ARGUMENT, "mt_full_on", "index -2");
  CHECK_ERR_OUT(mt_full_on(DIMS(2), 1, 5, MT_DEVICE_CPU, 0, OUT), MT_ERR_DTYPE_MISMATCH,
                "mt_full_on", "unknown dtype 5");
  CHECK_ERR_OUT(mt_rand_on(DIMS(2), MT_FLOAT32, 0, 1, NULL, -1, 0, OUT), MT_ERR_INVALID_ARGUMENT,
                "mt_rand_on", "unknown device type -1");
  CHECK_ERR_OUT(mt_randn_on(DIMS(2), MT_FLOAT32, 0, 1, NULL, MT_DEVICE_CPU, 4, OUT),
                MT_ERR_INVALID_ARGUMENT, "mt_randn_on", "not 4");
  CHECK_ERR_OUT(
      mt_from_buffer_on((const double[]){1}, MT_FLOAT64, 1, DIMS(1), MT_FLOAT32, 2, 0, OUT),
      MT_ERR_INVALID_ARGUMENT, "mt_from_buffer_on", "unknown device type 2");
  CHECK_ERR_OUT(mt_capture_input_on(DIMS(2), MT_FLOAT32, 4, 0, OUT), MT_ERR_INVALID_ARGUMENT,
                "mt_capture_input_on", "unknown device type 4");
  CHECK_ERR_OUT(mt_capture_input_on(DIMS(2), MT_FLOAT32, MT_DEVICE_CPU, 1, OUT),
                MT_ERR_INVALID_ARGUMENT, "mt_capture_input_on", "not 1");
  CHECK_ERR_OUT(mt_capture_input_on(DIMS(2), MT_FLOAT32, MT_DEVICE_CUDA, -1, OUT),
                MT_ERR_INVALID_ARGUMENT, "mt_capture_input_on", "negative CUDA device index -1");
  CHECK_ERR_OUT(mt_capture_input_on(DIMS(2), 7, MT_DEVICE_CPU, 0, OUT), MT_ERR_DTYPE_MISMATCH,
                "mt_capture_input_on", "unknown dtype 7");
  CHECK_ERR_OUT(mt_capture_input_on(DIMS(2), MT_FLOAT32, MT_DEVICE_CPU, 0, OUT), MT_ERR_CAPTURE,
                "mt_capture_input_on", "no capture is active");
  CHECK_ERR(mt_cuda_set_matmul(2), MT_ERR_INVALID_ARGUMENT, "mt_cuda_set_matmul",
            "unknown CUDA matmul 2", "MT_CUDA_MATMUL_CUBLAS = 1");
  CHECK_ERR(mt_cuda_memory_stats(-1, &i64, &cached), MT_ERR_INVALID_ARGUMENT,
            "mt_cuda_memory_stats", "negative CUDA device index -1");
  CHECK(i64 == -77 && cached == -77);

  /* NULL handles and outs. */
  CHECK_ERR_OUT(mt_to_device(NULL, CUDA, OUT), MT_ERR_INVALID_ARGUMENT, "mt_to_device",
                "tensor is NULL");
  CHECK_ERR(mt_to_device(t, MT_DEVICE_CPU, 0, NULL), MT_ERR_INVALID_ARGUMENT, "mt_to_device",
            "out is NULL");
  CHECK_ERR(mt_empty_on(DIMS(2), MT_FLOAT32, MT_DEVICE_CPU, 0, NULL), MT_ERR_INVALID_ARGUMENT,
            "mt_empty_on", "out is NULL");
  CHECK_ERR_OUT(mt_empty_on(NULL, 1, MT_FLOAT32, MT_DEVICE_CPU, 0, OUT), MT_ERR_INVALID_ARGUMENT,
                "mt_empty_on", "shape is NULL");
  CHECK_ERR_OUT(mt_from_buffer_on(NULL, MT_FLOAT64, 1, DIMS(1), MT_FLOAT32, MT_DEVICE_CPU, 0, OUT),
                MT_ERR_INVALID_ARGUMENT, "mt_from_buffer_on", "data is NULL");
  CHECK_ERR(mt_capture_input_on(DIMS(2), MT_FLOAT32, MT_DEVICE_CPU, 0, NULL),
            MT_ERR_INVALID_ARGUMENT, "mt_capture_input_on", "out is NULL");
  CHECK_ERR(mt_device_count(MT_DEVICE_CPU, NULL), MT_ERR_INVALID_ARGUMENT, "mt_device_count",
            "out is NULL");
  CHECK_ERR(mt_device_name(MT_DEVICE_CPU, 0, NULL), MT_ERR_INVALID_ARGUMENT, "mt_device_name",
            "out is NULL");
  CHECK_ERR(mt_linear_to_device(NULL, MT_DEVICE_CPU, 0), MT_ERR_INVALID_ARGUMENT,
            "mt_linear_to_device", "layer is NULL");
  CHECK_ERR(mt_mlp_to_device(NULL, MT_DEVICE_CPU, 0), MT_ERR_INVALID_ARGUMENT, "mt_mlp_to_device",
            "model is NULL");
  CHECK_ERR(mt_cuda_get_matmul(NULL), MT_ERR_INVALID_ARGUMENT, "mt_cuda_get_matmul", "out is NULL");
  CHECK_ERR(mt_cuda_memory_stats(0, NULL, &cached), MT_ERR_INVALID_ARGUMENT, "mt_cuda_memory_stats",
            "in_use is NULL");
  CHECK_ERR(mt_cuda_memory_stats(0, &i64, NULL), MT_ERR_INVALID_ARGUMENT, "mt_cuda_memory_stats",
            "cached is NULL");

  /* Models on the CPU stay there. */
  CHECK_OK(mt_linear_create(2, 1, MT_FLOAT32, 1, NULL, &layer));
  CHECK_OK(mt_linear_to_device(layer, MT_DEVICE_CPU, 0));
  CHECK_ERR(mt_linear_to_device(layer, 5, 0), MT_ERR_INVALID_ARGUMENT, "mt_linear_to_device",
            "unknown device type 5");
  CHECK_OK(mt_mlp_create(I64(2, 3, 1), 3, MT_FLOAT32, NULL, &model));
  CHECK_OK(mt_mlp_to_device(model, MT_DEVICE_CPU, 0));
  CHECK_ERR(mt_mlp_to_device(model, MT_DEVICE_CPU, 1), MT_ERR_INVALID_ARGUMENT, "mt_mlp_to_device",
            "not 1");
  mt_linear_release(layer);
  mt_mlp_release(model);
  RELEASE(t);
  check_context("");
}

/* --- Without CUDA --- */

static void unavailable(const char* path) {
  mt_tensor *t = TENSOR(MT_FLOAT32, DIMS(2), VALUES(1, 2)), *sum = NULL;
  mt_mlp* model = NULL;
  mt_tensor* param = NULL;
  int32_t count = -1, type = -1, index = -1;
  int64_t in_use = -77, cached = -77;
  const char* reason = mt_device_unavailable_reason(MT_DEVICE_CUDA);
  check_context("unavailable");
  CHECK_OK(mt_device_count(MT_DEVICE_CUDA, &count));
  CHECK(count == 0);
  CHECK(reason != NULL && strlen(reason) > 0);
  CHECK_CONTAINS(reason, path);
  CHECK_CONTAINS(reason, "MINITENSOR_CUDA_PLUGIN");
  /* Every use of CUDA says why it cannot be used. */
  CHECK_ERR_OUT(mt_to_device(t, CUDA, OUT), MT_ERR_DEVICE_UNAVAILABLE, "mt_to_device",
                "CUDA is unavailable", path);
  CHECK_ERR_OUT(mt_empty_on(DIMS(2), MT_FLOAT32, CUDA, OUT), MT_ERR_DEVICE_UNAVAILABLE,
                "mt_empty_on", "CUDA is unavailable", path);
  CHECK_ERR_OUT(mt_full_on(DIMS(2), 1, MT_FLOAT32, CUDA, OUT), MT_ERR_DEVICE_UNAVAILABLE,
                "mt_full_on", path);
  CHECK_ERR_OUT(mt_rand_on(DIMS(2), MT_FLOAT32, 0, 1, NULL, CUDA, OUT), MT_ERR_DEVICE_UNAVAILABLE,
                "mt_rand_on", path);
  CHECK_ERR_OUT(mt_randn_on(DIMS(2), MT_FLOAT32, 0, 1, NULL, CUDA, OUT), MT_ERR_DEVICE_UNAVAILABLE,
                "mt_randn_on", path);
  CHECK_ERR_OUT(
      mt_from_buffer_on((const double[]){1}, MT_FLOAT64, 1, DIMS(1), MT_FLOAT32, CUDA, OUT),
      MT_ERR_DEVICE_UNAVAILABLE, "mt_from_buffer_on", path);
  CHECK_ERR_OUT_TYPED(char*, mt_device_name(CUDA, OUT), MT_ERR_DEVICE_UNAVAILABLE, "mt_device_name",
                      path);
  CHECK_ERR(mt_cuda_set_matmul(MT_CUDA_MATMUL_KERNEL), MT_ERR_DEVICE_UNAVAILABLE,
            "mt_cuda_set_matmul", path);
  CHECK_ERR(mt_cuda_get_matmul(&count), MT_ERR_DEVICE_UNAVAILABLE, "mt_cuda_get_matmul", path);
  CHECK(count == 0);
  CHECK_ERR(mt_cuda_synchronize(), MT_ERR_DEVICE_UNAVAILABLE, "mt_cuda_synchronize", path);
  CHECK_ERR(mt_cuda_memory_stats(0, &in_use, &cached), MT_ERR_DEVICE_UNAVAILABLE,
            "mt_cuda_memory_stats", path);
  CHECK(in_use == -77 && cached == -77);
  CHECK_ERR(mt_cuda_empty_cache(), MT_ERR_DEVICE_UNAVAILABLE, "mt_cuda_empty_cache", path);
  CHECK_OK(mt_capture_begin());
  CHECK_ERR_OUT(mt_capture_input_on(DIMS(2), MT_FLOAT32, CUDA, OUT), MT_ERR_DEVICE_UNAVAILABLE,
                "mt_capture_input_on", path);
  mt_capture_abandon();
  /* A failed move leaves the model on the CPU, where it still works. */
  CHECK_OK(mt_mlp_create(I64(2, 3, 1), 3, MT_FLOAT32, NULL, &model));
  CHECK_ERR(mt_mlp_to_device(model, CUDA), MT_ERR_DEVICE_UNAVAILABLE, "mt_mlp_to_device", path);
  CHECK_OK(mt_mlp_parameter(model, 0, &param));
  CHECK_OK(mt_device(param, &type, &index));
  CHECK(type == MT_DEVICE_CPU && index == 0);
  /* The CPU works as ever. */
  CHECK_OK(mt_reduce(MT_REDUCE_SUM, t, NULL, 0, 0, &sum));
  CHECK_SCALAR(sum, 3);
  mt_mlp_release(model);
  RELEASE(t, sum, param);
  check_context("");
}

/* --- With the emulated plugin --- */

static void queries_and_round_trips(void) {
  mt_tensor* a = TENSOR(MT_FLOAT32, DIMS(2, 3), VALUES(1, -2, 3, 4.5, 5, -6));
  mt_tensor *d = NULL, *same = NULL, *back = NULL, *at = NULL, *dt = NULL, *e = NULL;
  char *name = NULL, *text = NULL;
  int32_t count = -1, type = -1, index = -1, contiguous = -1;
  double value = 0;
  check_context("queries and round trips");
  CHECK_OK(mt_device_count(MT_DEVICE_CUDA, &count));
  CHECK(count == 1);
  CHECK_STR(mt_device_unavailable_reason(MT_DEVICE_CUDA), "");
  CHECK_OK(mt_device_name(CUDA, &name));
  CHECK_CONTAINS(name, "emulation");
  mt_string_free(name);
  CHECK_ERR_OUT_TYPED(char*, mt_device_name(MT_DEVICE_CUDA, 1, OUT), MT_ERR_INVALID_ARGUMENT,
                      "mt_device_name", "cuda:1", "1 CUDA device");
  CHECK_ERR_OUT(mt_to_device(a, MT_DEVICE_CUDA, 1, OUT), MT_ERR_INVALID_ARGUMENT, "mt_to_device",
                "no device cuda:1");
  CHECK_ERR_OUT(mt_empty_on(DIMS(2), MT_FLOAT32, MT_DEVICE_CUDA, 3, OUT), MT_ERR_INVALID_ARGUMENT,
                "mt_empty_on", "cuda:3");

  CHECK_OK(mt_to_device(a, CUDA, &d));
  CHECK_OK(mt_device(d, &type, &index));
  CHECK(type == MT_DEVICE_CUDA && index == 0);
  CHECK_DTYPE(d, MT_FLOAT32);
  CHECK_TENSOR(d, DIMS(2, 3), VALUES(1, -2, 3, 4.5, 5, -6)); /* mt_to_buffer copies back */
  CHECK_SHARES(a, d, 0);
  CHECK_OK(mt_to_device(d, CUDA, &same));
  CHECK_SHARES(d, same, 1);
  CHECK_OK(mt_to_device(d, MT_DEVICE_CPU, 0, &back));
  CHECK_OK(mt_device(back, &type, &index));
  CHECK(type == MT_DEVICE_CPU && index == 0);
  CHECK_TENSOR(back, DIMS(2, 3), VALUES(1, -2, 3, 4.5, 5, -6));
  /* A strided view moves as its elements, contiguous on the device. */
  CHECK_OK(mt_transpose(a, 0, 1, &at));
  CHECK_OK(mt_to_device(at, CUDA, &dt));
  CHECK_OK(mt_is_contiguous(dt, &contiguous));
  CHECK(contiguous == 1);
  CHECK_TENSOR(dt, DIMS(3, 2), VALUES(1, 4.5, -2, 5, 3, -6));
  /* Element access and printing copy. */
  CHECK_OK(mt_get(d, DIMS(1, 2), &value));
  CHECK(value == -6);
  CHECK_OK(mt_set(d, DIMS(0, 0), 10));
  CHECK(GET(d, DIMS(0, 0)) == 10 && GET(a, DIMS(0, 0)) == 1);
  CHECK_OK(mt_to_string(d, &text));
  CHECK_CONTAINS(text, "10.");
  CHECK_CONTAINS(text, "device='cuda:0'");
  mt_string_free(text);
  CHECK_OK(mt_empty_on(DIMS(0), MT_FLOAT64, CUDA, &e));
  CHECK_SHAPE(e, DIMS(0));
  RELEASE(a, d, same, back, at, dt, e);
  check_context("");
}

static void ops_match_cpu(void) {
  mt_tensor* a = TENSOR(MT_FLOAT32, DIMS(2, 3), VALUES(0.5, -1, 2, 3, -0.25, 1.5));
  mt_tensor* b = TENSOR(MT_FLOAT32, DIMS(3), VALUES(1, 2, -3));
  mt_tensor* m = TENSOR(MT_FLOAT32, DIMS(3, 2), VALUES(1, 0, -1, 2, 0.5, 3));
  mt_tensor *da = NULL, *db = NULL, *dm = NULL, *s = SCALAR(MT_FLOAT32, 2);
  mt_tensor *c = NULL, *dc = NULL, *bad = SENTINEL;
  check_context("ops on the device equal the CPU's");
  CHECK_OK(mt_to_device(a, CUDA, &da));
  CHECK_OK(mt_to_device(b, CUDA, &db));
  CHECK_OK(mt_to_device(m, CUDA, &dm));
#define SAME_OP(call_a, call_d) \
  do {                          \
    CHECK_OK(call_a);           \
    CHECK_OK(call_d);           \
    CHECK_SAME(dc, c);          \
    RELEASE(c, dc);             \
    c = dc = NULL;              \
  } while (0)
  SAME_OP(mt_map(MT_MAP_EXP, a, &c), mt_map(MT_MAP_EXP, da, &dc));
  SAME_OP(mt_map(MT_MAP_TANH, a, &c), mt_map(MT_MAP_TANH, da, &dc));
  SAME_OP(mt_zip(MT_ZIP_ADD, a, b, &c), mt_zip(MT_ZIP_ADD, da, db, &dc)); /* broadcast */
  SAME_OP(mt_zip(MT_ZIP_DIV, b, a, &c), mt_zip(MT_ZIP_DIV, db, da, &dc));
  SAME_OP(mt_zip(MT_ZIP_MUL, a, s, &c), mt_zip(MT_ZIP_MUL, da, s, &dc)); /* a CPU scalar joins */
  SAME_OP(mt_reduce(MT_REDUCE_SUM, a, I64(1), 1, 0, &c),
          mt_reduce(MT_REDUCE_SUM, da, I64(1), 1, 0, &dc));
  SAME_OP(mt_reduce(MT_REDUCE_MAX, a, NULL, 0, 0, &c),
          mt_reduce(MT_REDUCE_MAX, da, NULL, 0, 0, &dc));
  SAME_OP(mt_mean(a, I64(0), 1, 1, &c), mt_mean(da, I64(0), 1, 1, &dc));
  SAME_OP(mt_matmul(a, m, &c), mt_matmul(da, dm, &dc));
  SAME_OP(mt_softmax(a, 1, &c), mt_softmax(da, 1, &dc));
#undef SAME_OP
  /* Operands on different devices. */
  CHECK_ERR(mt_zip(MT_ZIP_ADD, a, db, &bad), MT_ERR_DEVICE_MISMATCH, "mt_zip", "cpu", "cuda:0");
  CHECK_ERR(mt_matmul(dm, a, &bad), MT_ERR_DEVICE_MISMATCH, "mt_matmul", "cpu", "cuda:0");
  CHECK_ERR(mt_map_out(MT_MAP_NEG, a, da), MT_ERR_DEVICE_MISMATCH, "mt_map_out", "cuda:0");
  CHECK(bad == SENTINEL);
  RELEASE(a, b, m, da, db, dm, s);
  check_context("");
}

static void creators(void) {
  mt_generator *g1 = NULL, *g2 = NULL;
  mt_tensor *e = NULL, *f = NULL, *r = NULL, *dr = NULL, *n = NULL, *dn = NULL, *buf = NULL;
  int32_t type = -1, index = -1;
  check_context("creators on the device");
  CHECK_OK(mt_empty_on(DIMS(2, 2), MT_FLOAT64, CUDA, &e));
  CHECK_SHAPE(e, DIMS(2, 2));
  CHECK_DTYPE(e, MT_FLOAT64);
  CHECK_OK(mt_device(e, &type, &index));
  CHECK(type == MT_DEVICE_CUDA && index == 0);
  CHECK_OK(mt_full_on(DIMS(3), -1.5, MT_FLOAT32, CUDA, &f));
  CHECK_TENSOR(f, DIMS(3), VALUES(-1.5, -1.5, -1.5));
  /* The same generator state gives the same numbers on every device. */
  CHECK_OK(mt_generator_create(5, &g1));
  CHECK_OK(mt_generator_create(5, &g2));
  CHECK_OK(mt_rand(DIMS(7), MT_FLOAT32, -1, 1, g1, &r));
  CHECK_OK(mt_rand_on(DIMS(7), MT_FLOAT32, -1, 1, g2, CUDA, &dr));
  CHECK_SAME(dr, r);
  CHECK_OK(mt_randn(DIMS(2, 3), MT_FLOAT64, 1, 2, g1, &n));
  CHECK_OK(mt_randn_on(DIMS(2, 3), MT_FLOAT64, 1, 2, g2, CUDA, &dn));
  CHECK_SAME(dn, n);
  CHECK_OK(mt_from_buffer_on((const double[]){1, 2.5, -3, 4}, MT_FLOAT64, 4, DIMS(2, 2), MT_FLOAT32,
                             CUDA, &buf));
  CHECK_DTYPE(buf, MT_FLOAT32);
  CHECK_TENSOR(buf, DIMS(2, 2), VALUES(1, 2.5, -3, 4));
  CHECK_OK(mt_device(buf, &type, &index));
  CHECK(type == MT_DEVICE_CUDA);
  CHECK_ERR_OUT(
      mt_from_buffer_on((const double[]){1, 2}, MT_FLOAT64, 2, DIMS(3), MT_FLOAT32, CUDA, OUT),
      MT_ERR_SHAPE_MISMATCH, "mt_from_buffer_on");
  mt_generator_release(g1);
  mt_generator_release(g2);
  RELEASE(e, f, r, dr, n, dn, buf);
  check_context("");
}

static void autograd_across_devices(void) {
  mt_tensor *x = TENSOR(MT_FLOAT32, DIMS(3), VALUES(1, 2, 3)), *dx = NULL, *y = NULL;
  mt_tensor *two = SCALAR(MT_FLOAT32, 2), *loss = NULL, *grad = NULL;
  int32_t type = -1, index = -1;
  check_context("autograd across devices");
  CHECK_OK(mt_set_requires_grad(x, 1));
  CHECK_OK(mt_to_device(x, CUDA, &dx));
  CHECK_OK(mt_zip(MT_ZIP_MUL, dx, two, &y));
  CHECK_OK(mt_reduce(MT_REDUCE_SUM, y, NULL, 0, 0, &loss));
  CHECK_OK(mt_backward(loss, NULL, 0));
  CHECK_OK(mt_grad(x, &grad)); /* the gradient came back to the CPU */
  CHECK_OK(mt_device(grad, &type, &index));
  CHECK(type == MT_DEVICE_CPU);
  CHECK_TENSOR(grad, DIMS(3), VALUES(2, 2, 2));
  RELEASE(x, dx, y, two, loss, grad);
  check_context("");
}

/* Trains a {2, 8, 1} MLP for a few SGD steps on `device` and returns its losses. */
static void train(int32_t device_type, double* losses, int steps) {
  mt_generator* g = NULL;
  mt_mlp* model = NULL;
  mt_optimizer* opt = NULL;
  mt_tensor *x = NULL, *y = NULL, *dx = NULL, *dy = NULL, *params[4] = {NULL, NULL, NULL, NULL};
  int32_t i, count = 0;
  CHECK_OK(mt_generator_create(3, &g));
  CHECK_OK(mt_mlp_create(I64(2, 8, 1), 3, MT_FLOAT64, g, &model));
  CHECK_OK(mt_mlp_to_device(model, device_type, 0));
  CHECK_OK(mt_mlp_parameter_count(model, &count));
  CHECK(count == 4);
  for (i = 0; i < 4; ++i)
    CHECK_OK(mt_mlp_parameter(model, i, &params[i]));
  CHECK_OK(mt_sgd_create(params, 4, 0.5, 0.9, 0, 0, &opt));
  CHECK_OK(mt_dataset(MT_DATASET_XOR, 16, 7, MT_FLOAT64, &x, &y));
  CHECK_OK(mt_to_device(x, device_type, 0, &dx));
  CHECK_OK(mt_to_device(y, device_type, 0, &dy));
  for (i = 0; i < steps; ++i) {
    mt_tensor *logits = NULL, *flat = NULL, *probs = NULL, *loss = NULL;
    CHECK_OK(mt_optimizer_zero_grad(opt));
    CHECK_OK(mt_mlp_forward(model, dx, &logits));
    CHECK_OK(mt_squeeze(logits, 1, &flat));
    CHECK_OK(mt_map(MT_MAP_SIGMOID, flat, &probs));
    CHECK_OK(mt_binary_cross_entropy(probs, dy, MT_REDUCTION_MEAN, &loss));
    CHECK_OK(mt_backward(loss, NULL, 0));
    CHECK_OK(mt_optimizer_step(opt));
    losses[i] = ITEM(loss);
    RELEASE(logits, flat, probs, loss);
  }
  mt_optimizer_release(opt);
  mt_mlp_release(model);
  mt_generator_release(g);
  RELEASE(x, y, dx, dy, params[0], params[1], params[2], params[3]);
}

static void models(void) {
  enum { STEPS = 4 };
  double cpu[STEPS], cuda[STEPS];
  mt_linear* layer = NULL;
  mt_tensor *w = NULL, *x = TENSOR(MT_FLOAT32, DIMS(1, 2), VALUES(1, 2)), *dx = NULL, *y = NULL;
  int32_t type = -1, index = -1, flag = -1, i;
  check_context("models on the device");
  train(MT_DEVICE_CPU, cpu, STEPS);
  train(MT_DEVICE_CUDA, cuda, STEPS);
  for (i = 0; i < STEPS; ++i)
    CHECK(fabs(cpu[i] - cuda[i]) <= 1e-5 * fabs(cpu[i]));
  CHECK(cuda[STEPS - 1] < cuda[0]);

  CHECK_OK(mt_linear_create(2, 3, MT_FLOAT32, 1, NULL, &layer));
  CHECK_OK(mt_linear_to_device(layer, CUDA));
  CHECK_OK(mt_linear_weight(layer, &w));
  CHECK_OK(mt_device(w, &type, &index));
  CHECK(type == MT_DEVICE_CUDA && index == 0);
  CHECK_OK(mt_requires_grad(w, &flag));
  CHECK(flag == 1);
  CHECK_ERR_OUT(mt_linear_forward(layer, x, OUT), MT_ERR_DEVICE_MISMATCH, "mt_linear_forward",
                "cpu", "cuda:0");
  CHECK_OK(mt_to_device(x, CUDA, &dx));
  CHECK_OK(mt_linear_forward(layer, dx, &y));
  CHECK_SHAPE(y, DIMS(1, 3));
  mt_linear_release(layer);
  RELEASE(w, x, dx, y);
  check_context("");
}

static void runtime(void) {
  int32_t which = -1;
  int64_t in_use = -1, cached = -1, in_use_before = -1, cached_before = -1;
  mt_tensor* t = NULL;
  check_context("CUDA runtime");
  CHECK_OK(mt_cuda_get_matmul(&which));
  CHECK(which == MT_CUDA_MATMUL_KERNEL);
  CHECK_OK(mt_cuda_set_matmul(MT_CUDA_MATMUL_KERNEL));
  CHECK_ERR(mt_cuda_set_matmul(MT_CUDA_MATMUL_CUBLAS), MT_ERR_UNSUPPORTED, "mt_cuda_set_matmul",
            "cuBLAS", "emulation");
  CHECK_OK(mt_cuda_get_matmul(&which));
  CHECK(which == MT_CUDA_MATMUL_KERNEL);
  CHECK_OK(mt_cuda_synchronize());

  CHECK_OK(mt_cuda_memory_stats(0, &in_use_before, &cached_before));
  CHECK_OK(mt_empty_on(DIMS(1000), MT_FLOAT64, CUDA, &t));
  CHECK_OK(mt_cuda_memory_stats(0, &in_use, &cached));
  CHECK(in_use >= in_use_before + 8000);
  mt_release(t);
  CHECK_OK(mt_cuda_memory_stats(0, &in_use, &cached));
  CHECK(in_use == in_use_before && cached >= 8000); /* kept for reuse */
  CHECK_OK(mt_cuda_empty_cache());
  CHECK_OK(mt_cuda_memory_stats(0, &in_use, &cached));
  CHECK(in_use == in_use_before && cached == 0);
  CHECK_ERR(mt_cuda_memory_stats(1, &in_use, &cached), MT_ERR_INVALID_ARGUMENT,
            "mt_cuda_memory_stats", "cuda:1");
  check_context("");
}

/* How many times `part` occurs in `text`. */
static int occurrences(const char* text, const char* part) {
  int count = 0;
  for (text = strstr(text, part); text != NULL; text = strstr(text + 1, part))
    ++count;
  return count;
}

/* (a * b + c) * 2 captured on the device runs there with eager's bits; its one fused kernel is
 * fused or run op by op with a reason in the report; devices are checked. */
static void capture_on_device(void) {
  mt_tensor* host[3] = {TENSOR(MT_FLOAT32, DIMS(2, 3), VALUES(0.5, -1, 2, 3, -0.25, 1.5)),
                        TENSOR(MT_FLOAT32, DIMS(2, 3), VALUES(1, 2, -3, 0.1, 7, -2)),
                        TENSOR(MT_FLOAT32, DIMS(3), VALUES(0.3, -0.7, 1.1))};
  mt_tensor *in[3] = {NULL, NULL, NULL}, *x[3] = {NULL, NULL, NULL};
  mt_tensor *ab = NULL, *abc = NULL, *two = NULL, *y = NULL, *eager = NULL, *got = SENTINEL;
  mt_graph* graph = NULL;
  mt_plan* plan = NULL;
  char* report = NULL;
  int64_t ops = -1, kernels = -1, fused = -1, avoided = -1, moved = -1;
  float expected[6], planned[6];
  int32_t type = -1, index = -1, i;
  check_context("capture on the device");
  for (i = 0; i < 3; ++i)
    CHECK_OK(mt_to_device(host[i], CUDA, &in[i]));
  CHECK_OK(mt_capture_begin());
  CHECK_OK(mt_capture_input_on(DIMS(2, 3), MT_FLOAT32, CUDA, &x[0]));
  CHECK_OK(mt_capture_input_on(DIMS(2, 3), MT_FLOAT32, CUDA, &x[1]));
  CHECK_OK(mt_capture_input_on(DIMS(3), MT_FLOAT32, CUDA, &x[2]));
  CHECK_ERR_OUT(mt_capture_input(DIMS(3), MT_FLOAT32, OUT), MT_ERR_DEVICE_MISMATCH,
                "mt_capture_input", "is on cpu", "on cuda:0");
  CHECK_OK(mt_zip(MT_ZIP_MUL, x[0], x[1], &ab));
  CHECK_OK(mt_zip(MT_ZIP_ADD, ab, x[2], &abc));
  CHECK_OK(mt_scalar(2, MT_FLOAT32, &two)); /* a constant of the capture: moved to the device */
  CHECK_OK(mt_zip(MT_ZIP_MUL, abc, two, &y));
  RELEASE(ab, abc, two);
  CHECK_OK(mt_capture_end(&y, 1, &graph));
  RELEASE(x[0], x[1], x[2], y);
  CHECK_OK(mt_graph_compile(graph, &plan));
  CHECK_OK(mt_plan_run(plan, in, 3, &got, 1));
  CHECK_OK(mt_device(got, &type, &index));
  CHECK(type == MT_DEVICE_CUDA && index == 0);
  /* Eagerly on the device. */
  CHECK_OK(mt_zip(MT_ZIP_MUL, in[0], in[1], &ab));
  CHECK_OK(mt_zip(MT_ZIP_ADD, ab, in[2], &abc));
  CHECK_OK(mt_scalar(2, MT_FLOAT32, &two));
  CHECK_OK(mt_zip(MT_ZIP_MUL, abc, two, &eager));
  CHECK_OK(mt_to_buffer(eager, expected, MT_FLOAT32, 6));
  CHECK_OK(mt_to_buffer(got, planned, MT_FLOAT32, 6));
  CHECK(memcmp(expected, planned, sizeof expected) == 0);
  CHECK_OK(mt_plan_stats(plan, &ops, &kernels, &fused, &avoided, &moved));
  CHECK_OK(mt_plan_report(plan, &report));
  if (report) {
    CHECK(fused + occurrences(report, " runs op by op on cuda:0 (kernels ") == 1);
    mt_string_free(report);
  }
  RELEASE(got);
  got = SENTINEL;
  CHECK_ERR(mt_plan_run(plan, host, 3, &got, 1), MT_ERR_DEVICE_MISMATCH, "mt_plan_run",
            "input 0 must be on cuda:0", "on cpu");
  CHECK(got == SENTINEL);
  mt_plan_release(plan);
  mt_graph_release(graph);
  RELEASE(host[0], host[1], host[2], in[0], in[1], in[2], ab, abc, two, eager);
  check_context("");
}

static void dlpack(void) {
  mt_tensor *a = TENSOR(MT_FLOAT64, DIMS(2, 2), VALUES(1, 2, 3, 4)), *d = NULL;
  DLManagedTensor* managed = NULL;
  check_context("DLPack of a device tensor");
  CHECK_OK(mt_to_device(a, CUDA, &d));
  CHECK_OK(mt_to_dlpack(d, &managed));
  if (managed) {
    const DLTensor* dl = &managed->dl_tensor;
    CHECK(dl->device.device_type == kDLCUDA && dl->device.device_id == 0);
    CHECK(dl->ndim == 2 && dl->shape[0] == 2 && dl->shape[1] == 2);
    /* The emulated device memory is host memory: readable here, never on a real GPU. */
    CHECK(((const double*)dl->data)[3] == 4);
    CHECK_ERR_OUT(mt_from_dlpack(managed, OUT), MT_ERR_UNSUPPORTED, "mt_from_dlpack",
                  "device type 2", "CPU");
    managed->deleter(managed); /* the import failed: still ours */
  }
  RELEASE(a, d);
  check_context("");
}

int main(int argc, char** argv) {
  const int emulated = argc == 2 && strcmp(argv[1], "emulated") == 0;
  if (!emulated && !(argc == 3 && strcmp(argv[1], "unavailable") == 0)) {
    fprintf(stderr, "usage: %s unavailable PLUGIN_PATH | emulated\n", argv[0]);
    return 2;
  }
  cpu_device_and_bad_args();
  if (emulated) {
    queries_and_round_trips();
    ops_match_cpu();
    creators();
    autograd_across_devices();
    models();
    runtime();
    capture_on_device();
    dlpack();
  } else {
    unavailable(argv[2]);
  }
  return check_summary(emulated ? "mt_capi_device_tests emulated"
                                : "mt_capi_device_tests unavailable");
}
