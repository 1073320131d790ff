#include "nn/loss.hpp"

#include <cmath>
#include <limits>

#include "ops/creation.hpp"
#include "ops/tensor_ops.hpp"
#include "tensor/error.hpp"

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

}  // namespace

Tensor binary_cross_entropy(const Tensor& probs, const Tensor& target, Reduction reduction) {
  if (probs.shape() != target.shape())
    fail(ErrorCode::ShapeMismatch, "binary_cross_entropy: probabilities of shape ", probs.shape(),
         " and targets of shape ", target.shape(), " differ");
  return apply_reduction(zip(BinaryOp::BinaryCrossEntropy, probs, target), reduction,
                         "binary_cross_entropy");
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  return apply_reduction(square(input - target), reduction, "mse_loss");
}

Tensor logsumexp(const Tensor& x, int64_t dim, bool keepdim) {
  // The max is a constant shift: detached, it adds nothing to the gradient (which is softmax).
  // Clamped to the finite range, so that a slice of -inf gives -inf and one holding +inf gives
  // +inf (not inf - inf = NaN).
  const double highest = x.dtype() == DType::Float32 ? std::numeric_limits<float>::max()
                                                     : std::numeric_limits<double>::max();
  const Tensor shift =
      minimum(maximum(max(x, {dim}, true), scalar(-highest, x.dtype())), scalar(highest, x.dtype()))
          .detach();
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
