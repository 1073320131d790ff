#include "base/index.hpp"

#include "base/error.hpp"

namespace mt {

Dims shape_broadcast(const Dims& a, const Dims& b) {
  const Dims& longer = a.size() >= b.size() ? a : b;
  const Dims& shorter = a.size() >= b.size() ? b : a;
  Dims out = longer;
  // Align on the right: shorter[d] faces longer[d + lead].
  const int lead = longer.size() - shorter.size();
  for (int d = 0; d < shorter.size(); ++d) {
    const int64_t x = longer[d + lead], y = shorter[d];
    if (x == y || y == 1) continue;
    if (x == 1) {
      out[d + lead] = y;
      continue;
    }
    fail(ErrorCode::ShapeMismatch, "shapes ", a, " and ", b, " do not broadcast: size ",
         a[d + a.size() - shorter.size()], " vs ", b[d + b.size() - shorter.size()], " in dim ",
         d + lead, " of the result");
  }
  return out;
}

Dims contiguous_strides(const Dims& shape) {
  Dims strides = shape;
  int64_t stride = 1;
  for (int d = shape.size() - 1; d >= 0; --d) {
    strides[d] = stride;
    // Sizes 0 and 1 leave the stride as it is, as PyTorch does.
    if (shape[d] > 1) stride = checked_mul(stride, shape[d], "contiguous strides");
  }
  return strides;
}

int64_t checked_mul(int64_t a, int64_t b, const char* what) {
  int64_t result;
  if (__builtin_mul_overflow(a, b, &result))
    fail(ErrorCode::Overflow, what, ": ", a, " * ", b, " overflows int64");
  return result;
}

int64_t checked_add(int64_t a, int64_t b, const char* what) {
  int64_t result;
  if (__builtin_add_overflow(a, b, &result))
    fail(ErrorCode::Overflow, what, ": ", a, " + ", b, " overflows int64");
  return result;
}

int64_t checked_numel(const Dims& shape) {
  int64_t numel = 1;
  for (int64_t size : shape)
    if (size < 0) fail(ErrorCode::InvalidArgument, "negative size in shape ", shape);
  for (int64_t size : shape) {
    int64_t product;
    if (__builtin_mul_overflow(numel, size, &product))
      fail(ErrorCode::Overflow, "shape ", shape, " has more than 2^63-1 elements");
    numel = product;
  }
  return numel;
}

int normalize_dim(int64_t dim, int rank) {
  // A rank-0 tensor has no dims at all (numpy rejects any axis of a 0-d array).
  if (rank == 0)
    fail(ErrorCode::IndexOutOfRange, "dim ", dim,
         " is out of range: a tensor of rank 0 has no dims");
  if (dim < -rank || dim >= rank)
    fail(ErrorCode::IndexOutOfRange, "dim ", dim, " is out of range for a tensor of rank ", rank,
         " (valid: ", -rank, " to ", rank - 1, ")");
  return static_cast<int>(dim < 0 ? dim + rank : dim);
}

}  // namespace mt
