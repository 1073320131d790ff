"""Optimizers over parameter tensors, with torch.optim's update rules."""
import collections.abc

from . import _minitensor_native as _c
from ._handle import Handle
from ._tensor import Tensor, _handle


class Optimizer(Handle):
    """Keeps its own reference to each parameter."""

    __slots__ = ()

    def step(self):
        """One update from the parameters' gradients (those without one are skipped)."""
        _c.mt_optimizer_step(self._h)

    def zero_grad(self):
        _c.mt_optimizer_zero_grad(self._h)


def _handles(params):
    """The handles of an iterable of tensors (one Tensor is refused, as torch does: iterating
    it would give its rows)."""
    if isinstance(params, Tensor) or not isinstance(params, collections.abc.Iterable):
        raise TypeError(
            f"optimizer: argument 'params' must be an iterable of tensors, not "
            f"{type(params).__name__}"
        )
    return [_handle(p, "optimizer parameter") for p in params]


class SGD(Optimizer):
    __slots__ = ()

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
        super().__init__(_c.mt_sgd_create(_handles(params), lr, momentum, weight_decay, nesterov))


class Adam(Optimizer):
    __slots__ = ()

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
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
