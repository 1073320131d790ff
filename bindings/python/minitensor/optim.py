"""Optimizers over parameter tensors, with torch.optim's update rules."""
from __future__ import annotations

import collections.abc
from typing import Iterable, Sequence

from . import _minitensor_native as _c
from ._handle import Handle
from ._tensor import Tensor, _handle


class Optimizer(Handle):
    """Keeps its own reference to each parameter."""

    __slots__ = ()

    def step(self) -> None:
        """One update from the parameters' gradients (those without one are skipped)."""
        _c.mt_optimizer_step(self._h)

    def zero_grad(self) -> None:
        """Clears the gradients of the parameters (None, as torch's set_to_none)."""
        _c.mt_optimizer_zero_grad(self._h)


def _handles(params: Iterable[Tensor]) -> list[object]:
    """The handles of an iterable of tensors (one Tensor is refused, as torch does: iterating
    it would give its rows)."""
    if isinstance(params, Tensor) or not isinstance(params, collections.abc.Iterable):
        raise TypeError(
            f"optimizer: argument 'params' must be an iterable of tensors, not "
            f"{type(params).__name__}"
        )
    return [_handle(p, "optimizer parameter") for p in params]


class SGD(Optimizer):
    """torch.optim.SGD: p -= lr * (grad + weight_decay p), with momentum (and Nesterov's)."""

    __slots__ = ()

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        """Updates `params` (the tensors themselves, e.g. model.parameters())."""
        super().__init__(_c.mt_sgd_create(_handles(params), lr, momentum, weight_decay, nesterov))


class Adam(Optimizer):
    """torch.optim.Adam: moment estimates with decay rates `betas`, bias-corrected."""

    __slots__ = ()

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 1e-3,
        betas: Sequence[float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        """Updates `params` (the tensors themselves, e.g. model.parameters())."""
        try:
            beta1, beta2 = betas
        except TypeError:
            raise TypeError(
                f"Adam: argument 'betas' must be a pair of numbers (beta1, beta2), "
                f"not {type(betas).__name__}"
            ) from None
        except ValueError:
            raise ValueError(
                f"Adam: betas must be two numbers (beta1, beta2), " f"not {betas!r}"
            ) from None
        super().__init__(_c.mt_adam_create(_handles(params), lr, beta1, beta2, eps, weight_decay))
