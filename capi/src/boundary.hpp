#pragma once
// The C boundary: handle structs, argument checks and the wrapper that turns every C++
// exception into a status and a thread-local message. Every mt_* entry point is one call to
// guarded().
#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "handles.hpp"
#include "minitensor/minitensor.h"
#include "mt.hpp"

// The opaque handle types of minitensor.h, each a slot of handles.hpp. A tensor handle is
// reference-counted (mt_retain, mt_release); the others have a single owner.
struct mt_tensor : mt::capi::HandleSlot<mt::Tensor, mt::capi::HandleKind::Tensor> {
  std::atomic<int64_t> refs{0};
};
struct mt_generator : mt::capi::HandleSlot<mt::Generator, mt::capi::HandleKind::Generator> {};
struct mt_linear : mt::capi::HandleSlot<mt::nn::Linear, mt::capi::HandleKind::Linear> {};
struct mt_mlp : mt::capi::HandleSlot<mt::nn::Mlp, mt::capi::HandleKind::Mlp> {};
struct mt_optimizer
    : mt::capi::HandleSlot<std::unique_ptr<mt::nn::Optimizer>, mt::capi::HandleKind::Optimizer> {};
struct mt_communicator
    : mt::capi::HandleSlot<mt::dist::Communicator, mt::capi::HandleKind::Communicator> {};
struct mt_sampler : mt::capi::HandleSlot<mt::dist::ShardedSampler, mt::capi::HandleKind::Sampler> {
};
struct mt_data_parallel
    : mt::capi::HandleSlot<mt::dist::DataParallel, mt::capi::HandleKind::DataParallel> {};
// A graph is immutable and shared with the plans compiled from it.
struct mt_graph
    : mt::capi::HandleSlot<std::shared_ptr<const mt::fusion::Graph>, mt::capi::HandleKind::Graph> {
};
struct mt_plan
    : mt::capi::HandleSlot<std::shared_ptr<const mt::fusion::Plan>, mt::capi::HandleKind::Plan> {};
namespace mt::capi {
// What an mt_function holds: the traced function and the counts its runs must give.
struct CFunction {
  CFunction(fusion::TracedFunction::Body body, int64_t inputs, int64_t outputs)
      : traced(std::move(body)), n_inputs(inputs), n_outputs(outputs) {}
  fusion::TracedFunction traced;
  int64_t n_inputs, n_outputs;
};
}  // namespace mt::capi
struct mt_function : mt::capi::HandleSlot<mt::capi::CFunction, mt::capi::HandleKind::Function> {};

namespace mt::capi {

// Whether `status` is a value of mt_status_t (which mt_status_name names).
bool is_status(mt_status_t status);
// Sets the calling thread's message (mt_last_error) and returns `status`.
mt_status_t set_error(mt_status_t status, const std::string& message);
void clear_error();

// Runs `body` (which returns void) for the C function `fn`: MT_OK when it returns, else the
// status of what it threw, with the message prefixed by the function's name.
template <class Body> mt_status_t guarded(const char* fn, Body&& body) noexcept {
  clear_error();
  try {
    body();
    return MT_OK;
  } catch (const Error& e) {
    return set_error(static_cast<mt_status_t>(e.code()), cat(fn, ": ", e.what()));
  } catch (const std::bad_alloc&) {
    return set_error(MT_ERR_OUT_OF_MEMORY, cat(fn, ": out of memory"));
  } catch (const std::exception& e) {
    return set_error(MT_ERR_INTERNAL, cat(fn, ": internal error: ", e.what()));
  } catch (...) {
    return set_error(MT_ERR_INTERNAL, cat(fn, ": internal error (unknown exception)"));
  }
}

// guarded() for the few calls that return a value instead of a status: the value of `body()`,
// or `on_error` (with the message set) when it throws.
template <class R, class Body> R guarded_value(const char* fn, R on_error, Body&& body) noexcept {
  guarded(fn, [&] { on_error = body(); });  // on failure the message is set, on_error kept
  return on_error;
}

// Throws InvalidArgument naming `what` when `p` is null.
template <class T> T* require(T* p, const char* what) {
  if (p == nullptr) fail(ErrorCode::InvalidArgument, what, " is NULL");
  return p;
}

// Throws InvalidArgument naming `what` when two out-parameters are one pointer: the second
// result would overwrite the first (and a handle stored there would leak).
void require_distinct(const void* a, const char* a_name, const void* b, const char* b_name);

// Throws InvalidArgument with not_live_message.
[[noreturn]] void fail_not_live(uint32_t tag, HandleKind kind, const char* what);

// The object behind a live handle (const for a const handle); throws for NULL and for what
// fail_not_live names.
template <class Handle> auto& live(Handle* handle, const char* what) {
  const uint32_t tag = require(handle, what)->tag.load(std::memory_order_acquire);
  if (tag != static_cast<uint32_t>(Handle::kind)) [[unlikely]]
    fail_not_live(tag, Handle::kind, what);
  return *handle->object;
}

// A new handle of type Handle holding Handle's object made from `args`.
template <class Handle, class... Args> Handle* make_handle(Args&&... args) {
  Handle* slot = HandlePool<Handle>::acquire();
  try {
    slot->object.emplace(std::forward<Args>(args)...);
  } catch (...) {
    HandlePool<Handle>::recycle(slot);
    throw;
  }
  slot->tag.store(static_cast<uint32_t>(Handle::kind), std::memory_order_release);
  return slot;
}

// What is wrong with a handle whose tag is not `kind`'s live tag, for messages.
std::string not_live_message(uint32_t tag, HandleKind kind, const char* what);

// Ends a handle: marks it released (only one caller can, so a second release, even a
// concurrent one, is seen), destroys its object and recycles the slot. False, with the calling
// thread's message set for `fn`, for a handle that is not live.
template <class Handle> bool end_handle(Handle* handle, const char* fn, const char* what) noexcept {
  uint32_t tag = static_cast<uint32_t>(Handle::kind);
  if (!handle->tag.compare_exchange_strong(tag, kReleasedTag, std::memory_order_acq_rel)) {
    try {
      set_error(MT_ERR_INVALID_ARGUMENT, cat(fn, ": ", not_live_message(tag, Handle::kind, what)));
    } catch (...) {  // no memory for the message
    }
    return false;
  }
  handle->object.reset();
  try {
    HandlePool<Handle>::recycle(handle);
  } catch (...) {  // no memory for the free lists: the slot stays unused, still reachable
  }
  return true;
}

// mt_*_release of a single-owner handle: NULL is accepted; a released handle is left alone and
// sets the calling thread's message (a release returns no status).
template <class Handle> void release_handle(Handle* handle, const char* fn, const char* what) {
  if (handle != nullptr) end_handle(handle, fn, what);
}

// The tensor behind a handle; throws for NULL and released handles.
inline const Tensor& tensor_of(const mt_tensor* handle, const char* what) {
  return live(handle, what);
}
// The tensor behind an optional handle (an undefined Tensor for NULL).
Tensor optional_tensor(const mt_tensor* handle, const char* what);
// The `count` tensors of the array `what` (a NULL entry is an error).
std::vector<Tensor> tensors_arg(mt_tensor* const* tensors, int64_t count,
                                const char* what = "params");
// A new handle (reference count 1) for `tensor`, or NULL for an undefined tensor.
mt_tensor* new_handle(Tensor tensor);
// Drops one reference (mt_release); refuses a placeholder of the active capture.
void release_tensor(mt_tensor* handle) noexcept;
// Whether `handle` is an input placeholder given out in the capture active on this thread
// (mt_capture_input, a traced function's body; capture_api.cpp), which mt_release refuses.
bool is_capture_placeholder(const mt_tensor* handle) noexcept;
// Registers a placeholder handle of the active capture; the registry is cleared when the capture
// ends (clear_capture_placeholders).
void add_capture_placeholder(const mt_tensor* handle);
void clear_capture_placeholders() noexcept;
// Throws unless n_inputs >= 0 and n_outputs >= 0.
void require_counts(int64_t n_inputs, int64_t n_outputs);
// Checks the counts of a run of `what` ("the plan"), which takes `takes` inputs and gives `gives`
// outputs, before either array is read: a wrong count would read past it.
void check_run_counts(const char* what, int64_t n_inputs, int64_t takes, int64_t n_outputs,
                      int64_t gives);
// Stores a new handle for each result in `outputs` (checked before the work began: a run that
// updates state in place must not fail after it); every handle is made before any is stored,
// so a failure leaves `outputs` untouched.
void give_all(mt_tensor** outputs, std::span<const Tensor> results);
// A handle made during a call and not yet given to the caller: released if the call fails.
using PendingHandle = std::unique_ptr<mt_tensor, decltype(&release_tensor)>;
inline PendingHandle pending(Tensor tensor) {
  return PendingHandle(new_handle(std::move(tensor)), &release_tensor);
}
// Stores a new handle in *out; `out` was checked before the work began (require).
inline void give(mt_tensor** out, Tensor tensor) { *out = new_handle(std::move(tensor)); }

// The generator behind an optional handle (NULL: the default generator).
inline Generator& generator_arg(mt_generator* generator) {
  return generator ? live(generator, "generator") : default_generator();
}

// Checked conversions of C enum values and arrays.
DType dtype_arg(mt_dtype_t dtype);
UnaryOp unary_arg(mt_map_op_t op);
BinaryOp binary_arg(mt_zip_op_t op);
ReduceOp reduce_arg(mt_reduce_op_t op);
nn::Reduction reduction_arg(mt_reduction_t reduction);
dist::AllReduceMode all_reduce_mode_arg(mt_all_reduce_mode_t mode);
// `count` values of `values` ("shape", "dims", ...): 0 <= count <= MT_MAX_RANK, and `values`
// may be NULL only when count is 0.
Dims dims_arg(const int64_t* values, int32_t count, const char* what);
// A malloc'd copy of `text` for the caller to free with mt_string_free.
char* malloc_string(const std::string& text);

}  // namespace mt::capi
