#pragma once
// The C boundary: handle structs, argument checks and the wrapper that turns every C++
// exception into a status and a thread-local message. Every mt_* entry point is one call to
// guarded().
#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <new>
#include <string>

#include "minitensor/minitensor.h"
#include "mt.hpp"

// The opaque handle types of minitensor.h. A tensor handle is reference-counted (mt_retain,
// mt_release); the others have a single owner.
struct mt_tensor {
  explicit mt_tensor(mt::Tensor t) : tensor(std::move(t)) {}
  std::atomic<int64_t> refs{1};
  mt::Tensor tensor;
};
struct mt_generator {
  explicit mt_generator(uint64_t seed) : generator(seed) {}
  mt::Generator generator;
};
struct mt_linear {
  mt::nn::Linear layer;
};
struct mt_mlp {
  mt::nn::Mlp model;
};
struct mt_optimizer {
  std::unique_ptr<mt::nn::Optimizer> optimizer;
};

namespace mt::capi {

// Sets the calling thread's message (mt_last_error) and returns `status`.
int32_t set_error(int32_t status, const std::string& message);
void clear_error();

// Runs `body` (which returns void) for the C function `fn`: MT_OK when it returns, else the
// status of what it threw, with the message prefixed by the function's name.
template <class Body> int32_t guarded(const char* fn, Body&& body) noexcept {
  clear_error();
  try {
    body();
    return MT_OK;
  } catch (const Error& e) {
    return set_error(static_cast<int32_t>(e.code()), cat(fn, ": ", e.what()));
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

// The tensor behind a handle; throws for NULL.
const Tensor& tensor_of(const mt_tensor* handle, const char* what);
// The tensor behind an optional handle (an undefined Tensor for NULL).
Tensor optional_tensor(const mt_tensor* handle);
// A new handle (reference count 1) for `tensor`, or NULL for an undefined tensor.
mt_tensor* new_handle(Tensor tensor);
// Stores a new handle in *out; `out` was checked before the work began (require).
inline void give(mt_tensor** out, Tensor tensor) { *out = new_handle(std::move(tensor)); }

// The generator behind an optional handle (NULL: the default generator).
inline Generator& generator_arg(mt_generator* generator) {
  return generator ? generator->generator : default_generator();
}

// Checked conversions of C enum values and arrays.
DType dtype_arg(int32_t dtype);
UnaryOp unary_arg(int32_t op);
BinaryOp binary_arg(int32_t op);
ReduceOp reduce_arg(int32_t op);
nn::Reduction reduction_arg(int32_t reduction);
// `count` values of `values` ("shape", "dims", ...): 0 <= count <= MT_MAX_RANK, and `values`
// may be NULL only when count is 0.
Dims dims_arg(const int64_t* values, int32_t count, const char* what);
// A malloc'd copy of `text` for the caller to free with mt_string_free.
char* malloc_string(const std::string& text);

}  // namespace mt::capi
