namespace Minitensor {

// Reverse-mode autodiff, as PyTorch: leaves that require grad accumulate gradients.
public sealed partial class Tensor {
  /// <summary>Whether backward accumulates a gradient into this leaf; setting it fails for a
  /// tensor that an op on tensors requiring grad produced.</summary>
  public bool RequiresGrad {
    get {
      minitensor_native.mt_requires_grad(this, out int requires);
      return requires != 0;
    }
    set { minitensor_native.mt_set_requires_grad(this, value ? 1 : 0); }
  }

  /// <summary>True when no recorded op made this tensor.</summary>
  public bool IsLeaf {
    get {
      minitensor_native.mt_is_leaf(this, out int leaf);
      return leaf != 0;
    }
  }

  /// <summary>The accumulated gradient, or null when there is none.</summary>
  public Tensor Grad {
    get {
      minitensor_native.mt_grad(this, out TensorHandle grad);
      return Adopt(grad);
    }
  }

  /// <summary>The op that made this tensor ("matmul", "mul"); null for a leaf.</summary>
  public string GradFnName {
    get { return minitensor_native.mt_grad_fn_name(this); }
  }

  /// <summary>Clears the gradient (PyTorch's set_to_none).</summary>
  public void ZeroGrad() {
    minitensor_native.mt_zero_grad(this);
  }

  /// <summary>Adds d(this)/d(leaf) . grad to every leaf's gradient; grad may be null for a
  /// one-element tensor (a gradient of 1). The graph is freed unless retainGraph.</summary>
  public void Backward(Tensor grad = null, bool retainGraph = false) {
    minitensor_native.mt_backward(this, grad, retainGraph ? 1 : 0);
  }

  /// <summary>The same memory outside the graph: a leaf that does not require grad.</summary>
  public Tensor Detach() {
    minitensor_native.mt_detach(this, out TensorHandle result);
    return new Tensor(result);
  }
}

}
