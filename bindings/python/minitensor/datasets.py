"""MiniTorch's toy datasets: points in the unit square labelled by a rule."""
from __future__ import annotations

from . import _dtypes
from . import _minitensor_native as _c
from ._tensor import Tensor, _wrap
from ._types import DTypeLike


def kind(name: str) -> int:
    """The library's code for a dataset name; ValueError (listing the names) if unknown."""
    return _c.mt_dataset_kind(name)


def names() -> tuple[str, ...]:
    """('simple', 'diag', 'split', 'xor', 'circle', 'spiral')."""
    found, code = [], 0
    while (name := _c.mt_dataset_name(code)) is not None:
        found.append(name)
        code += 1
    return tuple(found)


def make(
    name: str, points: int, seed: int = 0, dtype: DTypeLike = _dtypes.float32
) -> tuple[Tensor, Tensor]:
    """(x, y): x (points, 2) and labels y (points,) of 0 or 1; the same for the same
    arguments everywhere."""
    x, y = _c.mt_dataset(kind(name), points, seed, _dtypes.resolve(dtype).code)
    return _wrap(x), _wrap(y)
