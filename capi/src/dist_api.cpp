// The C API of processes: communicators and collectives (minitensor.h, "Processes").
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

}  // extern "C"
