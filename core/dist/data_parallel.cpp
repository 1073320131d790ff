#include "dist/data_parallel.hpp"

#include <sched.h>

#include <algorithm>
#include <exception>
#include <string_view>
#include <utility>

#include "autograd/engine.hpp"
#include "backend/cpu_par/parallel.hpp"
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

// Overlap::Auto: NCCL reduces on the GPU (the thread only waits); on CPU the thread needs a
// core that the library's threads leave free, and a world of one has nothing to reduce.
bool overlap_by_default(const Communicator& communicator) {
  if (std::string_view(communicator.engine()) == "nccl") return true;
  if (communicator.size() == 1) return false;
  cpu_set_t cpus;
  if (sched_getaffinity(0, sizeof cpus, &cpus) != 0) return false;
  return CPU_COUNT(&cpus) > num_threads();
}

}  // namespace

int64_t default_bucket_bytes(const Communicator& communicator) {
  return std::string_view(communicator.engine()) == "nccl" ? int64_t{25} << 20 : int64_t{2} << 20;
}

DataParallel::DataParallel(const Communicator& communicator, std::vector<Tensor> parameters,
                           int64_t bucket_bytes)
    : communicator_(communicator), parameters_(std::move(parameters)) {
  if (bucket_bytes < 0)
    fail(ErrorCode::InvalidArgument, "data parallel: bucket bytes ", bucket_bytes, " is negative");
  if (bucket_bytes == 0) bucket_bytes = default_bucket_bytes(communicator);
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
  bucket_of_.resize(parameters_.size());
  for (size_t b = 0; b < buckets_.size(); ++b)
    for (size_t i : buckets_[b].parameters)
      bucket_of_[i] = b;
  reset_round();
  set_overlap(Overlap::Auto);
  hooks_.reserve(parameters_.size());
  try {
    for (size_t i = 0; i < parameters_.size(); ++i)
      hooks_.push_back(parameters_[i].is_leaf()
                           ? autograd::add_grad_ready_hook(
                                 parameters_[i], [this, i](const Tensor&) { on_grad_ready(i); })
                           : -1);
  } catch (...) {
    remove_hooks();  // no destructor will
    throw;
  }
}

DataParallel::~DataParallel() { remove_hooks(); }

void DataParallel::remove_hooks() {
  for (size_t i = 0; i < hooks_.size(); ++i)
    if (hooks_[i] >= 0) autograd::remove_grad_ready_hook(parameters_[i], hooks_[i]);
}

void DataParallel::set_overlap(Overlap mode) {
  if (mode != Overlap::Auto && mode != Overlap::Off && mode != Overlap::On)
    fail(ErrorCode::InvalidArgument, "data parallel: overlap mode ", static_cast<int32_t>(mode),
         " is not auto (0), off (1) or on (2)");
  overlap_mode_ = mode;
  overlap_ = mode == Overlap::On || (mode == Overlap::Auto && overlap_by_default(communicator_));
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

Tensor DataParallel::pack(const Bucket& bucket) const {
  const Tensor packed = zeros(Dims{bucket.numel}, parameters_[bucket.parameters.front()].dtype());
  int64_t offset = 0;
  for (size_t i : bucket.parameters) {
    const Tensor& p = parameters_[i];
    const Tensor grad = p.grad();
    if (grad.defined())
      map_out(UnaryOp::Id, grad, packed.narrow(0, offset, p.numel()).view(p.shape()));
    offset += p.numel();
  }
  return packed;
}

Tensor DataParallel::average(const Tensor& packed) const {
  communicator_.all_reduce(packed, ReduceOp::Sum);
  return packed / static_cast<double>(communicator_.size());
}

void DataParallel::unpack(const Bucket& bucket, const Tensor& mean) const {
  int64_t offset = 0;
  for (size_t i : bucket.parameters) {
    const Tensor& p = parameters_[i];
    p.set_grad(mean.narrow(0, offset, p.numel()).view(p.shape()).clone());
    offset += p.numel();
  }
}

// Runs on the backward's thread: hands a bucket over once its last parameter reports.
void DataParallel::on_grad_ready(size_t parameter) {
  if (no_sync_ || !overlap_) return;
  if (round_.ready[parameter]) {
    // A second backward before the reduction: the buckets handed over are out of date, and
    // reduce_gradients reduces them all again.
    round_.stale = true;
    return;
  }
  round_.ready[parameter] = 1;
  const size_t b = bucket_of_[parameter];
  if (++round_.ready_count[b] == buckets_[b].parameters.size()) hand_over(b);
}

void DataParallel::hand_over(size_t b) {
  const Tensor packed = pack(buckets_[b]);
  round_.handed_over[b] = 1;
  round_.started = true;
  worker_.submit(b, [this, b, packed] { round_.means[b] = average(packed); });
}

void DataParallel::reset_round() {
  round_ = Round{};
  round_.ready.assign(parameters_.size(), 0);
  round_.ready_count.assign(buckets_.size(), 0);
  round_.handed_over.assign(buckets_.size(), 0);
  round_.means.resize(buckets_.size());
}

void DataParallel::reduce_gradients() {
  if (no_sync_) return;
  if (round_.started) {
    for (size_t b = 0; b < buckets_.size(); ++b)
      if (!round_.handed_over[b]) hand_over(b);
    std::exception_ptr error;
    try {
      worker_.finish_round(buckets_.size());
    } catch (...) {
      error = std::current_exception();
    }
    const Round round = std::move(round_);
    reset_round();
    if (error) std::rethrow_exception(error);
    if (!round.stale) {
      for (size_t b = 0; b < buckets_.size(); ++b)
        unpack(buckets_[b], round.means[b]);
      return;
    }
  }
  for (const Bucket& bucket : buckets_)
    unpack(bucket, average(pack(bucket)));
}

}  // namespace mt::dist
