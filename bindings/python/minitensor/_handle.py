"""The base of the classes that own a library handle (a PyCapsule the native module made)."""
from __future__ import annotations

from typing import Any, TypeVar

from . import _minitensor_native as _c

_Self = TypeVar("_Self", bound="Handle")


class Handle:
    """Owns one handle: released when collected, or at once by close() / a with block.
    Using it after close() raises ValueError; closing twice is harmless."""

    __slots__ = ("_h", "__weakref__")

    def __init__(self, handle: Any) -> None:
        self._h = handle

    def close(self) -> None:
        """Releases the native object now (else the garbage collector does)."""
        _c.mt_close_handle(self._h)

    def __enter__(self: _Self) -> _Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __reduce__(self) -> tuple[Any, ...]:
        raise TypeError(
            f"cannot pickle a minitensor.{type(self).__name__}: it owns native "
            f"state (save its tensors instead)"
        )
