"""Neural-network pieces: Linear, MLP, losses, softmax and friends (torch.nn's names)."""
from . import _device, _dtypes
from . import _minitensor_native as _c
from ._handle import Handle
from ._random import handle_of
from ._runtime import _code_of
from ._tensor import _handle, _tensor, _wrap

_REDUCTIONS = {
    "mean": _c.MT_REDUCTION_MEAN,
    "sum": _c.MT_REDUCTION_SUM,
    "none": _c.MT_REDUCTION_NONE,
}


def _loss(function, input, target, reduction):
    """function(input, target, reduction) on two Tensors (a TypeError names the loss else)."""
    role = function.__name__[3:]  # "mse_loss"
    return _wrap(
        function(
            _handle(input, role),
            _handle(target, role),
            _code_of(_REDUCTIONS, "reduction", reduction),
        )
    )


class Linear(Handle):
    """torch.nn.Linear: x @ weight.T + bias, weights uniform in +-1/sqrt(in_features)."""

    __slots__ = ()

    def __init__(self, in_features, out_features, bias=True, dtype=_dtypes.float32, generator=None):
        super().__init__(
            _c.mt_linear_create(
                in_features, out_features, _dtypes.resolve(dtype).code, bias, handle_of(generator)
            )
        )

    @property
    def weight(self):
        return _wrap(_c.mt_linear_weight(self._h))

    @property
    def bias(self):
        return _wrap(_c.mt_linear_bias(self._h))

    def parameters(self):
        return [p for p in (self.weight, self.bias) if p is not None]

    def to(self, device):
        """Moves the parameters to `device` (in place, as torch's module.to) and returns self.
        An optimizer keeps the tensors it was given: move the layer before making one."""
        _c.mt_linear_to_device(self._h, *_device.device(device).code)
        return self

    @property
    def device(self):
        return self.weight.device

    def __call__(self, x):
        return _wrap(_c.mt_linear_forward(self._h, _handle(x, "Linear")))


class MLP(Handle):
    """Linear layers sizes[0] -> sizes[1] -> ... with relu between them; returns the logits."""

    __slots__ = ()

    def __init__(self, sizes, dtype=_dtypes.float32, generator=None):
        super().__init__(_c.mt_mlp_create(sizes, _dtypes.resolve(dtype).code, handle_of(generator)))

    def parameters(self):
        """Layer 0's weight and bias, layer 1's, ... (the tensors themselves)."""
        return [
            _wrap(_c.mt_mlp_parameter(self._h, i))
            for i in range(_c.mt_mlp_parameter_count(self._h))
        ]

    def to(self, device):
        """Moves every layer to `device` (in place, as torch's module.to) and returns self."""
        _c.mt_mlp_to_device(self._h, *_device.device(device).code)
        return self

    @property
    def device(self):
        return _wrap(_c.mt_mlp_parameter(self._h, 0)).device

    def __call__(self, x):
        return _wrap(_c.mt_mlp_forward(self._h, _handle(x, "MLP")))


def binary_cross_entropy(probs, target, reduction="mean"):
    return _loss(_c.mt_binary_cross_entropy, probs, target, reduction)


def mse_loss(input, target, reduction="mean"):
    return _loss(_c.mt_mse_loss, input, target, reduction)


def cross_entropy(logits, target, reduction="mean"):
    """logits (N, C); target: class indices (N,) held as floats, or probabilities (N, C)."""
    return _loss(_c.mt_cross_entropy, logits, target, reduction)


def softmax(x, dim):
    return _tensor(x, "softmax").softmax(dim)


def log_softmax(x, dim):
    return _tensor(x, "log_softmax").log_softmax(dim)


def logsumexp(x, dim, keepdim=False):
    return _tensor(x, "logsumexp").logsumexp(dim, keepdim)


def relu(x):
    return _tensor(x, "relu").relu()


def sigmoid(x):
    return _tensor(x, "sigmoid").sigmoid()
