/* Traced functions (mt_function_*): one C body run eagerly and through the function at several
 * sizes gives the same bits, each new signature traced once and planned through the cache; the
 * body's errors come back with its status and message and leave no capture; every argument
 * error. */
#include <string.h>

#include "check.h"
#include "suites.h"

/* y0 = mean(relu(x * w + b), dim 1) and y1 = reshape(x, (n * k,)) * 2 for x of shape (n, k):
 * mean's 1/k and the reshape's n * k are sizes the body derives, which a single plan would fix. */
typedef struct {
  mt_tensor *w, *b;
  int traces;       /* calls while a capture is active */
  int fail_at_call; /* > 0: the body returns an error at that call (counting all calls) */
  int calls;
} program_t;

static mt_status_t program_body(void* context, mt_tensor* const* inputs, int64_t n_inputs,
                                mt_tensor** outputs, int64_t n_outputs) {
  program_t* p = (program_t*)context;
  mt_tensor *xw = NULL, *s = NULL, *r = NULL, *flat = NULL, *two = NULL;
  int64_t shape[2] = {0, 0}, n;
  mt_status_t st;
  p->traces += mt_capture_active();
  if (++p->calls == p->fail_at_call) return mt_zip(MT_ZIP_ADD, inputs[0], inputs[0], NULL);
  if (n_inputs != 1 || n_outputs != 2) return MT_ERR_INTERNAL;
  st = mt_shape(inputs[0], shape, 2);
  n = shape[0] * shape[1];
  if (st == MT_OK) st = mt_zip(MT_ZIP_MUL, inputs[0], p->w, &xw);
  if (st == MT_OK) st = mt_zip(MT_ZIP_ADD, xw, p->b, &s);
  if (st == MT_OK) st = mt_map(MT_MAP_RELU, s, &r);
  if (st == MT_OK) st = mt_mean(r, DIMS(1), 0, &outputs[0]);
  if (st == MT_OK) st = mt_reshape(inputs[0], &n, 1, &flat);
  if (st == MT_OK) st = mt_scalar(2.0, MT_FLOAT32, &two);
  if (st == MT_OK) st = mt_zip(MT_ZIP_MUL, flat, two, &outputs[1]);
  /* Intermediates released before the capture ends: the plan need not store them. */
  mt_release(xw);
  mt_release(s);
  mt_release(r);
  mt_release(flat);
  mt_release(two);
  return st;
}

static mt_status_t null_output_body(void* context, mt_tensor* const* inputs, int64_t n_inputs,
                                    mt_tensor** outputs, int64_t n_outputs) {
  (void)context, (void)inputs, (void)n_inputs, (void)outputs, (void)n_outputs;
  return MT_OK;
}

static mt_status_t unknown_status_body(void* context, mt_tensor* const* inputs, int64_t n_inputs,
                                       mt_tensor** outputs, int64_t n_outputs) {
  (void)context, (void)n_inputs, (void)n_outputs;
  CHECK_OK(mt_map(MT_MAP_EXP, inputs[0], &outputs[0])); /* released by the library */
  return (mt_status_t)99;
}

static mt_status_t releasing_body(void* context, mt_tensor* const* inputs, int64_t n_inputs,
                                  mt_tensor** outputs, int64_t n_outputs) {
  (void)context, (void)n_inputs, (void)outputs, (void)n_outputs;
  mt_release(inputs[0]); /* refused: a placeholder */
  CHECK(contains(mt_last_error(), "placeholder"));
  return mt_map(MT_MAP_EXP, inputs[0], &outputs[0]);
}

/* Returns its placeholder: an output may be any tensor the capture used. */
static mt_status_t identity_body(void* context, mt_tensor* const* inputs, int64_t n_inputs,
                                 mt_tensor** outputs, int64_t n_outputs) {
  (void)context, (void)n_inputs, (void)n_outputs;
  mt_retain(inputs[0]);
  outputs[0] = inputs[0];
  return MT_OK;
}

/* Whether two float32 tensors hold the same shape and bits. */
static int same_tensor(const mt_tensor* x, const mt_tensor* y) {
  float xs[256], ys[256];
  int64_t xshape[2] = {-1, -1}, yshape[2] = {-1, -1}, count = -1;
  int32_t xdims = -1, ydims = -1;
  if (mt_numel(x, &count) != MT_OK || count > 256 || mt_ndim(x, &xdims) != MT_OK ||
      mt_ndim(y, &ydims) != MT_OK || xdims != ydims || xdims > 2)
    return 0;
  if (mt_shape(x, xshape, 2) != MT_OK || mt_shape(y, yshape, 2) != MT_OK) return 0;
  if (memcmp(xshape, yshape, sizeof xshape) != 0) return 0;
  if (mt_to_buffer(x, xs, MT_FLOAT32, count) != MT_OK ||
      mt_to_buffer(y, ys, MT_FLOAT32, count) != MT_OK)
    return 0;
  return memcmp(xs, ys, (size_t)count * sizeof(float)) == 0;
}

static mt_tensor* random_rows(int64_t rows, mt_generator* g) {
  mt_tensor* x = NULL;
  CHECK_OK(mt_rand(DIMS(rows, 4), MT_FLOAT32, -2, 2, g, &x));
  return x;
}

/* Sizes 3, 5, 8, then again: eager bits, one trace per new size, cache hits for the sizes after
 * the first (same layout class), and the plan of each signature. */
static void sizes(void) {
  program_t p = {0};
  mt_function* f = NULL;
  mt_generator* g = NULL;
  const int64_t rows[] = {3, 5, 8, 5, 3, 8};
  int64_t hits0 = 0, misses0 = 0, entries = 0, max = 0, hits = 0, misses = 0;
  int i;
  p.w = TENSOR(MT_FLOAT32, DIMS(4), VALUES(0.5, -1.25, 2, 0.75));
  p.b = TENSOR(MT_FLOAT32, DIMS(1), VALUES(0.125));
  CHECK_OK(mt_generator_create(7, &g));
  CHECK_OK(mt_function_new(program_body, &p, 1, 2, &f));
  CHECK(mt_function_plan_count(f) == 0);
  CHECK_OK(mt_plan_cache_clear());
  for (i = 0; i < 6; ++i) {
    mt_tensor* x = random_rows(rows[i], g);
    mt_tensor *traced[2] = {NULL, NULL}, *eager[2] = {NULL, NULL};
    const int traces = p.traces;
    CHECK_OK(mt_function_run(f, &x, 1, traced, 2));
    CHECK(p.traces == traces + (i < 3 ? 1 : 0));
    CHECK(mt_function_plan_count(f) == (i < 3 ? i + 1 : 3));
    CHECK(program_body(&p, &x, 1, eager, 2) == MT_OK);
    CHECK(same_tensor(traced[0], eager[0]));
    CHECK(same_tensor(traced[1], eager[1]));
    RELEASE(x, traced[0], traced[1], eager[0], eager[1]);
    if (i == 0) CHECK_OK(mt_plan_cache_stats(&entries, &max, &hits0, &misses0));
  }
  CHECK_OK(mt_plan_cache_stats(&entries, &max, &hits, &misses));
  CHECK(hits == hits0 + 2 && misses == misses0); /* sizes 5 and 8 reuse 3's decisions */
  {
    mt_tensor* x = random_rows(5, g);
    mt_plan* plan = NULL;
    int64_t ops = 0, kernels = 0, fused = 0, avoided = 0, moved = 0;
    CHECK_OK(mt_function_plan(f, &x, 1, &plan));
    CHECK(mt_plan_input_count(plan) == 1 && mt_plan_output_count(plan) == 2);
    CHECK_OK(mt_plan_stats(plan, &ops, &kernels, &fused, &avoided, &moved));
    CHECK(ops >= 5);
    CHECK(mt_function_plan_count(f) == 3);
    mt_plan_release(plan);
    RELEASE(x);
  }
  mt_function_release(f);
  mt_generator_release(g);
  RELEASE(p.w, p.b);
}

/* The body's failures: its status and message, no capture left, no plan kept; a later run
 * traces again. Bodies that break the contract: a NULL output, an unknown status, a released
 * placeholder (refused inside the body). */
static void body_errors(void) {
  program_t p = {0};
  mt_function* f = NULL;
  mt_tensor* x = NULL;
  mt_tensor* y[2] = {NULL, NULL};
  p.w = TENSOR(MT_FLOAT32, DIMS(4), VALUES(1, 2, 3, 4));
  p.b = TENSOR(MT_FLOAT32, DIMS(1), VALUES(0));
  x = TENSOR(MT_FLOAT32, DIMS(1, 4), VALUES(1, 2, 3, 4));
  p.fail_at_call = 1;
  CHECK_OK(mt_function_new(program_body, &p, 1, 2, &f));
  CHECK_ERR(mt_function_run(f, &x, 1, y, 2), MT_ERR_INVALID_ARGUMENT, "mt_function_run",
            "the body returned MT_ERR_INVALID_ARGUMENT", "mt_zip", "out is NULL");
  CHECK(y[0] == NULL && y[1] == NULL);
  CHECK(mt_capture_active() == 0);
  CHECK(mt_function_plan_count(f) == 0);
  CHECK_OK(mt_function_run(f, &x, 1, y, 2));
  CHECK(mt_function_plan_count(f) == 1);
  RELEASE(y[0], y[1]);
  mt_function_release(f);
  /* A wrong shape for w: the body's mt_zip fails at the call that makes the error. */
  {
    mt_tensor* wide = TENSOR(MT_FLOAT32, DIMS(1, 3), VALUES(1, 2, 3));
    p.fail_at_call = 0;
    CHECK_OK(mt_function_new(program_body, &p, 1, 2, &f));
    CHECK_ERR(mt_function_run(f, &wide, 1, y, 2), MT_ERR_SHAPE_MISMATCH, "mt_function_run",
              "MT_ERR_SHAPE_MISMATCH", "(1, 3)", "(4,)");
    CHECK(mt_capture_active() == 0);
    mt_function_release(f);
    RELEASE(wide);
  }
  CHECK_OK(mt_function_new(null_output_body, NULL, 1, 1, &f));
  CHECK_ERR(mt_function_run(f, &x, 1, y, 1), MT_ERR_INVALID_ARGUMENT, "outputs[0]", "NULL");
  CHECK(mt_capture_active() == 0);
  mt_function_release(f);
  CHECK_OK(mt_function_new(unknown_status_body, NULL, 1, 1, &f));
  CHECK_ERR(mt_function_run(f, &x, 1, y, 1), MT_ERR_INVALID_ARGUMENT, "99", "no mt_status_t");
  CHECK(mt_capture_active() == 0);
  mt_function_release(f);
  CHECK_OK(mt_function_new(identity_body, NULL, 1, 1, &f));
  CHECK_OK(mt_function_run(f, &x, 1, y, 1)); /* no message left, no reference kept */
  CHECK(same_tensor(y[0], x));
  RELEASE(y[0]);
  mt_function_release(f);
  CHECK_OK(mt_function_new(releasing_body, NULL, 1, 1, &f));
  CHECK_OK(mt_function_run(f, &x, 1, y, 1));
  RELEASE(y[0]);
  mt_function_release(f);
  RELEASE(x, p.w, p.b);
}

/* Argument errors, a run inside a capture, released handles; nothing is written on failure. */
static void arguments(void) {
  program_t p = {0};
  mt_function* f = NULL;
  mt_tensor* x = TENSOR(MT_FLOAT32, DIMS(2, 4), VALUES(1, 2, 3, 4, 5, 6, 7, 8));
  mt_tensor* y[2] = {NULL, NULL};
  mt_plan* plan = NULL;
  p.w = TENSOR(MT_FLOAT32, DIMS(4), VALUES(1, 1, 1, 1));
  p.b = TENSOR(MT_FLOAT32, DIMS(1), VALUES(0));
  CHECK_ERR(mt_function_new(NULL, &p, 1, 2, &f), MT_ERR_INVALID_ARGUMENT, "mt_function_new",
            "body is NULL");
  CHECK_ERR(mt_function_new(program_body, &p, -1, 2, &f), MT_ERR_INVALID_ARGUMENT,
            "negative n_inputs -1");
  CHECK_ERR(mt_function_new(program_body, &p, 1, -2, &f), MT_ERR_INVALID_ARGUMENT,
            "negative n_outputs -2");
  CHECK_ERR(mt_function_new(program_body, &p, 1, 2, NULL), MT_ERR_INVALID_ARGUMENT, "out is NULL");
  CHECK(f == NULL);
  CHECK_OK(mt_function_new(program_body, &p, 1, 2, &f));
  CHECK_ERR(mt_function_run(NULL, &x, 1, y, 2), MT_ERR_INVALID_ARGUMENT, "function is NULL");
  CHECK_ERR(mt_function_run(f, &x, 2, y, 2), MT_ERR_INVALID_ARGUMENT,
            "the function takes 1 inputs, given 2");
  CHECK_ERR(mt_function_run(f, &x, 1, y, 1), MT_ERR_INVALID_ARGUMENT,
            "n_outputs is 1 but the function has 2 outputs");
  CHECK_ERR(mt_function_run(f, NULL, 1, y, 2), MT_ERR_INVALID_ARGUMENT, "inputs");
  CHECK_ERR(mt_function_run(f, &x, 1, NULL, 2), MT_ERR_INVALID_ARGUMENT, "outputs is NULL");
  CHECK(p.calls == 0 && mt_function_plan_count(f) == 0);
  CHECK_ERR(mt_function_plan(f, &x, 1, NULL), MT_ERR_INVALID_ARGUMENT, "mt_function_plan",
            "out is NULL");
  CHECK_ERR(mt_function_plan(f, &x, 0, &plan), MT_ERR_INVALID_ARGUMENT, "given 0");
  CHECK(y[0] == NULL && y[1] == NULL && plan == NULL);
  CHECK_OK(mt_capture_begin());
  CHECK_ERR(mt_function_run(f, &x, 1, y, 2), MT_ERR_CAPTURE, "mt_function_run", "already");
  CHECK(mt_capture_active() == 1); /* the caller's capture is not the function's to end */
  mt_capture_abandon();
  CHECK(mt_function_plan_count(NULL) == -1);
  CHECK(contains(mt_last_error(), "function is NULL"));
  mt_function_release(f);
  CHECK(mt_function_plan_count(f) == -1);
  CHECK(contains(mt_last_error(), "released"));
  CHECK_ERR(mt_function_run(f, &x, 1, y, 2), MT_ERR_INVALID_ARGUMENT, "released");
  mt_function_release(NULL);
  RELEASE(x, p.w, p.b);
}

void test_function(void) {
  sizes();
  body_errors();
  arguments();
}
