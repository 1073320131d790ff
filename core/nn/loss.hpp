#pragma once
// Losses and the softmax family. All are differentiable compositions of the core ops.
#include <cstdint>

#include "tensor/tensor.hpp"

namespace mt::nn {

// Values are part of the C ABI: append-only.
enum class Reduction : int32_t { Mean, Sum, None };

// -(y log p + (1 - y) log(1 - p)), with each log clamped at -100 as PyTorch does, so that
// p = 0 or 1 gives a finite loss (BinaryOp::BinaryCrossEntropy). `probs` and `target` have
// the same shape (ShapeMismatch) and every element of both lies in [0, 1] (InvalidArgument,
// naming the first that does not; NaN included), as torch checks.
Tensor binary_cross_entropy(const Tensor& probs, const Tensor& target,
                            Reduction reduction = Reduction::Mean);
// (input - target)^2; the shapes must be the same (ShapeMismatch: broadcasting (3, 1) against
// (3,) would compare every input with every target).
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);

// log sum exp along `dim`, computed as m + log sum exp(x - m) with m the max: never overflows.
Tensor logsumexp(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor log_softmax(const Tensor& logits, int64_t dim = -1);
Tensor softmax(const Tensor& logits, int64_t dim = -1);
// Softmax cross-entropy of `logits` (N, C) against `target`: class indices (N,) held as
// floats, or class probabilities (N, C). Throws for indices that are not integers in [0, C).
Tensor cross_entropy(const Tensor& logits, const Tensor& target,
                     Reduction reduction = Reduction::Mean);

}  // namespace mt::nn
