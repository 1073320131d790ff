/* Generators, Linear and Mlp: parameter shapes, initialisation bounds and forward passes
 * recomputed by hand from the parameters. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "suites.h"

static void generators(void) {
  mt_generator* g = SENTINEL;
  mt_generator* h = NULL;
  mt_tensor *a = NULL, *b = NULL;
  CHECK_OK(mt_generator_create(0, &g));
  CHECK_OK(mt_generator_create(UINT64_MAX, &h));
  CHECK_OK(mt_rand(DIMS(4), MT_FLOAT64, 0, 1, g, &a));
  CHECK_OK(mt_manual_seed(h, 0)); /* same seed as g now */
  CHECK_OK(mt_rand(DIMS(4), MT_FLOAT64, 0, 1, h, &b));
  CHECK(GET(a, DIMS(0)) == GET(b, DIMS(0)) && GET(a, DIMS(3)) == GET(b, DIMS(3)));
  mt_generator_release(g);
  mt_generator_release(h);
  mt_generator_release(NULL);
  CHECK_ERR(mt_generator_create(1, NULL), MT_ERR_INVALID_ARGUMENT, "mt_generator_create",
            "out is NULL");
  RELEASE(a, b);
}

/* y = x @ W^T + b, by hand: x (n, in), W (out, in), b (out) or NULL. */
static void linear_by_hand(const double* x, const double* w, const double* b, int n, int in,
                           int out, double* y) {
  int r, o, i;
  for (r = 0; r < n; ++r)
    for (o = 0; o < out; ++o) {
      double sum = b ? b[o] : 0;
      for (i = 0; i < in; ++i)
        sum += x[r * in + i] * w[o * in + i];
      y[r * out + o] = sum;
    }
}

static void linear(void) {
  enum { N = 4, IN = 3, OUT_F = 2 };
  mt_generator *g1 = NULL, *g2 = NULL;
  mt_linear *layer = NULL, *twin = NULL, *nobias = NULL;
  mt_tensor* x =
      TENSOR(MT_FLOAT64, DIMS(N, IN), VALUES(1, 2, 3, -1, 0, 1, 0.5, 0.5, 0.5, 2, -2, 1));
  mt_tensor *w = NULL, *b = NULL, *w2 = NULL, *y = NULL, *bias = SENTINEL;
  double xv[N * IN], wv[OUT_F * IN], bv[OUT_F], w2v[OUT_F * IN], yv[N * OUT_F];
  const double bound = 1 / sqrt((double)IN);
  int32_t flag = -1;
  int i, in_bounds = 1;
  CHECK_OK(mt_generator_create(11, &g1));
  CHECK_OK(mt_generator_create(11, &g2));
  CHECK_OK(mt_linear_create(IN, OUT_F, MT_FLOAT64, 1, g1, &layer));
  CHECK_OK(mt_linear_create(IN, OUT_F, MT_FLOAT64, 1, g2, &twin));
  CHECK_OK(mt_linear_weight(layer, &w));
  CHECK_OK(mt_linear_bias(layer, &b));
  CHECK_SHAPE(w, DIMS(OUT_F, IN)); /* (out_features, in_features) */
  CHECK_SHAPE(b, DIMS(OUT_F));
  CHECK_OK(mt_requires_grad(w, &flag));
  CHECK(flag == 1);
  CHECK_OK(mt_requires_grad(b, &flag));
  CHECK(flag == 1);
  CHECK(READ(x, xv, N * IN) == N * IN && READ(w, wv, OUT_F * IN) == OUT_F * IN &&
        READ(b, bv, OUT_F) == OUT_F);
  for (i = 0; i < OUT_F * IN; ++i)
    in_bounds = in_bounds && fabs(wv[i]) <= bound;
  CHECK(in_bounds && fabs(bv[0]) <= bound && fabs(bv[1]) <= bound);
  CHECK_OK(mt_linear_weight(twin, &w2)); /* the same generator state, the same weights */
  CHECK(READ(w2, w2v, OUT_F * IN) == OUT_F * IN && memcmp(wv, w2v, sizeof wv) == 0);
  CHECK_OK(mt_linear_forward(layer, x, &y));
  linear_by_hand(xv, wv, bv, N, IN, OUT_F, yv);
  CHECK_TENSOR(y, DIMS(N, OUT_F), yv, N * OUT_F);
  mt_release(y);
  /* The parameters are the layer's own: changing one changes the forward. */
  {
    const int32_t was = mt_set_grad_enabled(0);
    CHECK_OK(mt_set(w, DIMS(1, 2), 10));
    mt_set_grad_enabled(was);
  }
  wv[1 * IN + 2] = 10;
  CHECK_OK(mt_linear_forward(layer, x, &y));
  linear_by_hand(xv, wv, bv, N, IN, OUT_F, yv);
  CHECK_TENSOR(y, DIMS(N, OUT_F), yv, N * OUT_F);
  mt_release(y);
  /* Without a bias. */
  CHECK_OK(mt_linear_create(IN, OUT_F, MT_FLOAT64, 0, g1, &nobias));
  CHECK_OK(mt_linear_bias(nobias, &bias));
  CHECK(bias == NULL);
  mt_release(w2);
  CHECK_OK(mt_linear_weight(nobias, &w2));
  CHECK(READ(w2, w2v, OUT_F * IN) == OUT_F * IN);
  CHECK_OK(mt_linear_forward(nobias, x, &y));
  linear_by_hand(xv, w2v, NULL, N, IN, OUT_F, yv);
  CHECK_TENSOR(y, DIMS(N, OUT_F), yv, N * OUT_F);
  RELEASE(x, w, b, w2, y);
  mt_linear_release(layer);
  mt_linear_release(twin);
  mt_linear_release(nobias);
  mt_linear_release(NULL);
  mt_generator_release(g1);
  mt_generator_release(g2);
}

static void linear_errors(void) {
  mt_linear* layer = NULL;
  mt_tensor* x = TENSOR(MT_FLOAT32, DIMS(4, 2), VALUES(1, 2, 3, 4, 5, 6, 7, 8));
  mt_tensor* s = SCALAR(MT_FLOAT32, 1);
  CHECK_ERR_OUT_TYPED(mt_linear*, mt_linear_create(0, 2, MT_FLOAT32, 1, NULL, OUT),
                      MT_ERR_INVALID_ARGUMENT, "mt_linear_create", "in_features (0)");
  CHECK_ERR_OUT_TYPED(mt_linear*, mt_linear_create(2, -1, MT_FLOAT32, 1, NULL, OUT),
                      MT_ERR_INVALID_ARGUMENT, "mt_linear_create", "out_features (-1)");
  CHECK_ERR_OUT_TYPED(mt_linear*, mt_linear_create(INT64_MAX, 2, MT_FLOAT32, 1, NULL, OUT),
                      MT_ERR_OVERFLOW, "mt_linear_create");
  CHECK_ERR_OUT_TYPED(mt_linear*, mt_linear_create(2, 2, 4, 1, NULL, OUT), MT_ERR_DTYPE_MISMATCH,
                      "mt_linear_create", "unknown dtype 4");
  CHECK_OK(mt_linear_create(3, 2, MT_FLOAT32, 1, NULL, &layer));
  CHECK_ERR_OUT(mt_linear_forward(layer, x, OUT), MT_ERR_SHAPE_MISMATCH, "mt_linear_forward",
                "(4, 2)", "3 input features");
  CHECK_ERR_OUT(mt_linear_forward(layer, s, OUT), MT_ERR_SHAPE_MISMATCH, "mt_linear_forward");
  mt_linear_release(layer);
  RELEASE(x, s);
}

static void mlp(void) {
  enum { N = 5 };
  static const int64_t sizes[3] = {2, 4, 3};
  static const int64_t shapes[4][2] = {{4, 2}, {4, 0}, {3, 4}, {3, 0}};
  mt_mlp* model = NULL;
  mt_tensor* x = TENSOR(MT_FLOAT32, DIMS(N, 2), VALUES(0, 0, 1, 0, 0, 1, -1, 2, 0.5, -0.25));
  mt_tensor *p[4] = {NULL, NULL, NULL, NULL}, *y = NULL;
  double xv[N * 2], w1[8], b1[4], w2[12], b2[3], h[N * 4], yv[N * 3];
  int32_t count = -1, flag = -1;
  int i;
  CHECK_OK(mt_mlp_create(sizes, 3, MT_FLOAT32, NULL, &model));
  CHECK_OK(mt_mlp_parameter_count(model, &count));
  CHECK(count == 4);
  for (i = 0; i < 4; ++i) {
    CHECK_OK(mt_mlp_parameter(model, i, &p[i]));
    CHECK_SHAPE(p[i], shapes[i], shapes[i][1] ? 2 : 1);
    CHECK_OK(mt_requires_grad(p[i], &flag));
    CHECK(flag == 1);
  }
  CHECK(READ(x, xv, N * 2) == N * 2 && READ(p[0], w1, 8) == 8 && READ(p[1], b1, 4) == 4 &&
        READ(p[2], w2, 12) == 12 && READ(p[3], b2, 3) == 3);
  /* logits = relu(x W1^T + b1) W2^T + b2 */
  linear_by_hand(xv, w1, b1, N, 2, 4, h);
  for (i = 0; i < N * 4; ++i)
    h[i] = h[i] > 0 ? h[i] : 0;
  linear_by_hand(h, w2, b2, N, 4, 3, yv);
  CHECK_OK(mt_mlp_forward(model, x, &y));
  CHECK_TENSOR(y, DIMS(N, 3), yv, N * 3);
  CHECK_ERR_OUT(mt_mlp_parameter(model, 4, OUT), MT_ERR_INDEX_OUT_OF_RANGE, "mt_mlp_parameter",
                "index 4");
  CHECK_ERR_OUT(mt_mlp_parameter(model, -1, OUT), MT_ERR_INDEX_OUT_OF_RANGE, "mt_mlp_parameter",
                "index -1");
  CHECK_ERR_OUT(mt_mlp_forward(model, p[2], OUT), MT_ERR_SHAPE_MISMATCH, "mt_mlp_forward",
                "(3, 4)");
  RELEASE(x, y, p[0], p[1], p[2], p[3]);
  mt_mlp_release(model);
  mt_mlp_release(NULL);
}

static void mlp_errors(void) {
  CHECK_ERR_OUT_TYPED(mt_mlp*, mt_mlp_create(DIMS(2), MT_FLOAT32, NULL, OUT),
                      MT_ERR_INVALID_ARGUMENT, "mt_mlp_create", "at least 2 sizes");
  CHECK_ERR_OUT_TYPED(mt_mlp*, mt_mlp_create(NULL, 2, MT_FLOAT32, NULL, OUT),
                      MT_ERR_INVALID_ARGUMENT, "mt_mlp_create", "sizes is NULL");
  CHECK_ERR_OUT_TYPED(mt_mlp*, mt_mlp_create(DIMS(2, 0, 1), MT_FLOAT32, NULL, OUT),
                      MT_ERR_INVALID_ARGUMENT, "mt_mlp_create", "(0)");
  CHECK_ERR_OUT_TYPED(mt_mlp*, mt_mlp_create(DIMS(2, 3), 9, NULL, OUT), MT_ERR_DTYPE_MISMATCH,
                      "mt_mlp_create", "unknown dtype 9");
}

void test_nn(void) {
  generators();
  linear();
  linear_errors();
  mlp();
  mlp_errors();
}
