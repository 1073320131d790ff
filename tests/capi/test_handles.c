/* Handle misuse: a handle used after its final release, released twice, or passed as another
 * kind (processes' handles included) is an error with a message (never a crash or a double
 * free), and functions with two out-parameters refuse one pointer for both. */
#include <string.h>

#include "check.h"
#include "suites.h"

static void tensor_used_after_release(void) {
  mt_tensor* a = VEC(MT_FLOAT32, 1, 2, 3);
  mt_tensor* b = VEC(MT_FLOAT32, 4, 5, 6);
  mt_tensor *c = NULL, *view = NULL;
  int32_t ndim = -1;
  double value = -1;
  CHECK_OK(mt_narrow(a, 0, 1, 2, &view));
  mt_release(a);
  CHECK_ERR(mt_ndim(a, &ndim), MT_ERR_INVALID_ARGUMENT, "mt_ndim",
            "tensor is a released mt_tensor handle", "mt_release freed it");
  CHECK(ndim == -1);
  CHECK_ERR_OUT(mt_zip(MT_ZIP_ADD, b, a, OUT), MT_ERR_INVALID_ARGUMENT, "mt_zip",
                "b is a released");
  CHECK_ERR(mt_item(a, &value), MT_ERR_INVALID_ARGUMENT, "mt_item", "released");
  CHECK_ERR(mt_retain(a), MT_ERR_INVALID_ARGUMENT, "mt_retain", "released");
  CHECK_ERR(mt_backward(b, a, 0), MT_ERR_INVALID_ARGUMENT, "mt_backward", "grad is a released");
  CHECK(mt_grad_fn_name(a) == NULL);
  CHECK_CONTAINS(mt_last_error(), "mt_grad_fn_name: tensor is a released");
  /* The view is a handle of its own and keeps the memory. */
  CHECK_TENSOR(view, DIMS(2), VALUES(2, 3));
  CHECK_OK(mt_zip(MT_ZIP_ADD, view, view, &c));
  CHECK_TENSOR(c, DIMS(2), VALUES(4, 6));
  RELEASE(b, c, view);
}

static void tensor_released_twice(void) {
  mt_tensor* a = VEC(MT_FLOAT64, 1);
  mt_tensor* b = NULL;
  int i;
  CHECK_OK(mt_retain(a));
  mt_release(a); /* one reference left */
  CHECK_STR(mt_last_error(), "");
  CHECK_TENSOR(a, DIMS(1), VALUES(1));
  mt_release(a); /* the last */
  mt_release(a); /* twice: nothing happens but a message */
  CHECK_CONTAINS(mt_last_error(), "mt_release: tensor is a released mt_tensor handle");
  /* A release does not clear a message it has no news for: cleanup before printing works. */
  b = VEC(MT_FLOAT64, 2);
  CHECK_ERR(mt_ndim(NULL, NULL), MT_ERR_INVALID_ARGUMENT, "tensor is NULL");
  mt_release(b);
  CHECK_CONTAINS(mt_last_error(), "mt_ndim: tensor is NULL");
  /* A released slot waits for many later releases before its reuse, so the stale handle still
   * reads as released after some churn. */
  for (i = 0; i < 200; ++i) {
    b = VEC(MT_FLOAT64, i);
    mt_release(b);
  }
  CHECK_ERR(mt_numel(a, &(int64_t){0}), MT_ERR_INVALID_ARGUMENT, "released");
}

static void other_handles_released(void) {
  mt_generator* g = NULL;
  mt_linear* layer = NULL;
  mt_mlp* model = NULL;
  mt_optimizer* opt = NULL;
  mt_tensor *w = NULL, *x = NULL;
  int32_t count = -1;
  CHECK_OK(mt_generator_create(1, &g));
  CHECK_OK(mt_linear_create(2, 3, MT_FLOAT32, 1, g, &layer));
  CHECK_OK(mt_mlp_create(I64(2, 4, 1), 3, MT_FLOAT32, g, &model));
  CHECK_OK(mt_linear_weight(layer, &w));
  CHECK_OK(mt_sgd_create(&w, 1, 0.1, 0, 0, 0, &opt));
  mt_generator_release(g);
  CHECK_ERR(mt_manual_seed(g, 3), MT_ERR_INVALID_ARGUMENT, "mt_manual_seed",
            "generator is a released mt_generator handle", "mt_generator_release");
  CHECK_ERR_OUT(mt_rand(DIMS(2), MT_FLOAT32, 0, 1, g, OUT), MT_ERR_INVALID_ARGUMENT, "mt_rand",
                "released");
  mt_generator_release(g);
  CHECK_CONTAINS(mt_last_error(), "mt_generator_release: generator is a released");
  mt_linear_release(layer);
  x = VEC(MT_FLOAT32, 1, 2);
  CHECK_ERR_OUT(mt_linear_forward(layer, x, OUT), MT_ERR_INVALID_ARGUMENT, "mt_linear_forward",
                "layer is a released mt_linear handle");
  mt_linear_release(layer);
  CHECK_CONTAINS(mt_last_error(), "mt_linear_release: layer is a released");
  mt_mlp_release(model);
  CHECK_ERR(mt_mlp_parameter_count(model, &count), MT_ERR_INVALID_ARGUMENT,
            "mt_mlp_parameter_count", "model is a released mt_mlp handle");
  CHECK(count == -1);
  mt_mlp_release(model);
  CHECK_CONTAINS(mt_last_error(), "mt_mlp_release: model is a released");
  mt_optimizer_release(opt);
  CHECK_ERR(mt_optimizer_step(opt), MT_ERR_INVALID_ARGUMENT, "mt_optimizer_step",
            "optimizer is a released mt_optimizer handle");
  mt_optimizer_release(opt);
  CHECK_CONTAINS(mt_last_error(), "mt_optimizer_release: optimizer is a released");
  /* The layer's weight outlived the layer and the optimizer. */
  CHECK_SHAPE(w, DIMS(3, 2));
  RELEASE(w, x);
}

/* A handle of one kind cast to another is named for what it is. */
static void handles_of_another_kind(void) {
  mt_linear* layer = NULL;
  mt_tensor* t = VEC(MT_FLOAT32, 1);
  int32_t ndim = -1;
  CHECK_OK(mt_linear_create(2, 3, MT_FLOAT32, 1, NULL, &layer));
  CHECK_ERR(mt_ndim((mt_tensor*)(void*)layer, &ndim), MT_ERR_INVALID_ARGUMENT, "mt_ndim",
            "tensor is an mt_linear handle, not an mt_tensor");
  CHECK_ERR(mt_optimizer_step((mt_optimizer*)(void*)t), MT_ERR_INVALID_ARGUMENT,
            "optimizer is an mt_tensor handle, not an mt_optimizer");
  mt_mlp_release((mt_mlp*)(void*)layer); /* refused: the layer stays */
  CHECK_CONTAINS(mt_last_error(), "mt_mlp_release: model is an mt_linear handle");
  mt_linear_release(layer);
  mt_release(t);
}

/* The handles of processes: used after their release, released twice, or of another kind. */
static void process_handles(void) {
  mt_communicator* comm = NULL;
  mt_sampler* sampler = NULL;
  mt_data_parallel* ddp = NULL;
  mt_tensor* t = VEC(MT_FLOAT32, 1, 2);
  int32_t rank = -1;
  int64_t steps = -1;
  CHECK_OK(mt_communicator_from_environment(&comm));
  CHECK_OK(mt_sampler_create(4, 2, 1, 0, 0, &sampler));
  CHECK_OK(mt_data_parallel_create(comm, &t, 1, 0, &ddp));
  CHECK_ERR(mt_barrier((mt_communicator*)(void*)t), MT_ERR_INVALID_ARGUMENT, "mt_barrier",
            "communicator is an mt_tensor handle, not an mt_communicator");
  CHECK_ERR(mt_sampler_steps((const mt_sampler*)(void*)comm, &steps), MT_ERR_INVALID_ARGUMENT,
            "mt_sampler_steps", "sampler is an mt_communicator handle, not an mt_sampler");
  CHECK_ERR(mt_data_parallel_reduce_gradients((mt_data_parallel*)(void*)sampler),
            MT_ERR_INVALID_ARGUMENT, "mt_data_parallel_reduce_gradients",
            "ddp is an mt_sampler handle, not an mt_data_parallel");
  mt_sampler_release((mt_sampler*)(void*)ddp); /* refused: DDP stays */
  CHECK_CONTAINS(mt_last_error(), "mt_sampler_release: sampler is an mt_data_parallel handle");
  CHECK_OK(mt_data_parallel_set_no_sync(ddp, 1));
  /* DDP keeps the world it was made in: it outlives the communicator's handle. */
  mt_communicator_release(comm);
  CHECK_ERR(mt_communicator_rank(comm, &rank), MT_ERR_INVALID_ARGUMENT, "mt_communicator_rank",
            "communicator is a released mt_communicator handle",
            "mt_communicator_release freed it");
  CHECK_ERR(mt_barrier(comm), MT_ERR_INVALID_ARGUMENT, "mt_barrier", "released");
  CHECK_ERR_OUT(mt_all_gather(comm, t, OUT), MT_ERR_INVALID_ARGUMENT, "mt_all_gather", "released");
  mt_communicator_release(comm);
  CHECK_CONTAINS(mt_last_error(), "mt_communicator_release: communicator is a released");
  CHECK_OK(mt_data_parallel_reduce_gradients(ddp));
  mt_data_parallel_release(ddp);
  CHECK_ERR(mt_data_parallel_set_no_sync(ddp, 0), MT_ERR_INVALID_ARGUMENT,
            "mt_data_parallel_set_no_sync", "ddp is a released mt_data_parallel handle",
            "mt_data_parallel_release freed it");
  mt_data_parallel_release(ddp);
  CHECK_CONTAINS(mt_last_error(), "mt_data_parallel_release: ddp is a released");
  mt_sampler_release(sampler);
  CHECK_ERR(mt_sampler_steps(sampler, &steps), MT_ERR_INVALID_ARGUMENT, "mt_sampler_steps",
            "sampler is a released mt_sampler handle", "mt_sampler_release freed it");
  mt_sampler_release(sampler);
  CHECK_CONTAINS(mt_last_error(), "mt_sampler_release: sampler is a released");
  CHECK(rank == -1 && steps == -1);
  mt_release(t);
}

/* Two out-parameters given one pointer: the second result would overwrite (and leak) the first. */
static void aliased_outs(void) {
  mt_tensor* same = SENTINEL;
  mt_tensor* t = VEC(MT_FLOAT32, 1);
  int32_t both = -7;
  int64_t stats = -7;
  CHECK_ERR(mt_dataset(MT_DATASET_XOR, 10, 1, MT_FLOAT32, &same, &same), MT_ERR_INVALID_ARGUMENT,
            "mt_dataset", "x and y are the same pointer");
  CHECK(same == SENTINEL);
  CHECK_ERR(mt_device(t, &both, &both), MT_ERR_INVALID_ARGUMENT, "mt_device",
            "type and index are the same pointer");
  CHECK(both == -7);
  CHECK_ERR(mt_cuda_memory_stats(0, &stats, &stats), MT_ERR_INVALID_ARGUMENT,
            "mt_cuda_memory_stats", "in_use and cached are the same pointer");
  CHECK(stats == -7);
  mt_release(t);
}

void test_handles(void) {
  tensor_used_after_release();
  tensor_released_twice();
  other_handles_released();
  handles_of_another_kind();
  process_handles();
  aliased_outs();
}
