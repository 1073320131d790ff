// Views: new shapes and strides over the same storage. Tensor members (tensor/tensor.hpp),
// defined here because each view records its graph node.
#include <optional>

#include "autograd/record.hpp"
#include "base/error.hpp"
#include "base/index.hpp"
#include "ops/creation.hpp"
#include "ops/tensor_ops.hpp"
#include "tensor/tensor.hpp"

namespace mt {
namespace {

// `shape` with its -1 (at most one) replaced so that it holds `numel` elements; throws when
// no such size exists.
Dims infer_shape(const Dims& shape, int64_t numel, const Dims& from) {
  Dims out = shape;
  int inferred = -1;
  int64_t known = 1;
  for (int d = 0; d < shape.size(); ++d) {
    if (shape[d] == -1) {
      if (inferred >= 0) fail(ErrorCode::InvalidArgument, "shape ", shape, " has more than one -1");
      inferred = d;
    } else if (shape[d] < 0) {
      fail(ErrorCode::InvalidArgument, "invalid size ", shape[d], " in shape ", shape);
    } else {
      known = checked_mul(known, shape[d], "view shape");
    }
  }
  if (inferred >= 0) {
    if (known == 0 || numel % known != 0)
      fail(ErrorCode::ShapeMismatch, "cannot view a tensor of shape ", from, " (", numel,
           " elements) as shape ", shape);
    out[inferred] = numel / known;
  } else if (known != numel) {
    fail(ErrorCode::ShapeMismatch, "cannot view a tensor of shape ", from, " (", numel,
         " elements) as shape ", shape, " (", known, " elements)");
  }
  return out;
}

// Strides that give `new_shape` the elements of (old_shape, old_strides) in row-major order
// without a copy, or nothing when none exist. Old dims are walked from the back in chunks
// that are contiguous among themselves; each chunk must be exactly covered by a run of new
// dims, which then take strides stepping through the chunk (PyTorch's computeStride).
std::optional<Dims> view_strides(const Dims& old_shape, const Dims& old_strides,
                                 const Dims& new_shape) {
  Dims new_strides = new_shape;
  int view_d = new_shape.size() - 1;
  int64_t chunk_base_stride = old_strides[old_shape.size() - 1];
  int64_t tensor_numel = 1, view_numel = 1;
  for (int d = old_shape.size() - 1; d >= 0; --d) {
    tensor_numel *= old_shape[d];
    const bool chunk_ends =
        d == 0 || (old_shape[d - 1] != 1 && old_strides[d - 1] != tensor_numel * chunk_base_stride);
    if (!chunk_ends) continue;
    while (view_d >= 0 && (view_numel < tensor_numel || new_shape[view_d] == 1)) {
      new_strides[view_d] = view_numel * chunk_base_stride;
      view_numel *= new_shape[view_d];
      --view_d;
    }
    if (view_numel != tensor_numel) return std::nullopt;
    if (d > 0) {
      chunk_base_stride = old_strides[d - 1];
      tensor_numel = view_numel = 1;
    }
  }
  if (view_d != -1) return std::nullopt;
  return new_strides;
}

// Strides for viewing this tensor as `shape` (already inferred), if a view exists.
std::optional<Dims> strides_for_view(const Tensor& t, const Dims& shape) {
  // Contiguous (which includes rank 0 and empty tensors): the row-major strides always work.
  if (t.is_contiguous()) return contiguous_strides(shape);
  return view_strides(t.shape(), t.strides(), shape);
}

// The gradient of a view that picks some elements of a tensor of `shape` (narrow, slice,
// select): zeros, with `grad` written into the same view of them.
template <class View> Tensor embed_grad(const Tensor& grad, const Dims& shape, View&& view) {
  const Tensor out = zeros(shape, grad.dtype());
  map_out(UnaryOp::Id, grad, view(out));
  return out;
}

autograd::GradFn reshape_grad(const Dims& shape) {
  return [shape](const Tensor& grad) { return grad.reshape(shape); };
}

}  // namespace

Tensor Tensor::permute(const Dims& order) const {
  if (order.size() != dim())
    fail(ErrorCode::InvalidArgument, "permute: order ", order, " has ", order.size(),
         " entries for a tensor of rank ", dim());
  Dims shape = this->shape(), strides = this->strides();
  Dims seen = Dims::filled(dim(), 0), inverse = Dims::filled(dim(), 0);
  for (int d = 0; d < dim(); ++d) {
    const int from = normalize_dim(order[d], dim());
    if (seen[from]++)
      fail(ErrorCode::InvalidArgument, "permute: order ", order, " is not a permutation");
    shape[d] = this->shape()[from];
    strides[d] = this->strides()[from];
    inverse[from] = d;
  }
  return autograd::record_unary("permute", *this, with_layout(offset(), shape, strides),
                                [inverse](const Tensor& grad) { return grad.permute(inverse); });
}

Tensor Tensor::transpose(int64_t dim0, int64_t dim1) const {
  Dims order = Dims::filled(dim(), 0);
  for (int d = 0; d < dim(); ++d)
    order[d] = d;
  std::swap(order[normalize_dim(dim0, dim())], order[normalize_dim(dim1, dim())]);
  return permute(order);
}

Tensor Tensor::view(const Dims& shape) const {
  const Dims target = infer_shape(shape, numel(), this->shape());
  const std::optional<Dims> strides = strides_for_view(*this, target);
  if (!strides)
    fail(ErrorCode::ShapeMismatch, "view: a tensor of shape ", this->shape(), " and strides ",
         this->strides(), " cannot be viewed as shape ", target, " without a copy; use reshape()");
  return autograd::record_unary("view", *this, with_layout(offset(), target, *strides),
                                reshape_grad(this->shape()));
}

Tensor Tensor::reshape(const Dims& shape) const {
  const Dims target = infer_shape(shape, numel(), this->shape());
  const std::optional<Dims> strides = strides_for_view(*this, target);
  if (strides)
    return autograd::record_unary("reshape", *this, with_layout(offset(), target, *strides),
                                  reshape_grad(this->shape()));
  return contiguous().view(target);  // both record
}

Tensor Tensor::expand(const Dims& shape) const {
  if (shape.size() < dim())
    fail(ErrorCode::ShapeMismatch, "expand: cannot broadcast shape ", this->shape(), " to ", shape,
         " of lower rank");
  const int lead = shape.size() - dim();
  Dims out_shape = shape;
  Dims out_strides = Dims::filled(shape.size(), 0);  // new leading dims repeat: stride 0
  for (int d = 0; d < shape.size(); ++d) {
    const bool existing = d >= lead;
    if (shape[d] < (existing ? -1 : 0))
      fail(ErrorCode::InvalidArgument, "expand: invalid size ", shape[d], " in shape ", shape);
    if (!existing) continue;
    const int64_t size = this->shape()[d - lead];
    if (shape[d] == -1 || shape[d] == size) {
      out_shape[d] = size;
      out_strides[d] = strides()[d - lead];
    } else if (size != 1) {
      fail(ErrorCode::ShapeMismatch, "expand: cannot broadcast shape ", this->shape(), " to ",
           shape, " (size ", size, " vs ", shape[d], ")");
    }
  }
  // The engine sums the gradient back over the broadcast dims.
  return autograd::record_unary("expand", *this, with_layout(offset(), out_shape, out_strides),
                                [](const Tensor& grad) { return grad; });
}

Tensor Tensor::narrow(int64_t dim, int64_t start, int64_t length) const {
  const int d = normalize_dim(dim, this->dim());
  const int64_t size = shape()[d];
  if (start < -size || start > size)
    fail(ErrorCode::IndexOutOfRange, "narrow: start ", start, " is out of range for dim ", dim,
         " of size ", size);
  if (start < 0) start += size;
  if (length < 0 || length > size - start)
    fail(ErrorCode::IndexOutOfRange, "narrow: length ", length, " from start ", start,
         " does not fit in dim ", dim, " of size ", size);
  Dims out_shape = shape();
  out_shape[d] = length;
  return autograd::record_unary(
      "narrow", *this, with_layout(offset() + start * strides()[d], out_shape, strides()),
      [shape = shape(), d, start, length](const Tensor& grad) {
        return embed_grad(grad, shape, [&](const Tensor& t) { return t.narrow(d, start, length); });
      });
}

Tensor Tensor::slice(int64_t dim, int64_t start, int64_t stop, int64_t step) const {
  const int d = normalize_dim(dim, this->dim());
  if (step < 1) fail(ErrorCode::InvalidArgument, "slice: step must be positive, not ", step);
  const int64_t size = shape()[d];
  // Python's rules: negative bounds count from the end, then both are clamped to [0, size].
  const auto clamp = [size](int64_t bound) {
    if (bound < 0) bound = bound < -size ? 0 : bound + size;
    return bound > size ? size : bound;
  };
  start = clamp(start);
  stop = clamp(stop);
  const int64_t length = stop > start ? (stop - start - 1) / step + 1 : 0;
  Dims out_shape = shape(), out_strides = strides();
  out_shape[d] = length;
  // With two or more elements the stepped stride stays inside the storage; with fewer it is
  // irrelevant, so a huge step (x[::2**62]) cannot overflow it.
  if (length > 1) out_strides[d] = checked_mul(strides()[d], step, "slice stride");
  return autograd::record_unary(
      "slice", *this,
      with_layout(offset() + (length > 0 ? start * strides()[d] : 0), out_shape, out_strides),
      [shape = shape(), d, start, stop, step](const Tensor& grad) {
        return embed_grad(grad, shape,
                          [&](const Tensor& t) { return t.slice(d, start, stop, step); });
      });
}

Tensor Tensor::select(int64_t dim, int64_t index) const {
  const int d = normalize_dim(dim, this->dim());
  const int64_t size = shape()[d];
  if (index < -size || index >= size)
    fail(ErrorCode::IndexOutOfRange, "select: index ", index, " is out of range for dim ", dim,
         " of size ", size);
  if (index < 0) index += size;
  Dims out_shape = shape(), out_strides = strides();
  out_shape.erase(d);
  out_strides.erase(d);
  return autograd::record_unary(
      "select", *this, with_layout(offset() + index * strides()[d], out_shape, out_strides),
      [shape = shape(), d, index](const Tensor& grad) {
        return embed_grad(grad, shape, [&](const Tensor& t) { return t.select(d, index); });
      });
}

Tensor Tensor::unsqueeze(int64_t dim) const {
  const int d = normalize_dim(dim, this->dim() + 1);
  Dims out_shape = shape(), out_strides = strides();
  // Any stride works for a size-1 dim; this one keeps a contiguous tensor contiguous.
  const int64_t stride = d < this->dim() ? shape()[d] * strides()[d] : 1;
  out_shape.insert(d, 1);
  out_strides.insert(d, stride);
  return autograd::record_unary("unsqueeze", *this, with_layout(offset(), out_shape, out_strides),
                                [d](const Tensor& grad) { return grad.squeeze(d); });
}

Tensor Tensor::squeeze(int64_t dim) const {
  const int d = normalize_dim(dim, this->dim());
  if (shape()[d] != 1)
    fail(ErrorCode::ShapeMismatch, "squeeze: dim ", dim, " of shape ", shape(), " has size ",
         shape()[d], ", not 1");
  Dims out_shape = shape(), out_strides = strides();
  out_shape.erase(d);
  out_strides.erase(d);
  return autograd::record_unary("squeeze", *this, with_layout(offset(), out_shape, out_strides),
                                [d](const Tensor& grad) { return grad.unsqueeze(d); });
}

}  // namespace mt
