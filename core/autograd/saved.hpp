#pragma once
// A tensor a node keeps for its backward: detached (it holds no graph), with the version of
// its storage at the time, so that backward can refuse values that were overwritten since
// (an out= op or Tensor::set on the tensor or any view of it), as PyTorch does.
#include "autograd/node.hpp"
#include "base/error.hpp"

namespace mt::autograd {

class SavedTensor {
 public:
  SavedTensor() = default;
  explicit SavedTensor(const Tensor& t) : tensor_(t.detach()), version_(t.storage()->version()) {}

  // The saved values; throws InvalidArgument when they have been overwritten.
  const Tensor& get(const Node& node) const {
    const uint64_t now = tensor_.storage()->version();
    if (now != version_)
      fail(ErrorCode::InvalidArgument, "backward of ", node.name(), ": a tensor of shape ",
           tensor_.shape(), " that it saved has been written in place since it was used (",
           now - version_, " writes: out= ops or set()); recompute the forward after changing it");
    return tensor_;
  }
  void reset() { tensor_ = Tensor(); }

 private:
  Tensor tensor_;
  uint64_t version_ = 0;
};

}  // namespace mt::autograd
