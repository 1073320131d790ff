#include "nn/loss.hpp"

#include <cmath>
#include <vector>

#include "base/capture_state.hpp"
#include "base/error.hpp"
#include "base/index.hpp"
#include "ops/creation.hpp"
#include "ops/tensor_ops.hpp"

namespace mt::nn {
namespace {

Tensor apply_reduction(const Tensor& loss, Reduction reduction, const char* name) {
  switch (reduction) {
    case Reduction::Mean: return mean(loss);
    case Reduction::Sum: return sum(loss);
    case Reduction::None: return loss;
  }
  fail(ErrorCode::InvalidArgument, name, ": unknown reduction ", static_cast<int32_t>(reduction));
}

// Element-wise losses compare input i with target i: shapes that merely broadcast would compare
// every input with every target (torch warns, or refuses as here).
void check_same_shape(const Tensor& input, const Tensor& target, const char* loss) {
  if (input.shape() != target.shape())
    fail(ErrorCode::ShapeMismatch, loss, ": target size ", target.shape(),
         " differs from input size ", input.shape(), "; please ensure they have the same size");
}

// Throws InvalidArgument unless every element of `t` lies in [0, 1] (NaN does not), naming
// `what` and the first element outside, as torch's binary_cross_entropy does.
void check_unit_interval(const Tensor& t, const char* what) {
  // A captured program has no values to check yet; its plan computes the clamped logs anyway.
  if (capture_active()) return;
  const auto outside = [](double v) { return !(v >= 0 && v <= 1); };
  int64_t ordinal = -1;
  double value = 0;
  if (t.device().is_cpu() && t.is_contiguous()) {  // the usual case: read in place
    dispatch_dtype(t.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* data = t.data<T>();
      for (int64_t i = 0; i < t.numel() && ordinal < 0; ++i)
        if (outside(data[i])) ordinal = i, value = data[i];
    });
  } else {
    const std::vector<double> values = to_vector<double>(t.detach());
    for (size_t i = 0; i < values.size() && ordinal < 0; ++i)
      if (outside(values[i])) ordinal = static_cast<int64_t>(i), value = values[i];
  }
  if (ordinal < 0) return;
  Dims index;
  to_index(ordinal, t.shape(), index);
  fail(ErrorCode::InvalidArgument, "binary_cross_entropy: all elements of ", what,
       " should be between 0 and 1, but ", what, " at index ", index, " is ", value);
}

}  // namespace

Tensor binary_cross_entropy(const Tensor& probs, const Tensor& target, Reduction reduction) {
  check_same_shape(probs, target, "binary_cross_entropy");
  check_unit_interval(probs, "input");
  check_unit_interval(target, "target");
  return apply_reduction(zip(BinaryOp::BinaryCrossEntropy, probs, target), reduction,
                         "binary_cross_entropy");
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_same_shape(input, target, "mse_loss");
  return apply_reduction(square(input - target), reduction, "mse_loss");
}

Tensor logsumexp(const Tensor& x, int64_t dim, bool keepdim) {
  // The max is a constant shift: detached, it adds nothing to the gradient (which is softmax).
  // Clamped to the finite range, so that a slice of -inf gives -inf and one holding +inf gives
  // +inf (not inf - inf = NaN). An empty dim has no max: there the shift is 0, and the sum of
  // nothing gives log 0 = -inf, as in torch.
  const double highest = largest_finite(x.dtype());
  Tensor shift;
  if (x.size(dim) == 0) {
    Dims kept = x.shape();
    kept[normalize_dim(dim, x.dim())] = 1;
    shift = zeros(kept, x.dtype(), x.device());
  } else {
    shift = minimum(maximum(max(x, {dim}, true), scalar(-highest, x.dtype())),
                    scalar(highest, x.dtype()))
                .detach();
  }
  const Tensor out = log(sum(exp(x - shift), {dim}, true)) + shift;
  return keepdim ? out : out.squeeze(dim);
}

Tensor log_softmax(const Tensor& logits, int64_t dim) {
  return logits - logsumexp(logits, dim, true);
}

Tensor softmax(const Tensor& logits, int64_t dim) { return exp(log_softmax(logits, dim)); }

Tensor cross_entropy(const Tensor& logits, const Tensor& target, Reduction reduction) {
  if (logits.dim() != 2)
    fail(ErrorCode::ShapeMismatch, "cross_entropy: logits must be (N, C), not shape ",
         logits.shape());
  const int64_t n = logits.size(0), classes = logits.size(1);
  Tensor probs = target;
  if (target.dim() == 1 && target.size(0) == n) {
    // Class indices: one-hot rows, from comparing each index with 0, 1, ..., C-1.
    for (double index : to_vector<double>(target))
      if (!(index >= 0 && index < static_cast<double>(classes)) || index != std::floor(index))
        fail(ErrorCode::IndexOutOfRange, "cross_entropy: target class ", index,
             " is not an integer in [0, ", classes, ")");
    probs = eq(arange(0, static_cast<double>(classes), 1, logits.dtype(), target.device())
                   .view({1, classes}),
               target.detach().view({n, 1}));
  } else if (target.shape() != logits.shape()) {
    fail(ErrorCode::ShapeMismatch, "cross_entropy: targets of shape ", target.shape(),
         " for logits of shape ", logits.shape(), "; expected class indices (", n,
         ") or probabilities (", n, ", ", classes, ")");
  }
  return apply_reduction(-sum(probs * log_softmax(logits, 1), {1}), reduction, "cross_entropy");
}

}  // namespace mt::nn
