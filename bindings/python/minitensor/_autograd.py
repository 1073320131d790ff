"""Grad mode (per thread): mt.no_grad(), mt.enable_grad(), mt.is_grad_enabled()."""
from __future__ import annotations

import contextlib
from typing import ContextManager, Iterator

from . import _minitensor_native as _c


def is_grad_enabled() -> bool:
    """Whether ops on this thread record the graph for backward() (True unless turned off)."""
    return bool(_c.mt_grad_enabled())


def set_grad_enabled(enabled: bool) -> bool:
    """Sets this thread's grad mode; returns the previous one."""
    return bool(_c.mt_set_grad_enabled(enabled))


@contextlib.contextmanager
def _grad_mode(enabled: bool) -> Iterator[None]:
    was = _c.mt_set_grad_enabled(enabled)
    try:
        yield
    finally:
        _c.mt_set_grad_enabled(was)


def no_grad() -> ContextManager[None]:
    """`with mt.no_grad():` ops inside record nothing (torch.no_grad)."""
    return _grad_mode(False)


def enable_grad() -> ContextManager[None]:
    """`with mt.enable_grad():` ops inside record again, even under mt.no_grad()."""
    return _grad_mode(True)
