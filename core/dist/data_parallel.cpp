#include "dist/data_parallel.hpp"

#include <algorithm>

#include "ops/creation.hpp"
#include "ops/tensor_ops.hpp"

namespace mt::dist {
namespace {

// A parameter's dtype, rank and shape as float64 values (exact: sizes stay below 2^53).
constexpr int64_t kSignature = 2 + kMaxRank;

std::string signature_text(const double* s) {
  Dims shape;
  for (int d = 0; d < static_cast<int>(s[1]); ++d)
    shape.push_back(static_cast<int64_t>(s[2 + d]));
  return cat(static_cast<DType>(static_cast<int32_t>(s[0])), " of shape ", shape);
}

}  // namespace

DataParallel::DataParallel(const Communicator& communicator, std::vector<Tensor> parameters,
                           int64_t bucket_bytes)
    : communicator_(communicator), parameters_(std::move(parameters)) {
  if (bucket_bytes < 1)
    fail(ErrorCode::InvalidArgument, "data parallel: bucket bytes ", bucket_bytes,
         " is not positive");
  for (const Tensor& p : parameters_)
    if (!p.defined()) fail(ErrorCode::InvalidArgument, "data parallel: a parameter is undefined");
  check_same_parameters();
  for (const Tensor& p : parameters_)
    communicator_.broadcast(p.detach(), 0);
  // Reverse order; a bucket holds one dtype and closes when the next parameter would overflow it.
  for (size_t i = parameters_.size(); i-- > 0;) {
    const Tensor& p = parameters_[i];
    const int64_t bytes = p.numel() * itemsize(p.dtype());
    const bool fits = !buckets_.empty() &&
                      parameters_[buckets_.back().parameters.front()].dtype() == p.dtype() &&
                      (buckets_.back().numel * itemsize(p.dtype()) + bytes <= bucket_bytes);
    if (!fits) buckets_.emplace_back();
    buckets_.back().parameters.push_back(i);
    buckets_.back().numel += p.numel();
  }
}

void DataParallel::check_same_parameters() const {
  const auto count = static_cast<int64_t>(parameters_.size());
  const Tensor counts =
      communicator_.all_gather(full(Dims{1}, static_cast<double>(count), DType::Float64));
  const double* c = counts.data<double>();
  for (int32_t r = 1; r < communicator_.size(); ++r)
    if (c[r] != c[0])
      fail(ErrorCode::ShapeMismatch, "data parallel: rank 0 has ", c[0], " parameters, rank ", r,
           " has ", c[r]);
  const Tensor mine = zeros(Dims{count, kSignature}, DType::Float64);
  for (int64_t i = 0; i < count; ++i) {
    const Tensor& p = parameters_[i];
    double* s = mine.data<double>() + i * kSignature;
    s[0] = static_cast<double>(p.dtype());
    s[1] = p.dim();
    for (int d = 0; d < p.dim(); ++d)
      s[2 + d] = static_cast<double>(p.shape()[d]);
  }
  const Tensor all = communicator_.all_gather(mine);
  const double* first = all.data<double>();
  for (int64_t i = 0; i < count; ++i)
    for (int32_t r = 1; r < communicator_.size(); ++r) {
      const double* theirs = first + (r * count + i) * kSignature;
      const double* ours = first + i * kSignature;
      if (std::equal(ours, ours + kSignature, theirs)) continue;
      fail(ours[0] == theirs[0] ? ErrorCode::ShapeMismatch : ErrorCode::DTypeMismatch,
           "data parallel: parameter ", i, " is a ", signature_text(ours), " on rank 0, a ",
           signature_text(theirs), " on rank ", r);
    }
}

void DataParallel::reduce_gradients() const {
  if (no_sync_) return;
  for (const Bucket& bucket : buckets_) {
    const DType dtype = parameters_[bucket.parameters.front()].dtype();
    const Tensor packed = zeros(Dims{bucket.numel}, dtype);
    int64_t offset = 0;
    for (size_t i : bucket.parameters) {
      const Tensor& p = parameters_[i];
      const Tensor grad = p.grad();
      if (grad.defined())
        map_out(UnaryOp::Id, grad, packed.narrow(0, offset, p.numel()).view(p.shape()));
      offset += p.numel();
    }
    communicator_.all_reduce(packed, ReduceOp::Sum);
    const Tensor mean = packed / static_cast<double>(communicator_.size());
    offset = 0;
    for (size_t i : bucket.parameters) {
      const Tensor& p = parameters_[i];
      p.set_grad(mean.narrow(0, offset, p.numel()).view(p.shape()).clone());
      offset += p.numel();
    }
  }
}

}  // namespace mt::dist
