package org.minitensor;

/** Loss functions. */
public final class Loss {
  private Loss() {}

  /** Binary cross-entropy of probabilities and targets of one shape. */
  public static Tensor binaryCrossEntropy(Tensor probs, Tensor target, Reduction reduction) {
    Args.notNull(probs, "Loss.binaryCrossEntropy", "probs");
    Args.notNull(target, "Loss.binaryCrossEntropy", "target");
    Args.notNull(reduction, "Loss.binaryCrossEntropy", "reduction");
    return Tensor.adopt(
        out -> MinitensorNative.mt_binary_cross_entropy(probs, target, reduction.code, out));
  }

  /** Mean squared error (broadcasting). */
  public static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) {
    Args.notNull(input, "Loss.mseLoss", "input");
    Args.notNull(target, "Loss.mseLoss", "target");
    Args.notNull(reduction, "Loss.mseLoss", "reduction");
    return Tensor.adopt(out -> MinitensorNative.mt_mse_loss(input, target, reduction.code, out));
  }

  /** Cross-entropy of logits (N, C) and class indices (N,) or class probabilities (N, C). */
  public static Tensor crossEntropy(Tensor logits, Tensor target, Reduction reduction) {
    Args.notNull(logits, "Loss.crossEntropy", "logits");
    Args.notNull(target, "Loss.crossEntropy", "target");
    Args.notNull(reduction, "Loss.crossEntropy", "reduction");
    return Tensor.adopt(
        out -> MinitensorNative.mt_cross_entropy(logits, target, reduction.code, out));
  }
}
