"""The element types: mt.float32 and mt.float64."""
from __future__ import annotations

from . import _minitensor_native as _c


class DType:
    """An element type; `code` is the library's MT_FLOAT32 or MT_FLOAT64."""

    def __init__(self, name: str, code: int, itemsize: int, format_char: str) -> None:
        """Only mt.float32 and mt.float64 exist: use them."""
        self.name = name
        self.code = code
        self.itemsize = itemsize
        self.format = format_char  # the struct / array module type code

    def __repr__(self) -> str:
        return f"minitensor.{self.name}"

    def __reduce__(self) -> str:
        return self.name  # pickle and copy give back the module's float32 / float64 itself


float32 = DType("float32", _c.MT_FLOAT32, 4, "f")
float64 = DType("float64", _c.MT_FLOAT64, 8, "d")
_BY_CODE = {float32.code: float32, float64.code: float64}
_BY_NAME = {float32.name: float32, float64.name: float64}


def from_code(code):
    return _BY_CODE[code]


def resolve(dtype):
    """The DType for a DType, a name ("float32") or anything with such a .name (numpy's)."""
    if isinstance(dtype, DType):
        return dtype
    name = dtype if isinstance(dtype, str) else getattr(dtype, "name", None)
    if name is None and isinstance(dtype, type):
        name = dtype.__name__
    if name not in _BY_NAME:
        raise TypeError(f"unsupported dtype {dtype!r}: minitensor has float32 and float64")
    return _BY_NAME[name]
