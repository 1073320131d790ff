/* Losses (against values worked out with C's math) and optimizers (one step by hand). */
#include <math.h>

#include "check.h"
#include "suites.h"

static void elementwise_losses(void) {
  mt_tensor* p = VEC(MT_FLOAT64, 0.5, 0.9);
  mt_tensor* y = VEC(MT_FLOAT64, 1, 0);
  mt_tensor* x = VEC(MT_FLOAT32, 1, 2, 3);
  mt_tensor* t = VEC(MT_FLOAT32, 1, 0, 1);
  mt_tensor* one = SCALAR(MT_FLOAT32, 1);
  const double b0 = -log(0.5), b1 = -log(0.1);
  CHECK_GIVES(mt_binary_cross_entropy(p, y, MT_REDUCTION_NONE, OUT), DIMS(2), VALUES(b0, b1));
  CHECK_GIVES(mt_binary_cross_entropy(p, y, MT_REDUCTION_SUM, OUT), NO_DIMS, VALUES(b0 + b1));
  CHECK_GIVES(mt_binary_cross_entropy(p, y, MT_REDUCTION_MEAN, OUT), NO_DIMS,
              VALUES((b0 + b1) / 2));
  CHECK_GIVES(mt_mse_loss(x, t, MT_REDUCTION_NONE, OUT), DIMS(3), VALUES(0, 4, 4));
  CHECK_GIVES(mt_mse_loss(x, t, MT_REDUCTION_SUM, OUT), NO_DIMS, VALUES(8));
  CHECK_GIVES(mt_mse_loss(x, t, MT_REDUCTION_MEAN, OUT), NO_DIMS, VALUES(8.0 / 3));
  /* One shape for both: broadcasting would compare every input with every target. */
  CHECK_ERR_OUT(mt_mse_loss(x, one, MT_REDUCTION_SUM, OUT), MT_ERR_SHAPE_MISMATCH, "mt_mse_loss",
                "target size ()", "input size (3,)");
  /* Probabilities and targets in [0, 1], as torch checks. */
  CHECK_ERR_OUT(mt_binary_cross_entropy(x, t, MT_REDUCTION_SUM, OUT), MT_ERR_INVALID_ARGUMENT,
                "mt_binary_cross_entropy", "all elements of input", "at index (1,) is 2");
  CHECK_ERR_OUT(mt_binary_cross_entropy(p, x, MT_REDUCTION_SUM, OUT), MT_ERR_SHAPE_MISMATCH,
                "mt_binary_cross_entropy");
  CHECK_ERR_OUT(mt_binary_cross_entropy(p, x, MT_REDUCTION_MEAN, OUT), MT_ERR_SHAPE_MISMATCH,
                "mt_binary_cross_entropy", "(2,)", "(3,)");
  CHECK_ERR_OUT(mt_mse_loss(p, x, MT_REDUCTION_MEAN, OUT), MT_ERR_SHAPE_MISMATCH, "mt_mse_loss",
                "(2,)", "(3,)");
  CHECK_ERR_OUT(mt_binary_cross_entropy(p, y, 3, OUT), MT_ERR_INVALID_ARGUMENT,
                "mt_binary_cross_entropy", "unknown reduction 3");
  CHECK_ERR_OUT(mt_mse_loss(x, t, -1, OUT), MT_ERR_INVALID_ARGUMENT, "mt_mse_loss",
                "unknown reduction -1");
  RELEASE(p, y, x, t, one);
}

/* logits [[1, 2, 3], [1, 1, 1]]: row 0's logsumexp is l0, row 1's is 1 + ln 3. */
static void softmax_family(void) {
  mt_tensor* z = TENSOR(MT_FLOAT64, DIMS(2, 3), VALUES(1, 2, 3, 1, 1, 1));
  mt_tensor* classes = VEC(MT_FLOAT64, 2, 0);
  mt_tensor* probs = TENSOR(MT_FLOAT64, DIMS(2, 3), VALUES(0, 0, 1, 1, 0, 0));
  const double l0 = log(exp(1) + exp(2) + exp(3)), l1 = 1 + log(3), t = 1.0 / 3;
  const double c0 = l0 - 3, c1 = log(3); /* cross entropy of classes 2 and 0 */
  CHECK_GIVES(mt_logsumexp(z, 1, 0, OUT), DIMS(2), VALUES(l0, l1));
  CHECK_GIVES(mt_logsumexp(z, -1, 1, OUT), DIMS(2, 1), VALUES(l0, l1));
  CHECK_GIVES(mt_logsumexp(z, 0, 0, OUT), DIMS(3),
              VALUES(log(2 * exp(1)), log(exp(2) + exp(1)), log(exp(3) + exp(1))));
  CHECK_GIVES(mt_log_softmax(z, 1, OUT), DIMS(2, 3),
              VALUES(1 - l0, 2 - l0, 3 - l0, -log(3), -log(3), -log(3)));
  CHECK_GIVES(mt_softmax(z, -1, OUT), DIMS(2, 3),
              VALUES(exp(1 - l0), exp(2 - l0), exp(3 - l0), t, t, t));
  CHECK_GIVES(mt_cross_entropy(z, classes, MT_REDUCTION_NONE, OUT), DIMS(2), VALUES(c0, c1));
  CHECK_GIVES(mt_cross_entropy(z, classes, MT_REDUCTION_SUM, OUT), NO_DIMS, VALUES(c0 + c1));
  CHECK_GIVES(mt_cross_entropy(z, classes, MT_REDUCTION_MEAN, OUT), NO_DIMS, VALUES((c0 + c1) / 2));
  CHECK_GIVES(mt_cross_entropy(z, probs, MT_REDUCTION_MEAN, OUT), NO_DIMS, VALUES((c0 + c1) / 2));
  RELEASE(z, classes, probs);
}

static void softmax_errors(void) {
  mt_tensor* z = TENSOR(MT_FLOAT64, DIMS(2, 3), VALUES(1, 2, 3, 1, 1, 1));
  mt_tensor* flat = VEC(MT_FLOAT64, 1, 2, 3);
  mt_tensor* bad = VEC(MT_FLOAT64, 3, 0);
  mt_tensor* half = VEC(MT_FLOAT64, 1.5, 0);
  mt_tensor* negative = VEC(MT_FLOAT64, -1, 0);
  CHECK_ERR_OUT(mt_cross_entropy(z, bad, MT_REDUCTION_MEAN, OUT), MT_ERR_INDEX_OUT_OF_RANGE,
                "mt_cross_entropy", "target class 3");
  CHECK_ERR_OUT(mt_cross_entropy(z, half, MT_REDUCTION_MEAN, OUT), MT_ERR_INDEX_OUT_OF_RANGE,
                "mt_cross_entropy", "1.5");
  CHECK_ERR_OUT(mt_cross_entropy(z, negative, MT_REDUCTION_MEAN, OUT), MT_ERR_INDEX_OUT_OF_RANGE,
                "mt_cross_entropy", "-1");
  CHECK_ERR_OUT(mt_cross_entropy(flat, bad, MT_REDUCTION_MEAN, OUT), MT_ERR_SHAPE_MISMATCH,
                "mt_cross_entropy", "(N, C)", "(3,)");
  CHECK_ERR_OUT(mt_cross_entropy(z, flat, MT_REDUCTION_MEAN, OUT), MT_ERR_SHAPE_MISMATCH,
                "mt_cross_entropy", "(3,)", "(2, 3)");
  CHECK_ERR_OUT(mt_cross_entropy(z, bad, 7, OUT), MT_ERR_INVALID_ARGUMENT, "mt_cross_entropy",
                "unknown reduction 7");
  CHECK_ERR_OUT(mt_logsumexp(z, 2, 0, OUT), MT_ERR_INDEX_OUT_OF_RANGE, "mt_logsumexp", "dim 2");
  CHECK_ERR_OUT(mt_log_softmax(z, -3, OUT), MT_ERR_INDEX_OUT_OF_RANGE, "mt_log_softmax", "dim -3");
  CHECK_ERR_OUT(mt_softmax(z, 2, OUT), MT_ERR_INDEX_OUT_OF_RANGE, "mt_softmax", "dim 2");
  RELEASE(z, flat, bad, half, negative);
}

/* The gradient of mean cross entropy is (softmax - one_hot) / N. */
static void loss_gradient(void) {
  mt_tensor* z = TENSOR(MT_FLOAT64, DIMS(2, 3), VALUES(1, 2, 3, 1, 1, 1));
  mt_tensor* classes = VEC(MT_FLOAT64, 2, 0);
  mt_tensor *loss = NULL, *grad = NULL;
  const double l0 = log(exp(1) + exp(2) + exp(3)), t = 1.0 / 3;
  CHECK_OK(mt_set_requires_grad(z, 1));
  CHECK_OK(mt_cross_entropy(z, classes, MT_REDUCTION_MEAN, &loss));
  CHECK_OK(mt_backward(loss, NULL, 0));
  CHECK_OK(mt_grad(z, &grad));
  CHECK_TENSOR(
      grad, DIMS(2, 3),
      VALUES(exp(1 - l0) / 2, exp(2 - l0) / 2, (exp(3 - l0) - 1) / 2, (t - 1) / 2, t / 2, t / 2));
  RELEASE(z, classes, loss, grad);
}

/* p = [1, 2] requiring grad, with gradient [2, 4] from sum(p * p). */
static mt_tensor* make_param(void) {
  mt_tensor* p = VEC(MT_FLOAT64, 1, 2);
  mt_tensor *sq = NULL, *loss = NULL;
  CHECK_OK(mt_set_requires_grad(p, 1));
  CHECK_OK(mt_zip(MT_ZIP_MUL, p, p, &sq));
  CHECK_OK(mt_reduce(MT_REDUCE_SUM, sq, NULL, 0, 0, &loss));
  CHECK_OK(mt_backward(loss, NULL, 0));
  RELEASE(sq, loss);
  return p;
}

static void sgd(void) {
  mt_tensor* p = make_param();
  mt_tensor* view = NULL;
  mt_tensor* grad = SENTINEL;
  mt_optimizer* opt = NULL;
  CHECK_OK(mt_sgd_create(&p, 1, 0.1, 0, 0, 0, &opt));
  CHECK_OK(mt_detach(p, &view));
  mt_release(p); /* the optimizer keeps its own reference */
  CHECK_OK(mt_optimizer_step(opt));
  CHECK(GET(view, DIMS(0)) == 1 - 0.1 * 2); /* p -= lr * grad, exactly */
  CHECK(GET(view, DIMS(1)) == 2 - 0.1 * 4);
  mt_optimizer_release(opt);
  mt_release(view);

  p = make_param();
  CHECK_OK(mt_sgd_create(&p, 1, 0.1, 0, 0, 0, &opt));
  CHECK_OK(mt_optimizer_zero_grad(opt));
  CHECK_OK(mt_grad(p, &grad));
  CHECK(grad == NULL);
  CHECK_OK(mt_optimizer_step(opt)); /* no gradient: skipped */
  CHECK_TENSOR(p, DIMS(2), VALUES(1, 2));
  mt_optimizer_release(opt);
  mt_release(p);

  /* momentum 0.9, weight decay 0.5: g' = g + 0.5 p, v = 0.9 v + g', p -= 0.1 v (twice). */
  p = make_param();
  CHECK_OK(mt_sgd_create(&p, 1, 0.1, 0.9, 0.5, 0, &opt));
  CHECK_OK(mt_optimizer_step(opt));
  CHECK_TENSOR(p, DIMS(2), VALUES(0.75, 1.5));
  CHECK_OK(mt_optimizer_step(opt));
  CHECK_TENSOR(p, DIMS(2), VALUES(0.2875, 0.575));
  mt_optimizer_release(opt);
  mt_release(p);

  /* nesterov: the first step moves by lr (g + 0.9 g). */
  p = make_param();
  CHECK_OK(mt_sgd_create(&p, 1, 0.1, 0.9, 0, 1, &opt));
  CHECK_OK(mt_optimizer_step(opt));
  CHECK_TENSOR(p, DIMS(2), VALUES(0.62, 1.24));
  mt_optimizer_release(opt);
  mt_release(p);
}

static void adam(void) {
  mt_tensor* p = make_param();
  mt_optimizer* opt = NULL;
  const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
  double expected[2];
  int i;
  CHECK_OK(mt_adam_create(&p, 1, lr, b1, b2, eps, 0, &opt));
  CHECK_OK(mt_optimizer_step(opt));
  for (i = 0; i < 2; ++i) { /* torch.optim.Adam's first step */
    const double param = i + 1, g = 2 * param, m = (1 - b1) * g, v = (1 - b2) * g * g;
    expected[i] = param - lr / (1 - b1) * m / (sqrt(v) / sqrt(1 - b2) + eps);
  }
  CHECK_TENSOR(p, DIMS(2), expected, 2);
  CHECK_OK(mt_optimizer_zero_grad(opt));
  mt_optimizer_release(opt);
  mt_release(p);
}

static void optimizer_errors(void) {
  mt_tensor* p = make_param();
  mt_tensor* plain = VEC(MT_FLOAT64, 1);
  mt_tensor* none[1] = {NULL};
  mt_optimizer* empty = NULL;
#define SGD_ERR(call, status, ...) CHECK_ERR_OUT_TYPED(mt_optimizer*, call, status, __VA_ARGS__)
  SGD_ERR(mt_sgd_create(&p, 1, -1, 0, 0, 0, OUT), MT_ERR_INVALID_ARGUMENT, "mt_sgd_create",
          "lr = -1");
  SGD_ERR(mt_sgd_create(&p, 1, 0.1, -0.5, 0, 0, OUT), MT_ERR_INVALID_ARGUMENT, "momentum");
  SGD_ERR(mt_sgd_create(&p, 1, 0.1, 0, -1, 0, OUT), MT_ERR_INVALID_ARGUMENT, "weight_decay");
  SGD_ERR(mt_sgd_create(&p, 1, 0.1, 0, 0, 1, OUT), MT_ERR_INVALID_ARGUMENT, "nesterov");
  SGD_ERR(mt_sgd_create(NULL, 1, 0.1, 0, 0, 0, OUT), MT_ERR_INVALID_ARGUMENT, "params is NULL");
  SGD_ERR(mt_sgd_create(none, 1, 0.1, 0, 0, 0, OUT), MT_ERR_INVALID_ARGUMENT, "params[0] is NULL");
  SGD_ERR(mt_sgd_create(&p, -1, 0.1, 0, 0, 0, OUT), MT_ERR_INVALID_ARGUMENT, "count -1");
  SGD_ERR(mt_sgd_create(&plain, 1, 0.1, 0, 0, 0, OUT), MT_ERR_INVALID_ARGUMENT,
          "not a leaf that requires grad");
  SGD_ERR(mt_adam_create(&p, 1, 0.1, 1.0, 0.999, 1e-8, 0, OUT), MT_ERR_INVALID_ARGUMENT,
          "mt_adam_create", "beta1");
  SGD_ERR(mt_adam_create(&p, 1, 0.1, 0.9, -0.1, 1e-8, 0, OUT), MT_ERR_INVALID_ARGUMENT, "beta2");
  SGD_ERR(mt_adam_create(&p, 1, 0.1, 0.9, 0.999, -1, 0, OUT), MT_ERR_INVALID_ARGUMENT, "eps");
  SGD_ERR(mt_adam_create(&p, 1, NAN, 0.9, 0.999, 1e-8, 0, OUT), MT_ERR_INVALID_ARGUMENT, "lr");
  SGD_ERR(mt_adam_create(&plain, 1, 0.1, 0.9, 0.999, 1e-8, 0, OUT), MT_ERR_INVALID_ARGUMENT,
          "parameter 0");
#undef SGD_ERR
  CHECK_OK(mt_adam_create(NULL, 0, 0.1, 0.9, 0.999, 1e-8, 0, &empty)); /* nothing to update */
  CHECK_OK(mt_optimizer_step(empty));
  mt_optimizer_release(empty);
  mt_optimizer_release(NULL);
  CHECK_TENSOR(p, DIMS(2), VALUES(1, 2));
  RELEASE(p, plain);
}

void test_losses(void) {
  elementwise_losses();
  softmax_family();
  softmax_errors();
  loss_gradient();
  sgd();
  adam();
  optimizer_errors();
}
