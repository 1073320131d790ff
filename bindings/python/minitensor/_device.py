"""Devices: mt.device("cuda:0"), what tensor.device returns and what device= arguments take."""
from __future__ import annotations

import builtins
from typing import Any

from . import _minitensor_native as _c

_TYPES = {"cpu": _c.MT_DEVICE_CPU, "cuda": _c.MT_DEVICE_CUDA}
_NAMES = {code: name for name, code in _TYPES.items()}
_MAX_INDEX = 2**31 - 1  # device indices are int32_t in the C API


def _unknown(name):
    return ValueError(f"unknown device {name!r}: expected 'cpu', 'cuda' or 'cuda:N' with N >= 0")


class device:
    """Where a tensor lives, as torch.device: device("cpu"), device("cuda"), device("cuda:1"),
    device("cuda", 1). str() is "cpu" or "cuda:1"; a device equals its string."""

    __slots__ = ("type", "index")
    type: str  # "cpu" or "cuda"
    index: int

    def __init__(self, type: str | device, index: int | None = None) -> None:
        """device("cuda:1"), device("cuda", 1), device("cpu") or a copy of a device."""
        if isinstance(type, device):
            index = type.index if index is None else index
            type = type.type
        elif isinstance(type, str) and ":" in type and index is None:
            type, _, number = type.partition(":")
            if not number.isdigit():  # "cuda:x", "cuda:-1"
                raise _unknown(f"{type}:{number}")
            index = int(number)
        if not isinstance(type, str):
            raise TypeError(
                f"device: argument 'type' must be a str or a device, not "
                f"{builtins.type(type).__name__}"
            )
        if type not in _TYPES:
            raise _unknown(type)
        if index is not None:  # any integer (numpy's too): a device number of the C API
            index = _c.mt_py_index(index, "device", "index")
            if not 0 <= index <= _MAX_INDEX:
                raise ValueError(
                    f"device: argument 'index' must be in [0, {_MAX_INDEX}], " f"not {index}"
                )
        if type == "cpu" and index not in (None, 0):
            raise ValueError(f"the CPU device has index 0, not {index}")
        self.type = type
        self.index = index or 0

    @property
    def code(self) -> tuple[int, int]:
        """The library's (MT_DEVICE_*, index) pair."""
        return _TYPES[self.type], self.index

    def __str__(self) -> str:
        return "cpu" if self.type == "cpu" else f"cuda:{self.index}"

    def __repr__(self) -> str:
        return f"device(type='{self.type}', index={self.index})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            try:
                other = device(other)
            except ValueError:
                return False
        if not isinstance(other, device):
            return NotImplemented
        return (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self) -> tuple[Any, ...]:
        return device, (self.type, self.index)


CPU = device("cpu")


def is_device(value):
    """Whether `value` names a device (a device, or a str like "cpu" or "cuda:0")."""
    return isinstance(value, device) or (
        isinstance(value, str) and value.partition(":")[0] in _TYPES
    )


def resolve(value):
    """The device of a device argument: None (the CPU), a device or its str."""
    return CPU if value is None else device(value)


def from_code(type_code, index):
    return device(_NAMES[type_code], index)
