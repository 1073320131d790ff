#include "classifier.h"

/* Replaces *tensor by its copy on the device (a new reference to itself when it is there). */
static int32_t move_to(mt_tensor** tensor, int32_t device_type, int32_t device_index) {
  mt_tensor* moved = NULL;
  const int32_t status = mt_to_device(*tensor, device_type, device_index, &moved);
  if (status == MT_OK) {
    mt_release(*tensor);
    *tensor = moved;
  }
  return status;
}

int32_t classifier_create(const classifier_config* config, classifier* out) {
  const int64_t sizes[4] = {2, config->hidden, config->hidden, 1};
  const classifier empty = CLASSIFIER_EMPTY;
  classifier c = empty;
  mt_generator* generator = NULL;
  mt_tensor* params[CLASSIFIER_PARAMS] = {NULL};
  int32_t status, i;

  *out = empty;
  c.points = config->points;
  c.batch = config->batch;
  c.dtype = config->dtype;
  c.device_type = config->device_type;
  c.device_index = config->device_index;
  status =
      mt_dataset(config->dataset, config->points, config->data_seed, config->dtype, &c.x, &c.y);
  if (status == MT_OK) status = move_to(&c.x, c.device_type, c.device_index);
  if (status == MT_OK) status = move_to(&c.y, c.device_type, c.device_index);
  if (status == MT_OK) status = mt_generator_create(config->model_seed, &generator);
  if (status == MT_OK) status = mt_mlp_create(sizes, 4, config->dtype, generator, &c.model);
  /* On the device before the optimizer takes the parameters. */
  if (status == MT_OK) status = mt_mlp_to_device(c.model, c.device_type, c.device_index);
  for (i = 0; status == MT_OK && i < CLASSIFIER_PARAMS; ++i)
    status = mt_mlp_parameter(c.model, i, &params[i]);
  if (status == MT_OK)
    status = mt_sgd_create(params, CLASSIFIER_PARAMS, config->lr, 0, 0, 0, &c.optimizer);

  /* The optimizer keeps its own references to the parameters. */
  for (i = 0; i < CLASSIFIER_PARAMS; ++i)
    mt_release(params[i]);
  mt_generator_release(generator);
  if (status == MT_OK)
    *out = c;
  else
    classifier_release(&c);
  return status;
}

void classifier_release(classifier* c) {
  const classifier empty = CLASSIFIER_EMPTY;
  mt_optimizer_release(c->optimizer);
  mt_mlp_release(c->model);
  mt_release(c->y);
  mt_release(c->x);
  *c = empty;
}

int32_t classifier_step(const classifier* c, const mt_tensor* x, const mt_tensor* y,
                        mt_data_parallel* ddp, mt_tensor** loss) {
  int64_t column[2] = {0, 1};
  mt_tensor *target = NULL, *logits = NULL, *probs = NULL;
  /* loss = bce(sigmoid(model(x)), y as a column), mean over the batch; then the SGD step. */
  int32_t status = mt_size(y, 0, &column[0]);
  *loss = NULL;
  if (status == MT_OK) status = mt_view(y, column, 2, &target);
  if (status == MT_OK) status = mt_mlp_forward(c->model, x, &logits);
  if (status == MT_OK) status = mt_map(MT_MAP_SIGMOID, logits, &probs);
  if (status == MT_OK) status = mt_binary_cross_entropy(probs, target, MT_REDUCTION_MEAN, loss);
  if (status == MT_OK) status = mt_optimizer_zero_grad(c->optimizer);
  if (status == MT_OK) status = mt_backward(*loss, NULL, 0);
  if (status == MT_OK && ddp) status = mt_data_parallel_reduce_gradients(ddp);
  if (status == MT_OK) status = mt_optimizer_step(c->optimizer);
  if (status != MT_OK) {
    mt_release(*loss);
    *loss = NULL;
  }
  mt_release(probs);
  mt_release(logits);
  mt_release(target);
  return status;
}

int32_t classifier_train_batch(const classifier* c, const mt_tensor* x, const mt_tensor* y,
                               mt_data_parallel* ddp, double* loss_value) {
  mt_tensor* loss = NULL;
  int32_t status = classifier_step(c, x, y, ddp, &loss);
  if (status == MT_OK) status = mt_item(loss, loss_value);
  mt_release(loss);
  return status;
}

/* classifier_train_batch as a classifier_batch_fn: eager, on one process. */
static int32_t train_batch_eagerly(void* context, const classifier* c, const mt_tensor* x,
                                   const mt_tensor* y, double* loss) {
  (void)context;
  return classifier_train_batch(c, x, y, NULL, loss);
}

int32_t classifier_train_epoch(const classifier* c, double* mean_loss) {
  return classifier_train_epoch_by(c, train_batch_eagerly, NULL, mean_loss);
}

int32_t classifier_train_epoch_by(const classifier* c, classifier_batch_fn train_batch,
                                  void* context, double* mean_loss) {
  double total = 0;
  int64_t first;
  for (first = 0; first < c->points; first += c->batch) {
    const int64_t len = c->batch < c->points - first ? c->batch : c->points - first;
    mt_tensor *x = NULL, *y = NULL;
    double value = 0;
    int32_t status = mt_narrow(c->x, 0, first, len, &x);
    if (status == MT_OK) status = mt_narrow(c->y, 0, first, len, &y);
    if (status == MT_OK) status = train_batch(context, c, x, y, &value);
    mt_release(y);
    mt_release(x);
    if (status != MT_OK) return status;
    total += value * (double)len;
  }
  *mean_loss = c->points > 0 ? total / (double)c->points : 0;
  return MT_OK;
}

int32_t classifier_accuracy(const classifier* c, double* accuracy) {
  const int32_t was = mt_set_grad_enabled(0);
  mt_tensor *logits = NULL, *flat = NULL, *zero = NULL, *predicted = NULL, *right = NULL,
            *mean = NULL;
  /* mean(eq(logits > 0, y)), as the C++ classifier_accuracy. */
  int32_t status = mt_mlp_forward(c->model, c->x, &logits);
  if (status == MT_OK) status = mt_view(logits, &c->points, 1, &flat);
  if (status == MT_OK) status = mt_scalar(0, c->dtype, &zero);
  if (status == MT_OK) status = mt_zip(MT_ZIP_GT, flat, zero, &predicted);
  if (status == MT_OK) status = mt_zip(MT_ZIP_EQ, predicted, c->y, &right);
  if (status == MT_OK) status = mt_mean(right, NULL, 0, 0, &mean);
  if (status == MT_OK) status = mt_item(mean, accuracy);
  mt_release(mean);
  mt_release(right);
  mt_release(predicted);
  mt_release(zero);
  mt_release(flat);
  mt_release(logits);
  mt_set_grad_enabled(was);
  return status;
}

int32_t classifier_probabilities(const classifier* c, const double* points, int64_t count,
                                 double* probs) {
  const int32_t was = mt_set_grad_enabled(0);
  const int64_t shape[2] = {count, 2};
  mt_tensor *x = NULL, *logits = NULL, *p = NULL;
  int32_t status = mt_from_buffer_on(points, MT_FLOAT64, 2 * count, shape, 2, c->dtype,
                                     c->device_type, c->device_index, &x);
  if (status == MT_OK) status = mt_mlp_forward(c->model, x, &logits);
  if (status == MT_OK) status = mt_map(MT_MAP_SIGMOID, logits, &p);
  if (status == MT_OK) status = mt_to_buffer(p, probs, MT_FLOAT64, count);
  mt_release(p);
  mt_release(logits);
  mt_release(x);
  mt_set_grad_enabled(was);
  return status;
}
