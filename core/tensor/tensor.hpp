#pragma once
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

#include "base/dims.hpp"
#include "base/dtype.hpp"
#include "base/storage.hpp"

namespace mt {

namespace autograd {
class Node;
struct Recorder;
}  // namespace autograd
struct AutogradMeta;

// A strided view of a Storage: element `index` lives at byte
//   (offset + index_to_position(index, strides)) * itemsize(dtype)
// of the storage. Tensor is a handle: copies refer to the same tensor; views (permute, view,
// expand, narrow, ...) are new tensors that share the storage and keep it alive.
class Tensor {
 public:
  // An undefined tensor (a default-constructed handle); using it throws InvalidArgument.
  Tensor() = default;
  // A view of `storage`; throws when an element would fall outside it or a size is negative.
  Tensor(std::shared_ptr<Storage> storage, int64_t offset, const Dims& shape, const Dims& strides,
         DType dtype);

  // A new contiguous tensor with uninitialized elements on `device`.
  static Tensor empty(const Dims& shape, DType dtype, Device device = Device::cpu());

  bool defined() const { return impl_ != nullptr; }
  DType dtype() const { return impl().dtype; }
  Device device() const { return storage()->device(); }
  int dim() const { return impl().shape.size(); }
  const Dims& shape() const { return impl().shape; }
  const Dims& strides() const { return impl().strides; }
  int64_t offset() const { return impl().offset; }
  int64_t numel() const { return impl().numel; }
  // Size and stride of one dim; negative dims count from the end.
  int64_t size(int64_t dim) const;
  int64_t stride(int64_t dim) const;
  // Row-major with no gaps (dims of size 1 may have any stride, as in PyTorch).
  bool is_contiguous() const;
  const std::shared_ptr<Storage>& storage() const { return impl().storage; }
  bool shares_storage(const Tensor& other) const { return storage() == other.storage(); }
  // shares_storage, or storages over overlapping memory: writes to one may change the other.
  bool shares_memory(const Tensor& other) const;
  // Host address of element (0, ..., 0); throws DTypeMismatch when T is not the dtype and
  // DeviceMismatch when the tensor is not on the CPU.
  template <class T> T* data() const;
  // Address of element (0, ..., 0) on the tensor's device (a device address for CUDA).
  void* raw_data() const;

  // Throws InvalidArgument, naming `op`, when two elements of this tensor are the same memory
  // (a broadcast view, or strides that overlap: find_self_overlap): a write to one of them
  // would change another.
  void check_writable(const char* op) const;

  // Slow element access by multi-index (for tests, printing and small scalars; on a device
  // each call is a copy that waits for the device); set refuses what check_writable does.
  double get(const Dims& index) const;
  void set(const Dims& index, double value) const;
  // The value of a one-element tensor.
  double item() const;
  // Throws CaptureMisuse, naming `what`, when values cannot be read: a capture is active on
  // this thread, or the tensor was made in one (its storage is pending).
  void check_readable(const char* what) const;

  // --- Views: share storage with this tensor (defined in autograd/tensor_views.cpp: each
  // records its node). ---
  // Reorders dims: result dim i is this tensor's dim order[i].
  Tensor permute(const Dims& order) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  // Same elements in a new shape, without copying; one size may be -1 (inferred). Throws
  // ShapeMismatch when the strides make a view impossible (use reshape then).
  Tensor view(const Dims& shape) const;
  // view() where possible, else a contiguous copy in the new shape.
  Tensor reshape(const Dims& shape) const;
  // Broadcasts to `shape` (numpy's broadcast_to): size-1 dims get stride 0, new leading dims
  // are added; -1 keeps a size.
  Tensor expand(const Dims& shape) const;
  // Elements [start, start+length) along `dim`; throws IndexOutOfRange outside the dim.
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  // Python's x[..., start:stop:step, ...] along `dim`: negative bounds count from the end,
  // bounds are clamped, step >= 1.
  Tensor slice(int64_t dim, int64_t start, int64_t stop, int64_t step = 1) const;
  // x[..., index, ...]: removes `dim`; negative indices count from the end.
  Tensor select(int64_t dim, int64_t index) const;
  Tensor unsqueeze(int64_t dim) const;
  // Removes `dim`, which must have size 1.
  Tensor squeeze(int64_t dim) const;

  // --- Copies (to() is defined in autograd/functions.cpp: it records its node) ---
  // This tensor if it is already contiguous, else a contiguous copy.
  Tensor contiguous() const;
  // A contiguous copy in `dtype` on the same device (always a new tensor).
  Tensor to(DType dtype) const;
  // This tensor on `device`: itself when it is there already, else a contiguous copy there.
  // Autodiff sees the move (the gradient moves back).
  Tensor to(Device device) const;
  Tensor clone() const { return to(dtype()); }

  // --- Autodiff (autograd/) ---
  // Whether ops on this tensor record the graph that backward() walks.
  bool requires_grad() const;
  // Makes a leaf (a tensor that no recorded op made) a parameter whose gradient backward()
  // accumulates, or stops that; returns this tensor. Throws InvalidArgument for a non-leaf.
  const Tensor& set_requires_grad(bool requires_grad = true) const;
  // True when no recorded op made this tensor.
  bool is_leaf() const { return grad_fn() == nullptr; }
  // The recorded op that made this tensor (null for a leaf).
  const std::shared_ptr<autograd::Node>& grad_fn() const;
  // The gradient that backward() accumulated into this leaf (same shape and dtype); undefined
  // until a backward reaches it and after zero_grad().
  Tensor grad() const;
  // Replaces the gradient (an undefined tensor clears it); throws unless `grad` has this
  // tensor's shape and dtype.
  void set_grad(const Tensor& grad) const;
  // Clears the gradient (PyTorch's set_to_none): the next backward starts from nothing.
  void zero_grad() const;
  // Reverse-mode differentiation: walks the graph that made this tensor in topological order
  // and adds d(this)/d(leaf) . grad to the gradient of every leaf that requires grad (summed
  // over broadcasting). `grad` has this tensor's shape; it may be left out for a tensor of one
  // element (it is then 1). The graph is freed afterwards unless `retain_graph`, and a later
  // backward through a freed graph is an error. Not for concurrent use on one graph.
  void backward(const Tensor& grad = Tensor(), bool retain_graph = false) const;
  // The same elements (shared storage) outside the graph: a leaf that does not require grad.
  Tensor detach() const;
  // True when this handle is the tensor's only reference and the tensor the only user of its
  // storage, so that no one else can see a write to it (lets backward keep a gradient as is).
  bool is_sole_owner() const;
  // True when both handles refer to one tensor (not merely to equal or overlapping ones).
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }

 private:
  friend struct autograd::Recorder;  // sets grad_fn
  struct Impl {
    std::shared_ptr<Storage> storage;
    int64_t offset = 0;
    Dims shape;
    Dims strides;
    int64_t numel = 0;
    DType dtype = DType::Float32;
    std::shared_ptr<AutogradMeta> autograd;  // null until the tensor takes part in autodiff
  };
  explicit Tensor(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  const Impl& impl() const;
  void check_dtype(DType expected, const char* what) const;
  void check_on_cpu(const char* what) const;
  Tensor with_layout(int64_t offset, const Dims& shape, const Dims& strides) const;

  std::shared_ptr<Impl> impl_;
};

// numpy-like text: "tensor([[1, 2],\n        [3, 4]], dtype=float32)".
std::string to_string(const Tensor& tensor);
std::ostream& operator<<(std::ostream& out, const Tensor& tensor);

template <class T> T* Tensor::data() const {
  check_dtype(dtype_of<T>, "data<T>()");
  check_on_cpu("data<T>()");
  return static_cast<T*>(raw_data());
}

}  // namespace mt
