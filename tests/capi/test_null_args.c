/* NULL for every handle and out-parameter of every function: MT_ERR_INVALID_ARGUMENT naming
 * the function and the argument, outs untouched; and every release accepts NULL. */
#include "check.h"
#include "suites.h"

/* `call` fails because the argument `what` is NULL. */
#define NULL_ARG(fn, what, call) CHECK_ERR(call, MT_ERR_INVALID_ARGUMENT, fn, what " is NULL")
/* The same for a call writing a tensor to OUT, which must stay untouched. */
#define NULL_ARG_OUT(fn, what, call) \
  CHECK_ERR_OUT(call, MT_ERR_INVALID_ARGUMENT, fn, what " is NULL")

static int32_t i32 = -77;
static int64_t i64 = -77;
static double f64 = -77;

static void tensor_functions(const mt_tensor* t) {
  NULL_ARG("mt_retain", "tensor", mt_retain(NULL));
  NULL_ARG("mt_ndim", "tensor", mt_ndim(NULL, &i32));
  NULL_ARG("mt_ndim", "out", mt_ndim(t, NULL));
  NULL_ARG("mt_numel", "tensor", mt_numel(NULL, &i64));
  NULL_ARG("mt_numel", "out", mt_numel(t, NULL));
  NULL_ARG("mt_dtype", "tensor", mt_dtype(NULL, &i32));
  NULL_ARG("mt_dtype", "out", mt_dtype(t, NULL));
  NULL_ARG("mt_device", "tensor", mt_device(NULL, &i32, &i32));
  NULL_ARG("mt_device", "type", mt_device(t, NULL, &i32));
  NULL_ARG("mt_device", "index", mt_device(t, &i32, NULL));
  NULL_ARG("mt_size", "tensor", mt_size(NULL, 0, &i64));
  NULL_ARG("mt_size", "out", mt_size(t, 0, NULL));
  NULL_ARG("mt_stride", "tensor", mt_stride(NULL, 0, &i64));
  NULL_ARG("mt_stride", "out", mt_stride(t, 0, NULL));
  NULL_ARG("mt_shape", "tensor", mt_shape(NULL, &i64, 1));
  NULL_ARG("mt_strides", "tensor", mt_strides(NULL, &i64, 1));
  NULL_ARG("mt_strides", "out", mt_strides(t, NULL, 2));
  NULL_ARG("mt_is_contiguous", "tensor", mt_is_contiguous(NULL, &i32));
  NULL_ARG("mt_is_contiguous", "out", mt_is_contiguous(t, NULL));
  NULL_ARG("mt_shares_memory", "a", mt_shares_memory(NULL, t, &i32));
  NULL_ARG("mt_shares_memory", "b", mt_shares_memory(t, NULL, &i32));
  NULL_ARG("mt_shares_memory", "out", mt_shares_memory(t, t, NULL));
  NULL_ARG("mt_item", "tensor", mt_item(NULL, &f64));
  NULL_ARG("mt_item", "out", mt_item(t, NULL));
  NULL_ARG("mt_get", "tensor", mt_get(NULL, DIMS(0, 0), &f64));
  NULL_ARG("mt_set", "tensor", mt_set(NULL, DIMS(0, 0), 1));
  NULL_ARG("mt_set", "index", mt_set((mt_tensor*)t, NULL, 2, 1));
  NULL_ARG("mt_to_string", "out", mt_to_string(t, NULL));
}

static void view_functions(const mt_tensor* t) {
  NULL_ARG_OUT("mt_permute", "tensor", mt_permute(NULL, DIMS(1, 0), OUT));
  NULL_ARG("mt_permute", "out", mt_permute(t, DIMS(1, 0), NULL));
  NULL_ARG_OUT("mt_transpose", "tensor", mt_transpose(NULL, 0, 1, OUT));
  NULL_ARG("mt_transpose", "out", mt_transpose(t, 0, 1, NULL));
  NULL_ARG_OUT("mt_view", "tensor", mt_view(NULL, DIMS(4), OUT));
  NULL_ARG("mt_view", "out", mt_view(t, DIMS(4), NULL));
  NULL_ARG_OUT("mt_view", "shape", mt_view(t, NULL, 1, OUT));
  NULL_ARG_OUT("mt_reshape", "tensor", mt_reshape(NULL, DIMS(4), OUT));
  NULL_ARG("mt_reshape", "out", mt_reshape(t, DIMS(4), NULL));
  NULL_ARG_OUT("mt_expand", "tensor", mt_expand(NULL, DIMS(2, 2), OUT));
  NULL_ARG("mt_expand", "out", mt_expand(t, DIMS(2, 2), NULL));
  NULL_ARG_OUT("mt_narrow", "tensor", mt_narrow(NULL, 0, 0, 1, OUT));
  NULL_ARG("mt_narrow", "out", mt_narrow(t, 0, 0, 1, NULL));
  NULL_ARG_OUT("mt_slice", "tensor", mt_slice(NULL, 0, 0, 1, 1, OUT));
  NULL_ARG("mt_slice", "out", mt_slice(t, 0, 0, 1, 1, NULL));
  NULL_ARG_OUT("mt_select", "tensor", mt_select(NULL, 0, 0, OUT));
  NULL_ARG("mt_select", "out", mt_select(t, 0, 0, NULL));
  NULL_ARG_OUT("mt_unsqueeze", "tensor", mt_unsqueeze(NULL, 0, OUT));
  NULL_ARG("mt_unsqueeze", "out", mt_unsqueeze(t, 0, NULL));
  NULL_ARG_OUT("mt_squeeze", "tensor", mt_squeeze(NULL, 0, OUT));
  NULL_ARG("mt_squeeze", "out", mt_squeeze(t, 0, NULL));
  NULL_ARG_OUT("mt_contiguous", "tensor", mt_contiguous(NULL, OUT));
  NULL_ARG("mt_contiguous", "out", mt_contiguous(t, NULL));
  NULL_ARG_OUT("mt_to_dtype", "tensor", mt_to_dtype(NULL, MT_FLOAT64, OUT));
  NULL_ARG("mt_to_dtype", "out", mt_to_dtype(t, MT_FLOAT64, NULL));
  NULL_ARG_OUT("mt_clone", "tensor", mt_clone(NULL, OUT));
  NULL_ARG("mt_clone", "out", mt_clone(t, NULL));
  NULL_ARG_OUT("mt_detach", "tensor", mt_detach(NULL, OUT));
  NULL_ARG("mt_detach", "out", mt_detach(t, NULL));
}

static void op_functions(mt_tensor* t) {
  NULL_ARG_OUT("mt_map", "a", mt_map(MT_MAP_EXP, NULL, OUT));
  NULL_ARG("mt_map", "out", mt_map(MT_MAP_EXP, t, NULL));
  NULL_ARG("mt_map_out", "a", mt_map_out(MT_MAP_EXP, NULL, t));
  NULL_ARG("mt_map_out", "out", mt_map_out(MT_MAP_EXP, t, NULL));
  NULL_ARG_OUT("mt_zip", "a", mt_zip(MT_ZIP_ADD, NULL, t, OUT));
  NULL_ARG_OUT("mt_zip", "b", mt_zip(MT_ZIP_ADD, t, NULL, OUT));
  NULL_ARG("mt_zip", "out", mt_zip(MT_ZIP_ADD, t, t, NULL));
  NULL_ARG("mt_zip_out", "a", mt_zip_out(MT_ZIP_ADD, NULL, t, t));
  NULL_ARG("mt_zip_out", "b", mt_zip_out(MT_ZIP_ADD, t, NULL, t));
  NULL_ARG("mt_zip_out", "out", mt_zip_out(MT_ZIP_ADD, t, t, NULL));
  NULL_ARG_OUT("mt_reduce", "a", mt_reduce(MT_REDUCE_SUM, NULL, NULL, 0, 0, OUT));
  NULL_ARG("mt_reduce", "out", mt_reduce(MT_REDUCE_SUM, t, NULL, 0, 0, NULL));
  NULL_ARG("mt_reduce_out", "a", mt_reduce_out(MT_REDUCE_SUM, NULL, NULL, 0, 0, t));
  NULL_ARG("mt_reduce_out", "out", mt_reduce_out(MT_REDUCE_SUM, t, NULL, 0, 0, NULL));
  NULL_ARG_OUT("mt_mean", "a", mt_mean(NULL, NULL, 0, 0, OUT));
  NULL_ARG("mt_mean", "out", mt_mean(t, NULL, 0, 0, NULL));
  NULL_ARG_OUT("mt_matmul", "a", mt_matmul(NULL, t, OUT));
  NULL_ARG_OUT("mt_matmul", "b", mt_matmul(t, NULL, OUT));
  NULL_ARG("mt_matmul", "out", mt_matmul(t, t, NULL));
  NULL_ARG("mt_matmul_out", "a", mt_matmul_out(NULL, t, t));
  NULL_ARG("mt_matmul_out", "b", mt_matmul_out(t, NULL, t));
  NULL_ARG("mt_matmul_out", "out", mt_matmul_out(t, t, NULL));
}

static void autograd_functions(const mt_tensor* t) {
  NULL_ARG("mt_set_requires_grad", "tensor", mt_set_requires_grad(NULL, 1));
  NULL_ARG("mt_requires_grad", "tensor", mt_requires_grad(NULL, &i32));
  NULL_ARG("mt_requires_grad", "out", mt_requires_grad(t, NULL));
  NULL_ARG("mt_is_leaf", "tensor", mt_is_leaf(NULL, &i32));
  NULL_ARG("mt_is_leaf", "out", mt_is_leaf(t, NULL));
  NULL_ARG_OUT("mt_grad", "tensor", mt_grad(NULL, OUT));
  NULL_ARG("mt_grad", "out", mt_grad(t, NULL));
  NULL_ARG("mt_zero_grad", "tensor", mt_zero_grad(NULL));
  NULL_ARG("mt_backward", "tensor", mt_backward(NULL, NULL, 0));
}

static void nn_functions(mt_tensor* t) {
  mt_linear* layer = NULL;
  mt_mlp* model = NULL;
  CHECK_OK(mt_linear_create(2, 2, MT_FLOAT32, 1, NULL, &layer));
  CHECK_OK(mt_mlp_create(DIMS(2, 2), MT_FLOAT32, NULL, &model));
  NULL_ARG("mt_linear_create", "out", mt_linear_create(2, 2, MT_FLOAT32, 1, NULL, NULL));
  NULL_ARG_OUT("mt_linear_forward", "layer", mt_linear_forward(NULL, t, OUT));
  NULL_ARG_OUT("mt_linear_forward", "x", mt_linear_forward(layer, NULL, OUT));
  NULL_ARG("mt_linear_forward", "out", mt_linear_forward(layer, t, NULL));
  NULL_ARG_OUT("mt_linear_weight", "layer", mt_linear_weight(NULL, OUT));
  NULL_ARG("mt_linear_weight", "out", mt_linear_weight(layer, NULL));
  NULL_ARG_OUT("mt_linear_bias", "layer", mt_linear_bias(NULL, OUT));
  NULL_ARG("mt_linear_bias", "out", mt_linear_bias(layer, NULL));
  NULL_ARG("mt_mlp_create", "out", mt_mlp_create(DIMS(2, 2), MT_FLOAT32, NULL, NULL));
  NULL_ARG_OUT("mt_mlp_forward", "model", mt_mlp_forward(NULL, t, OUT));
  NULL_ARG_OUT("mt_mlp_forward", "x", mt_mlp_forward(model, NULL, OUT));
  NULL_ARG("mt_mlp_forward", "out", mt_mlp_forward(model, t, NULL));
  NULL_ARG("mt_mlp_parameter_count", "model", mt_mlp_parameter_count(NULL, &i32));
  NULL_ARG("mt_mlp_parameter_count", "out", mt_mlp_parameter_count(model, NULL));
  NULL_ARG_OUT("mt_mlp_parameter", "model", mt_mlp_parameter(NULL, 0, OUT));
  NULL_ARG("mt_mlp_parameter", "out", mt_mlp_parameter(model, 0, NULL));
  NULL_ARG("mt_sgd_create", "out", mt_sgd_create(&t, 1, 0.1, 0, 0, 0, NULL));
  NULL_ARG("mt_adam_create", "out", mt_adam_create(&t, 1, 0.1, 0.9, 0.999, 1e-8, 0, NULL));
  NULL_ARG("mt_optimizer_step", "optimizer", mt_optimizer_step(NULL));
  NULL_ARG("mt_optimizer_zero_grad", "optimizer", mt_optimizer_zero_grad(NULL));
  mt_linear_release(layer);
  mt_mlp_release(model);
}

static void loss_functions(const mt_tensor* t) {
  NULL_ARG_OUT("mt_binary_cross_entropy", "input",
               mt_binary_cross_entropy(NULL, t, MT_REDUCTION_MEAN, OUT));
  NULL_ARG_OUT("mt_binary_cross_entropy", "target",
               mt_binary_cross_entropy(t, NULL, MT_REDUCTION_MEAN, OUT));
  NULL_ARG("mt_binary_cross_entropy", "out",
           mt_binary_cross_entropy(t, t, MT_REDUCTION_MEAN, NULL));
  NULL_ARG_OUT("mt_mse_loss", "input", mt_mse_loss(NULL, t, MT_REDUCTION_MEAN, OUT));
  NULL_ARG_OUT("mt_mse_loss", "target", mt_mse_loss(t, NULL, MT_REDUCTION_MEAN, OUT));
  NULL_ARG("mt_mse_loss", "out", mt_mse_loss(t, t, MT_REDUCTION_MEAN, NULL));
  NULL_ARG_OUT("mt_cross_entropy", "input", mt_cross_entropy(NULL, t, MT_REDUCTION_MEAN, OUT));
  NULL_ARG_OUT("mt_cross_entropy", "target", mt_cross_entropy(t, NULL, MT_REDUCTION_MEAN, OUT));
  NULL_ARG("mt_cross_entropy", "out", mt_cross_entropy(t, t, MT_REDUCTION_MEAN, NULL));
  NULL_ARG_OUT("mt_logsumexp", "x", mt_logsumexp(NULL, 0, 0, OUT));
  NULL_ARG("mt_logsumexp", "out", mt_logsumexp(t, 0, 0, NULL));
  NULL_ARG_OUT("mt_log_softmax", "logits", mt_log_softmax(NULL, 0, OUT));
  NULL_ARG("mt_log_softmax", "out", mt_log_softmax(t, 0, NULL));
  NULL_ARG_OUT("mt_softmax", "logits", mt_softmax(NULL, 0, OUT));
  NULL_ARG("mt_softmax", "out", mt_softmax(t, 0, NULL));
}

/* Processes: the communicator (a world of one here), the collectives, the sampler and DDP. */
static void process_functions(mt_tensor* t) {
  mt_communicator* comm = NULL;
  mt_sampler* sampler = NULL;
  mt_data_parallel* ddp = NULL;
  mt_data_parallel* unmade = SENTINEL;
  char* engine = SENTINEL;
  double seconds = 0;
  int64_t indices[2];
  CHECK_OK(mt_communicator_from_environment(&comm));
  CHECK_OK(mt_sampler_create(4, 2, 1, 0, 0, &sampler));
  CHECK_OK(mt_data_parallel_create(comm, &t, 1, 0, &ddp));
  NULL_ARG("mt_communicator_from_environment", "out", mt_communicator_from_environment(NULL));
  NULL_ARG("mt_communicator_rank", "communicator", mt_communicator_rank(NULL, &i32));
  NULL_ARG("mt_communicator_rank", "out", mt_communicator_rank(comm, NULL));
  NULL_ARG("mt_communicator_size", "communicator", mt_communicator_size(NULL, &i32));
  NULL_ARG("mt_communicator_size", "out", mt_communicator_size(comm, NULL));
  NULL_ARG("mt_communicator_local_rank", "communicator", mt_communicator_local_rank(NULL, &i32));
  NULL_ARG("mt_communicator_local_rank", "out", mt_communicator_local_rank(comm, NULL));
  NULL_ARG("mt_communicator_engine", "communicator", mt_communicator_engine(NULL, &engine));
  NULL_ARG("mt_communicator_engine", "out", mt_communicator_engine(comm, NULL));
  CHECK(engine == SENTINEL);
  NULL_ARG("mt_communicator_timeout", "communicator", mt_communicator_timeout(NULL, &seconds));
  NULL_ARG("mt_communicator_timeout", "out", mt_communicator_timeout(comm, NULL));
  NULL_ARG("mt_communicator_set_timeout", "communicator", mt_communicator_set_timeout(NULL, 1));
  NULL_ARG("mt_all_reduce", "communicator",
           mt_all_reduce(NULL, t, MT_REDUCE_SUM, MT_ALL_REDUCE_ORDERED));
  NULL_ARG("mt_all_reduce", "tensor",
           mt_all_reduce(comm, NULL, MT_REDUCE_SUM, MT_ALL_REDUCE_ORDERED));
  NULL_ARG("mt_broadcast", "communicator", mt_broadcast(NULL, t, 0));
  NULL_ARG("mt_broadcast", "tensor", mt_broadcast(comm, NULL, 0));
  NULL_ARG_OUT("mt_all_gather", "communicator", mt_all_gather(NULL, t, OUT));
  NULL_ARG_OUT("mt_all_gather", "tensor", mt_all_gather(comm, NULL, OUT));
  NULL_ARG("mt_all_gather", "out", mt_all_gather(comm, t, NULL));
  NULL_ARG("mt_barrier", "communicator", mt_barrier(NULL));
  NULL_ARG("mt_sampler_create", "out", mt_sampler_create(4, 2, 1, 0, 0, NULL));
  NULL_ARG("mt_sampler_steps", "sampler", mt_sampler_steps(NULL, &i64));
  NULL_ARG("mt_sampler_steps", "out", mt_sampler_steps(sampler, NULL));
  NULL_ARG("mt_sampler_local_batch", "sampler", mt_sampler_local_batch(NULL, &i64));
  NULL_ARG("mt_sampler_local_batch", "out", mt_sampler_local_batch(sampler, NULL));
  NULL_ARG("mt_sampler_set_epoch", "sampler", mt_sampler_set_epoch(NULL, 0));
  NULL_ARG("mt_sampler_indices", "sampler", mt_sampler_indices(NULL, 0, indices, 2));
  NULL_ARG("mt_sampler_indices", "out", mt_sampler_indices(sampler, 0, NULL, 2));
  NULL_ARG("mt_data_parallel_create", "communicator",
           mt_data_parallel_create(NULL, &t, 1, 0, &unmade));
  NULL_ARG("mt_data_parallel_create", "params", mt_data_parallel_create(comm, NULL, 1, 0, &unmade));
  CHECK(unmade == SENTINEL);
  NULL_ARG("mt_data_parallel_create", "out", mt_data_parallel_create(comm, &t, 1, 0, NULL));
  NULL_ARG("mt_data_parallel_reduce_gradients", "ddp", mt_data_parallel_reduce_gradients(NULL));
  NULL_ARG("mt_data_parallel_set_no_sync", "ddp", mt_data_parallel_set_no_sync(NULL, 1));
  NULL_ARG("mt_data_parallel_bucket_count", "ddp", mt_data_parallel_bucket_count(NULL, &i64));
  NULL_ARG("mt_data_parallel_bucket_count", "out", mt_data_parallel_bucket_count(ddp, NULL));
  NULL_ARG("mt_data_parallel_set_overlap", "ddp",
           mt_data_parallel_set_overlap(NULL, MT_OVERLAP_ON));
  NULL_ARG("mt_data_parallel_overlap", "ddp", mt_data_parallel_overlap(NULL, &i32));
  NULL_ARG("mt_data_parallel_overlap", "out", mt_data_parallel_overlap(ddp, NULL));
  mt_data_parallel_release(ddp);
  mt_sampler_release(sampler);
  mt_communicator_release(comm);
}

/* Releases accept NULL (and do nothing). */
static void releases(void) {
  mt_release(NULL);
  mt_generator_release(NULL);
  mt_linear_release(NULL);
  mt_mlp_release(NULL);
  mt_optimizer_release(NULL);
  mt_communicator_release(NULL);
  mt_sampler_release(NULL);
  mt_data_parallel_release(NULL);
  mt_string_free(NULL);
  CHECK(mt_grad_enabled() == 1); /* the library is fine afterwards */
}

void test_null_args(void) {
  mt_tensor* t = TENSOR(MT_FLOAT32, DIMS(2, 2), VALUES(1, 2, 3, 4));
  CHECK_OK(mt_set_requires_grad(t, 1)); /* a parameter, for the optimizers */
  tensor_functions(t);
  view_functions(t);
  op_functions(t);
  autograd_functions(t);
  nn_functions(t);
  loss_functions(t);
  process_functions(t);
  releases();
  CHECK(i32 == -77 && i64 == -77 && f64 == -77); /* no failed call wrote its out */
  mt_release(t);
}
