#include "tensor/storage.hpp"

#include <cstdlib>

#include "tensor/error.hpp"

namespace mt {

namespace {
constexpr int64_t kAlignment = 64;  // a cache line, and a full AVX-512 vector
}

std::shared_ptr<Storage> Storage::allocate(int64_t nbytes) {
  if (nbytes < 0)
    fail(ErrorCode::InvalidArgument, "cannot allocate a negative size (", nbytes, ")");
  if (nbytes > INT64_MAX - kAlignment)
    fail(ErrorCode::OutOfMemory, "cannot allocate ", nbytes, " bytes");
  // aligned_alloc wants a multiple of the alignment; a zero-size storage still gets a pointer.
  const int64_t rounded = (nbytes + kAlignment - 1) / kAlignment * kAlignment;
  void* data =
      std::aligned_alloc(kAlignment, static_cast<size_t>(rounded > 0 ? rounded : kAlignment));
  if (data == nullptr) fail(ErrorCode::OutOfMemory, "cannot allocate ", nbytes, " bytes");
  try {
    return std::shared_ptr<Storage>(new Storage(data, nbytes, [](void* p) { std::free(p); }));
  } catch (...) {
    std::free(data);
    throw;
  }
}

std::shared_ptr<Storage> Storage::wrap(void* data, int64_t nbytes, Deleter deleter) {
  if (nbytes < 0) fail(ErrorCode::InvalidArgument, "negative buffer size ", nbytes);
  if (data == nullptr && nbytes > 0)
    fail(ErrorCode::InvalidArgument, "null buffer of ", nbytes, " bytes");
  return std::shared_ptr<Storage>(new Storage(data, nbytes, std::move(deleter)));
}

Storage::~Storage() {
  if (deleter_) deleter_(data_);
}

}  // namespace mt
