// The C API of processes: communicators, collectives, the sharded sampler and data parallelism
// (minitensor.h, "Processes").
#include <algorithm>

#include "boundary.hpp"

using namespace mt;
using namespace mt::capi;

extern "C" {

mt_status_t mt_communicator_from_environment(mt_communicator** out) {
  return guarded("mt_communicator_from_environment", [&] {
    require(out, "out");
    *out = make_handle<mt_communicator>(dist::Communicator::from_environment());
  });
}

void mt_communicator_release(mt_communicator* communicator) {
  release_handle(communicator, "mt_communicator_release", "communicator");
}

mt_status_t mt_communicator_rank(const mt_communicator* communicator, int32_t* out) {
  return guarded("mt_communicator_rank", [&] {
    const dist::Communicator& c = live(communicator, "communicator");
    *require(out, "out") = c.rank();
  });
}

mt_status_t mt_communicator_size(const mt_communicator* communicator, int32_t* out) {
  return guarded("mt_communicator_size", [&] {
    const dist::Communicator& c = live(communicator, "communicator");
    *require(out, "out") = c.size();
  });
}

mt_status_t mt_communicator_local_rank(const mt_communicator* communicator, int32_t* out) {
  return guarded("mt_communicator_local_rank", [&] {
    const dist::Communicator& c = live(communicator, "communicator");
    *require(out, "out") = c.local_rank();
  });
}

mt_status_t mt_communicator_engine(const mt_communicator* communicator, char** out) {
  return guarded("mt_communicator_engine", [&] {
    const dist::Communicator& c = live(communicator, "communicator");
    require(out, "out");
    *out = malloc_string(c.engine());
  });
}

mt_status_t mt_communicator_timeout(const mt_communicator* communicator, double* out) {
  return guarded("mt_communicator_timeout", [&] {
    const dist::Communicator& c = live(communicator, "communicator");
    *require(out, "out") = c.timeout();
  });
}

mt_status_t mt_communicator_set_timeout(mt_communicator* communicator, double seconds) {
  return guarded("mt_communicator_set_timeout",
                 [&] { live(communicator, "communicator").set_timeout(seconds); });
}

mt_status_t mt_all_reduce(mt_communicator* communicator, mt_tensor* tensor, mt_reduce_op_t op,
                          mt_all_reduce_mode_t mode) {
  return guarded("mt_all_reduce", [&] {
    const dist::Communicator& c = live(communicator, "communicator");
    const Tensor& t = tensor_of(tensor, "tensor");
    c.all_reduce(t, reduce_arg(op), all_reduce_mode_arg(mode));
  });
}

mt_status_t mt_broadcast(mt_communicator* communicator, mt_tensor* tensor, int32_t root) {
  return guarded("mt_broadcast", [&] {
    const dist::Communicator& c = live(communicator, "communicator");
    c.broadcast(tensor_of(tensor, "tensor"), root);
  });
}

mt_status_t mt_all_gather(mt_communicator* communicator, const mt_tensor* tensor, mt_tensor** out) {
  return guarded("mt_all_gather", [&] {
    const dist::Communicator& c = live(communicator, "communicator");
    const Tensor& t = tensor_of(tensor, "tensor");
    require(out, "out");
    give(out, c.all_gather(t));
  });
}

mt_status_t mt_barrier(mt_communicator* communicator) {
  return guarded("mt_barrier", [&] { live(communicator, "communicator").barrier(); });
}

mt_status_t mt_sampler_create(int64_t dataset_size, int64_t global_batch, int32_t world_size,
                              int32_t rank, uint64_t seed, mt_sampler** out) {
  return guarded("mt_sampler_create", [&] {
    require(out, "out");
    *out = make_handle<mt_sampler>(dataset_size, global_batch, world_size, rank, seed);
  });
}

void mt_sampler_release(mt_sampler* sampler) {
  release_handle(sampler, "mt_sampler_release", "sampler");
}

mt_status_t mt_sampler_steps(const mt_sampler* sampler, int64_t* out) {
  return guarded("mt_sampler_steps", [&] {
    const dist::ShardedSampler& s = live(sampler, "sampler");
    *require(out, "out") = s.steps();
  });
}

mt_status_t mt_sampler_local_batch(const mt_sampler* sampler, int64_t* out) {
  return guarded("mt_sampler_local_batch", [&] {
    const dist::ShardedSampler& s = live(sampler, "sampler");
    *require(out, "out") = s.local_batch();
  });
}

mt_status_t mt_sampler_set_epoch(mt_sampler* sampler, int64_t epoch) {
  return guarded("mt_sampler_set_epoch", [&] { live(sampler, "sampler").set_epoch(epoch); });
}

mt_status_t mt_sampler_indices(const mt_sampler* sampler, int64_t step, int64_t* out,
                               int64_t count) {
  return guarded("mt_sampler_indices", [&] {
    const dist::ShardedSampler& s = live(sampler, "sampler");
    require(out, "out");
    if (count != s.local_batch())
      fail(ErrorCode::InvalidArgument, "count ", count, " is not the local batch ",
           s.local_batch());
    const std::span<const int64_t> indices = s.indices(step);
    std::copy(indices.begin(), indices.end(), out);
  });
}

mt_status_t mt_data_parallel_create(mt_communicator* communicator, mt_tensor* const* params,
                                    int32_t count, int64_t bucket_bytes, mt_data_parallel** out) {
  return guarded("mt_data_parallel_create", [&] {
    const dist::Communicator& c = live(communicator, "communicator");
    std::vector<Tensor> parameters = tensors_arg(params, count);
    require(out, "out");
    if (bucket_bytes < 0)
      fail(ErrorCode::InvalidArgument, "bucket_bytes ", bucket_bytes, " is negative");
    *out = make_handle<mt_data_parallel>(c, std::move(parameters), bucket_bytes);
  });
}

void mt_data_parallel_release(mt_data_parallel* ddp) {
  release_handle(ddp, "mt_data_parallel_release", "ddp");
}

mt_status_t mt_data_parallel_reduce_gradients(mt_data_parallel* ddp) {
  return guarded("mt_data_parallel_reduce_gradients", [&] { live(ddp, "ddp").reduce_gradients(); });
}

mt_status_t mt_data_parallel_set_no_sync(mt_data_parallel* ddp, int32_t no_sync) {
  return guarded("mt_data_parallel_set_no_sync",
                 [&] { live(ddp, "ddp").set_no_sync(no_sync != 0); });
}

mt_status_t mt_data_parallel_bucket_count(const mt_data_parallel* ddp, int64_t* out) {
  return guarded("mt_data_parallel_bucket_count", [&] {
    const dist::DataParallel& d = live(ddp, "ddp");
    *require(out, "out") = d.bucket_count();
  });
}

static_assert(MT_OVERLAP_AUTO == int(dist::Overlap::Auto) &&
              MT_OVERLAP_OFF == int(dist::Overlap::Off) && MT_OVERLAP_ON == int(dist::Overlap::On));

mt_status_t mt_data_parallel_set_overlap(mt_data_parallel* ddp, mt_overlap_t mode) {
  return guarded("mt_data_parallel_set_overlap",
                 [&] { live(ddp, "ddp").set_overlap(static_cast<dist::Overlap>(mode)); });
}

mt_status_t mt_data_parallel_overlap(const mt_data_parallel* ddp, int32_t* out) {
  return guarded("mt_data_parallel_overlap", [&] {
    const dist::DataParallel& d = live(ddp, "ddp");
    *require(out, "out") = d.overlap() ? 1 : 0;
  });
}

}  // extern "C"
