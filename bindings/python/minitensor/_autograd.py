"""Grad mode (per thread): mt.no_grad(), mt.enable_grad(), mt.is_grad_enabled()."""
import contextlib

from . import _minitensor_native as _c


def is_grad_enabled():
    return bool(_c.mt_grad_enabled())


def set_grad_enabled(enabled):
    """Sets this thread's grad mode; returns the previous one."""
    return bool(_c.mt_set_grad_enabled(enabled))


@contextlib.contextmanager
def _grad_mode(enabled):
    was = _c.mt_set_grad_enabled(enabled)
    try:
        yield
    finally:
        _c.mt_set_grad_enabled(was)


def no_grad():
    """`with mt.no_grad():` ops inside record nothing (torch.no_grad)."""
    return _grad_mode(False)


def enable_grad():
    return _grad_mode(True)
