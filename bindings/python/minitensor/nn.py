"""Neural-network pieces: Linear, MLP, losses, softmax and friends (torch.nn's names)."""
from __future__ import annotations

from typing import Any, Sequence

from . import _device, _dtypes
from . import _minitensor_native as _c
from ._handle import Handle
from ._random import handle_of
from ._runtime import _code_of
from ._random import Generator
from ._tensor import Tensor, _handle, _tensor, _wrap
from ._types import DeviceLike, DTypeLike

_REDUCTIONS = {
    "mean": _c.MT_REDUCTION_MEAN,
    "sum": _c.MT_REDUCTION_SUM,
    "none": _c.MT_REDUCTION_NONE,
}


def _loss(function: Any, input: Tensor, target: Tensor, reduction: str) -> Tensor:
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

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        dtype: DTypeLike = _dtypes.float32,
        generator: Generator | None = None,
    ) -> None:
        """weight (out_features, in_features) and bias (out_features,) unless not `bias`,
        drawn from `generator` (None: the default one)."""
        super().__init__(
            _c.mt_linear_create(
                in_features, out_features, _dtypes.resolve(dtype).code, bias, handle_of(generator)
            )
        )

    @property
    def weight(self) -> Tensor:
        """The weight (out_features, in_features), a parameter tensor."""
        return _wrap(_c.mt_linear_weight(self._h))

    @property
    def bias(self) -> Tensor | None:
        """The bias (out_features,), or None for a layer without one."""
        return _wrap(_c.mt_linear_bias(self._h))

    def parameters(self) -> list[Tensor]:
        """[weight, bias] (the tensors themselves), or [weight] without a bias."""
        return [p for p in (self.weight, self.bias) if p is not None]

    def to(self, device: DeviceLike) -> Linear:
        """Moves the parameters to `device` (in place, as torch's module.to) and returns self.
        An optimizer keeps the tensors it was given: move the layer before making one."""
        _c.mt_linear_to_device(self._h, *_device.device(device).code)
        return self

    @property
    def device(self) -> _device.device:
        """Where the parameters live."""
        return self.weight.device

    def __call__(self, x: Tensor) -> Tensor:
        """x @ weight.T + bias, for x of shape (..., in_features)."""
        return _wrap(_c.mt_linear_forward(self._h, _handle(x, "Linear")))


class MLP(Handle):
    """Linear layers sizes[0] -> sizes[1] -> ... with relu between them; returns the logits."""

    __slots__ = ()

    def __init__(
        self,
        sizes: Sequence[int],
        dtype: DTypeLike = _dtypes.float32,
        generator: Generator | None = None,
    ) -> None:
        """Layers sizes[i] -> sizes[i + 1], drawn from `generator` (None: the default one)."""
        super().__init__(_c.mt_mlp_create(sizes, _dtypes.resolve(dtype).code, handle_of(generator)))

    def parameters(self) -> list[Tensor]:
        """Layer 0's weight and bias, layer 1's, ... (the tensors themselves)."""
        return [
            _wrap(_c.mt_mlp_parameter(self._h, i))
            for i in range(_c.mt_mlp_parameter_count(self._h))
        ]

    def to(self, device: DeviceLike) -> MLP:
        """Moves every layer to `device` (in place, as torch's module.to) and returns self."""
        _c.mt_mlp_to_device(self._h, *_device.device(device).code)
        return self

    @property
    def device(self) -> _device.device:
        """Where the parameters live."""
        return _wrap(_c.mt_mlp_parameter(self._h, 0)).device

    def __call__(self, x: Tensor) -> Tensor:
        """The logits of x (..., sizes[0]): (..., sizes[-1])."""
        return _wrap(_c.mt_mlp_forward(self._h, _handle(x, "MLP")))


def binary_cross_entropy(probs: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """-(target ln probs + (1 - target) ln(1 - probs)), logs clamped at -100; reduction:
    "mean", "sum" or "none" (per element)."""
    return _loss(_c.mt_binary_cross_entropy, probs, target, reduction)


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """(input - target)^2; reduction: "mean", "sum" or "none" (per element)."""
    return _loss(_c.mt_mse_loss, input, target, reduction)


def cross_entropy(logits: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """logits (N, C); target: class indices (N,) held as floats, or probabilities (N, C)."""
    return _loss(_c.mt_cross_entropy, logits, target, reduction)


def softmax(x: Tensor, dim: int) -> Tensor:
    """e^x / sum(e^x) along dim `dim`."""
    return _tensor(x, "softmax").softmax(dim)


def log_softmax(x: Tensor, dim: int) -> Tensor:
    """ln(softmax(x)) along dim `dim`, computed without overflow."""
    return _tensor(x, "log_softmax").log_softmax(dim)


def logsumexp(x: Tensor, dim: int, keepdim: bool = False) -> Tensor:
    """ln(sum(e^x)) over dim `dim`, computed without overflow."""
    return _tensor(x, "logsumexp").logsumexp(dim, keepdim)


def relu(x: Tensor) -> Tensor:
    """max(x, 0), elementwise."""
    return _tensor(x, "relu").relu()


def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + e^-x), elementwise."""
    return _tensor(x, "sigmoid").sigmoid()
