#include "tensor/storage.hpp"

#include "tensor/allocator.hpp"
#include "tensor/error.hpp"

namespace mt {

std::shared_ptr<Storage> Storage::allocate(int64_t nbytes) {
  void* data = host_allocate(nbytes);
  try {
    return std::shared_ptr<Storage>(
        new Storage(data, nbytes, [nbytes](void* p) { host_free(p, nbytes); }));
  } catch (...) {
    host_free(data, nbytes);
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
