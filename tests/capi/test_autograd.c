/* Autodiff: parameters, backward against hand-computed gradients, accumulation, retain_graph,
 * explicit gradients, failed backwards, grad mode and the out ops' no-grad rule. */
#include "check.h"
#include "suites.h"

/* x = [1, 2, 3] (float64), a leaf that requires grad. */
static mt_tensor* make_x(void) {
  mt_tensor* x = VEC(MT_FLOAT64, 1, 2, 3);
  CHECK_OK(mt_set_requires_grad(x, 1));
  return x;
}

/* sum(x * x + 3 * x): d/dx = 2 x + 3. Returns the loss; *product gets x * x. */
static mt_tensor* loss_of(mt_tensor* x, mt_tensor** product) {
  mt_tensor* three = SCALAR(MT_FLOAT64, 3);
  mt_tensor *sq = NULL, *lin = NULL, *total = NULL, *loss = NULL;
  CHECK_OK(mt_zip(MT_ZIP_MUL, x, x, &sq));
  CHECK_OK(mt_zip(MT_ZIP_MUL, three, x, &lin));
  CHECK_OK(mt_zip(MT_ZIP_ADD, sq, lin, &total));
  CHECK_OK(mt_reduce(MT_REDUCE_SUM, total, NULL, 0, 0, &loss));
  if (product != NULL) CHECK_OK(mt_retain(*product = sq));
  RELEASE(three, sq, lin, total);
  return loss;
}

/* The gradient of t has these values (or none, for count < 0). */
#define CHECK_GRAD(t, ...) check_grad_((t), __FILE__, __LINE__, __VA_ARGS__)
static void check_grad_(const mt_tensor* t, const char* file, int line, const int64_t* shape,
                        int32_t ndim, const double* values, int64_t count) {
  mt_tensor* grad = SENTINEL;
  check_status_(mt_grad(t, &grad), MT_OK, file, line, "mt_grad", (const char*)NULL);
  if (count < 0)
    check_true_(grad == NULL, file, line, "no gradient");
  else
    check_tensor_(grad, file, line, "gradient", shape, ndim, values, count);
  if (grad != SENTINEL) mt_release(grad);
}
#define NO_GRAD NULL, 0, NULL, -1

static void flags(void) {
  mt_tensor* x = make_x();
  mt_tensor *sq = NULL, *loss = loss_of(x, &sq), *d = NULL;
  int32_t flag = -1;
  CHECK_OK(mt_requires_grad(x, &flag));
  CHECK(flag == 1);
  CHECK_OK(mt_is_leaf(x, &flag));
  CHECK(flag == 1);
  CHECK(mt_grad_fn_name(x) == NULL);
  CHECK(mt_grad_fn_name(NULL) == NULL);
  CHECK_OK(mt_is_leaf(loss, &flag));
  CHECK(flag == 0);
  CHECK_OK(mt_requires_grad(loss, &flag));
  CHECK(flag == 1);
  CHECK_STR(mt_grad_fn_name(loss), "sum");
  CHECK_STR(mt_grad_fn_name(sq), "mul");
  CHECK_GRAD(x, NO_GRAD); /* nothing before backward */
  CHECK_ERR(mt_set_requires_grad(loss, 0), MT_ERR_INVALID_ARGUMENT, "mt_set_requires_grad",
            "not a leaf");
  CHECK_OK(mt_detach(loss, &d));
  CHECK_OK(mt_requires_grad(d, &flag));
  CHECK(flag == 0);
  CHECK_OK(mt_is_leaf(d, &flag));
  CHECK(flag == 1);
  CHECK_SHARES(loss, d, 1);
  CHECK_OK(mt_set_requires_grad(x, 0));
  CHECK_OK(mt_requires_grad(x, &flag));
  CHECK(flag == 0);
  RELEASE(x, sq, loss, d);
}

static void backward(void) {
  mt_tensor* x = make_x();
  mt_tensor* loss = loss_of(x, NULL);
  mt_tensor* again = NULL;
  CHECK_OK(mt_backward(loss, NULL, 0));
  CHECK_GRAD(x, DIMS(3), VALUES(5, 7, 9));
  again = loss_of(x, NULL); /* a second graph: gradients add up */
  CHECK_OK(mt_backward(again, NULL, 0));
  CHECK_GRAD(x, DIMS(3), VALUES(10, 14, 18));
  CHECK_OK(mt_zero_grad(x));
  CHECK_GRAD(x, NO_GRAD);
  /* The first graph was freed by its backward. */
  CHECK_ERR(mt_backward(loss, NULL, 0), MT_ERR_INVALID_ARGUMENT, "mt_backward", "retain_graph");
  CHECK_GRAD(x, NO_GRAD);
  RELEASE(x, loss, again);
}

static void retain_graph(void) {
  mt_tensor* x = make_x();
  mt_tensor* loss = loss_of(x, NULL);
  CHECK_OK(mt_backward(loss, NULL, 1));
  CHECK_OK(mt_backward(loss, NULL, 0)); /* the kept graph, walked again */
  CHECK_GRAD(x, DIMS(3), VALUES(10, 14, 18));
  CHECK_ERR(mt_backward(loss, NULL, 1), MT_ERR_INVALID_ARGUMENT, "mt_backward", "freed");
  CHECK_GRAD(x, DIMS(3), VALUES(10, 14, 18)); /* a failed backward changes no gradient */
  RELEASE(x, loss);
}

static void explicit_grad(void) {
  mt_tensor* x = make_x();
  mt_tensor* two = SCALAR(MT_FLOAT64, 2);
  mt_tensor* g = VEC(MT_FLOAT64, 1, 0.5, 2);
  mt_tensor* g32 = VEC(MT_FLOAT32, 1, 1, 1);
  mt_tensor* short_g = VEC(MT_FLOAT64, 1, 1);
  mt_tensor* y = NULL;
  CHECK_OK(mt_zip(MT_ZIP_MUL, x, two, &y));
  /* Non-scalar y: no gradient given, or one of the wrong shape, is an error. */
  CHECK_ERR(mt_backward(y, NULL, 1), MT_ERR_INVALID_ARGUMENT, "mt_backward", "(3,)", "one element");
  CHECK_ERR(mt_backward(y, short_g, 1), MT_ERR_SHAPE_MISMATCH, "mt_backward", "(2,)", "(3,)");
  CHECK_GRAD(x, NO_GRAD);
  CHECK_OK(mt_backward(y, g, 1));
  CHECK_GRAD(x, DIMS(3), VALUES(2, 1, 4));
  CHECK_ERR(mt_backward(y, NULL, 1), MT_ERR_INVALID_ARGUMENT, "mt_backward", "(3,)");
  CHECK_GRAD(x, DIMS(3), VALUES(2, 1, 4)); /* unchanged by the failure */
  CHECK_OK(mt_backward(y, g32, 0));        /* another dtype is converted */
  CHECK_GRAD(x, DIMS(3), VALUES(4, 3, 6));
  RELEASE(x, two, g, g32, short_g, y);
}

/* sum(W @ v) for W (2, 2): dW[i][j] = v[j]; dv[j] = sum_i W[i][j]. */
static void matmul_grad(void) {
  mt_tensor* w = TENSOR(MT_FLOAT32, DIMS(2, 2), VALUES(1, 2, 3, 4));
  mt_tensor* v = VEC(MT_FLOAT32, 5, 6);
  mt_tensor *y = NULL, *loss = NULL;
  CHECK_OK(mt_set_requires_grad(w, 1));
  CHECK_OK(mt_set_requires_grad(v, 1));
  CHECK_OK(mt_matmul(w, v, &y));
  CHECK_STR(mt_grad_fn_name(y), "matmul");
  CHECK_OK(mt_reduce(MT_REDUCE_SUM, y, NULL, 0, 0, &loss));
  CHECK_OK(mt_backward(loss, NULL, 0));
  CHECK_GRAD(w, DIMS(2, 2), VALUES(5, 6, 5, 6));
  CHECK_GRAD(v, DIMS(2), VALUES(4, 6));
  RELEASE(w, v, y, loss);
}

static void backward_errors(void) {
  mt_tensor* plain = VEC(MT_FLOAT64, 1, 2);
  mt_tensor* s = NULL;
  CHECK_OK(mt_reduce(MT_REDUCE_SUM, plain, NULL, 0, 0, &s));
  CHECK_ERR(mt_backward(s, NULL, 0), MT_ERR_INVALID_ARGUMENT, "mt_backward",
            "does not require grad");
  RELEASE(plain, s);
}

/* A backward that fails midway (a saved operand was overwritten) changes no gradient. */
static void failed_midway(void) {
  mt_tensor* x = make_x();
  mt_tensor* w = VEC(MT_FLOAT64, 4, 5, 6);
  mt_tensor *first = loss_of(x, NULL), *xw = NULL, *part = NULL, *total = NULL;
  CHECK_OK(mt_backward(first, NULL, 0));
  CHECK_GRAD(x, DIMS(3), VALUES(5, 7, 9));
  mt_release(first);
  /* total = (sum(x * x + 3 x)) + sum(x * w): both branches reach x. */
  first = loss_of(x, NULL);
  CHECK_OK(mt_zip(MT_ZIP_MUL, x, w, &xw));
  CHECK_OK(mt_reduce(MT_REDUCE_SUM, xw, NULL, 0, 0, &part));
  CHECK_OK(mt_zip(MT_ZIP_ADD, first, part, &total));
  CHECK_OK(mt_set(w, DIMS(0), 40)); /* w does not require grad: writable, but saved by x * w */
  CHECK_ERR(mt_backward(total, NULL, 1), MT_ERR_INVALID_ARGUMENT, "mt_backward",
            "written in place");
  CHECK_GRAD(x, DIMS(3), VALUES(5, 7, 9));
  CHECK_OK(mt_backward(first, NULL, 0)); /* the graph is still usable where intact */
  CHECK_GRAD(x, DIMS(3), VALUES(10, 14, 18));
  RELEASE(x, w, first, xw, part, total);
}

static void grad_mode(void) {
  mt_tensor* x = make_x();
  mt_tensor *y = NULL, *out = NULL;
  int32_t flag = -1, was;
  CHECK(mt_grad_enabled() == 1);
  CHECK_OK(mt_zeros(DIMS(3), MT_FLOAT64, &out));
  /* *_out ops refuse operands that require grad while grad mode is on ... */
  CHECK_ERR(mt_zip_out(MT_ZIP_ADD, x, x, out), MT_ERR_INVALID_ARGUMENT, "mt_zip_out",
            "requires grad");
  CHECK_ERR(mt_map_out(MT_MAP_NEG, x, out), MT_ERR_INVALID_ARGUMENT, "mt_map_out", "requires grad");
  CHECK_ERR(mt_set(x, DIMS(0), 5), MT_ERR_INVALID_ARGUMENT, "mt_set");
  CHECK_TENSOR(out, DIMS(3), VALUES(0, 0, 0));
  CHECK_TENSOR(x, DIMS(3), VALUES(1, 2, 3));
  was = mt_set_grad_enabled(0);
  CHECK(was == 1);
  CHECK(mt_grad_enabled() == 0);
  /* ... and work inside a no-grad scope, where ops record nothing. */
  CHECK_OK(mt_zip_out(MT_ZIP_ADD, x, x, out));
  CHECK_TENSOR(out, DIMS(3), VALUES(2, 4, 6));
  CHECK_OK(mt_zip(MT_ZIP_MUL, x, x, &y));
  CHECK_OK(mt_requires_grad(y, &flag));
  CHECK(flag == 0);
  CHECK_OK(mt_is_leaf(y, &flag));
  CHECK(flag == 1);
  CHECK(mt_grad_fn_name(y) == NULL);
  CHECK(mt_set_grad_enabled(was) == 0);
  CHECK(mt_grad_enabled() == 1);
  CHECK(mt_set_grad_enabled(7) == 1); /* any non-zero is true */
  CHECK(mt_grad_enabled() == 1);
  RELEASE(x, y, out);
}

void test_autograd(void) {
  flags();
  backward();
  retain_graph();
  explicit_grad();
  matmul_grad();
  backward_errors();
  failed_midway();
  grad_mode();
}
