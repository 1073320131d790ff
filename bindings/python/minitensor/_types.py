"""The argument types that the annotations name (for type checkers and IDEs; nothing here
checks anything at run time)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, Sequence, Union

if TYPE_CHECKING:
    from ._device import device
    from ._dtypes import DType
    from ._tensor import Tensor


class ArrayLike(Protocol):
    """What numpy can make an array of without copying by hand: anything with __array__."""

    def __array__(self) -> Any:
        ...


class Named(Protocol):
    """An object with a dtype's name, as numpy's dtypes: numpy.dtype("float32").name."""

    name: str


Dims = Union[int, Sequence[int]]
"""A shape or a list of dims: an int or a sequence of ints."""
Operand = Union["Tensor", float, ArrayLike]
"""The other operand of an elementwise op: a Tensor, a real number or an array."""
DeviceLike = Union["device", str]
"""A device: an mt.device or its str ("cpu", "cuda", "cuda:1")."""
DTypeLike = Union["DType", str, type, Named]
"""An element type: mt.float32, "float64", or numpy's float32 and float64 (a dtype or its
type)."""
Data = Union[float, Sequence[Any], "Tensor", ArrayLike]
"""Tensor data: a number, nested sequences of numbers, a Tensor or an array."""
