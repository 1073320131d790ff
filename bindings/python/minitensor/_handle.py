"""The base of the classes that own a library handle (a PyCapsule the native module made)."""
from . import _minitensor_native as _c


class Handle:
    """Owns one handle: released when collected, or at once by close() / a with block.
    Using it after close() raises ValueError; closing twice is harmless."""

    __slots__ = ("_h", "__weakref__")

    def __init__(self, handle):
        self._h = handle

    def close(self):
        _c.mt_close_handle(self._h)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __reduce__(self):
        raise TypeError(
            f"cannot pickle a minitensor.{type(self).__name__}: it owns native "
            f"state (save its tensors instead)"
        )
