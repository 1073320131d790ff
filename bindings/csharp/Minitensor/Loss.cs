namespace Minitensor {

/// <summary>How a loss folds its per-element values.</summary>
public enum Reduction {
  Mean = minitensor_native.MT_REDUCTION_MEAN,
  Sum = minitensor_native.MT_REDUCTION_SUM,
  None = minitensor_native.MT_REDUCTION_NONE
}

/// <summary>Loss functions (torch.nn.functional's).</summary>
public static class Loss {
  /// <summary>-(t ln p + (1 - t) ln(1 - p)), logs clamped at -100; probabilities and targets
  /// of one shape.</summary>
  public static Tensor BinaryCrossEntropy(Tensor probs, Tensor target,
                                          Reduction reduction = Reduction.Mean) {
    Args.NotNull(probs, "Loss.BinaryCrossEntropy", "probs");
    Args.NotNull(target, "Loss.BinaryCrossEntropy", "target");
    minitensor_native.mt_binary_cross_entropy(probs, target, (int)reduction,
                                              out TensorHandle result);
    return new Tensor(result);
  }

  /// <summary>(input - target)^2; broadcasts.</summary>
  public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) {
    Args.NotNull(input, "Loss.MseLoss", "input");
    Args.NotNull(target, "Loss.MseLoss", "target");
    minitensor_native.mt_mse_loss(input, target, (int)reduction, out TensorHandle result);
    return new Tensor(result);
  }

  /// <summary>Logits (N, C) with class indices (N,) held as floats, or class probabilities
  /// (N, C).</summary>
  public static Tensor CrossEntropy(Tensor logits, Tensor target,
                                    Reduction reduction = Reduction.Mean) {
    Args.NotNull(logits, "Loss.CrossEntropy", "logits");
    Args.NotNull(target, "Loss.CrossEntropy", "target");
    minitensor_native.mt_cross_entropy(logits, target, (int)reduction, out TensorHandle result);
    return new Tensor(result);
  }
}

}
