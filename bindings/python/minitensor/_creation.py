"""Creating tensors: mt.tensor, mt.zeros, ..., and zero-copy imports (DLPack, numpy)."""
from __future__ import annotations

import array
import collections.abc
from typing import Any

from . import _device, _dtypes
from . import _minitensor_native as _c
from ._random import Generator, handle_of
from ._tensor import Tensor, _dims, _is_real, _tensor, _wrap
from ._types import ArrayLike, Data, DeviceLike, Dims, DTypeLike

DEFAULT_DTYPE = _dtypes.float32


def _code(dtype):
    return _dtypes.resolve(dtype).code


def _create(name, device, *args):
    """The handle of _c.<name>(*args), or for a device of _c.<name>_on(*args, type, index):
    errors on the CPU name the plain function."""
    if device is None:
        return getattr(_c, name)(*args)
    return getattr(_c, name + "_on")(*args, *_device.device(device).code)


def _new(handle, requires_grad):
    """The Tensor owning a new leaf `handle`, made a parameter when `requires_grad`."""
    result = _wrap(handle)
    if requires_grad:
        result.requires_grad = True
    return result


def _flatten(data):
    """(flat values, shape) of nested sequences of numbers; ragged nesting raises."""
    if _is_real(data):  # numpy's scalars and 0-d arrays too
        return [float(data)], ()
    if isinstance(data, Tensor):  # mt.tensor([t0, t1]) stacks them, as torch.tensor
        return data.reshape(-1).tolist(), data.shape
    # A str is a sequence of strs: without this check it would recurse forever.
    if isinstance(data, (str, bytes)) or not isinstance(data, collections.abc.Sequence):
        raise TypeError(
            f"mt.tensor: expected a number or nested sequences of numbers, not "
            f"{type(data).__name__} {data!r:.40}"
        )
    items = [_flatten(item) for item in data]
    shapes = {shape for _, shape in items}
    if len(shapes) > 1:
        raise ValueError(f"mt.tensor: ragged nested sequence (sub-shapes {sorted(shapes)})")
    inner = shapes.pop() if shapes else ()
    return [value for values, _ in items for value in values], (len(items),) + inner


def tensor(
    data: Data,
    dtype: DTypeLike | None = None,
    device: DeviceLike | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """A new tensor holding a copy of `data`: a number, nested sequences of numbers, a Tensor
    or anything numpy can make an array of. dtype: float32 unless data is a float64 array;
    device: the CPU (or the Tensor's device)."""
    if isinstance(data, Tensor):  # a copy outside the graph, as torch.tensor(t)
        copy = data.detach().to(dtype or data.dtype, device or data.device)
        handle = (copy.clone() if copy.shares_memory(data) else copy)._h
    elif hasattr(data, "__array__") or hasattr(data, "__array_interface__"):
        import numpy

        values = numpy.asarray(data)
        if dtype is None:
            dtype = _dtypes.float64 if values.dtype == numpy.float64 else DEFAULT_DTYPE
        # asarray, not ascontiguousarray: that one makes a 0-d array 1-d.
        values = numpy.asarray(values, dtype=_dtypes.resolve(dtype).name, order="C")
        handle = _create("mt_from_buffer", device, values.reshape(-1), values.shape, _code(dtype))
    else:
        values, shape = _flatten(data)
        handle = _create(
            "mt_from_buffer", device, array.array("d", values), shape, _code(dtype or DEFAULT_DTYPE)
        )
    return _new(handle, requires_grad)


# Every creator takes device= (None: the CPU): an mt.device or a str ("cpu", "cuda", "cuda:1").
def empty(
    *shape: Dims,
    dtype: DTypeLike = DEFAULT_DTYPE,
    device: DeviceLike | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor of `shape` (empty(2, 3) or empty((2, 3))) whose values are not set."""
    return _new(_create("mt_empty", device, _dims(shape), _code(dtype)), requires_grad)


def full(
    shape: Dims,
    value: float,
    dtype: DTypeLike = DEFAULT_DTYPE,
    device: DeviceLike | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor of `shape` with every element `value`."""
    return _new(_create("mt_full", device, _dims((shape,)), value, _code(dtype)), requires_grad)


def zeros(
    *shape: Dims,
    dtype: DTypeLike = DEFAULT_DTYPE,
    device: DeviceLike | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor of `shape` (zeros(2, 3) or zeros((2, 3))) filled with 0."""
    if device is not None:
        return full(_dims(shape), 0.0, dtype, device, requires_grad)
    return _new(_c.mt_zeros(_dims(shape), _code(dtype)), requires_grad)


def ones(
    *shape: Dims,
    dtype: DTypeLike = DEFAULT_DTYPE,
    device: DeviceLike | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor of `shape` (ones(2, 3) or ones((2, 3))) filled with 1."""
    if device is not None:
        return full(_dims(shape), 1.0, dtype, device, requires_grad)
    return _new(_c.mt_ones(_dims(shape), _code(dtype)), requires_grad)


def scalar(
    value: float,
    dtype: DTypeLike = DEFAULT_DTYPE,
    device: DeviceLike | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """A 0-d tensor holding `value`."""
    if device is not None:
        return full((), value, dtype, device, requires_grad)
    return _new(_c.mt_scalar(value, _code(dtype)), requires_grad)


def arange(
    start: float,
    stop: float | None = None,
    step: float = 1,
    dtype: DTypeLike = DEFAULT_DTYPE,
    device: DeviceLike | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """start, start + step, ... while < stop; arange(n) is 0 .. n-1, as numpy."""
    if stop is None:
        start, stop = 0, start
    values = _wrap(_c.mt_arange(start, stop, step, _code(dtype)))
    return _new(values.to(device)._h if device is not None else values._h, requires_grad)


def rand(
    *shape: Dims,
    low: float = 0.0,
    high: float = 1.0,
    dtype: DTypeLike = DEFAULT_DTYPE,
    generator: Generator | None = None,
    device: DeviceLike | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """Uniform in [low, high), from `generator` (None: the default, see mt.manual_seed); the
    same numbers on every device."""
    handle = _create("mt_rand", device, _dims(shape), _code(dtype), low, high, handle_of(generator))
    return _new(handle, requires_grad)


def randn(
    *shape: Dims,
    mean: float = 0.0,
    std: float = 1.0,
    dtype: DTypeLike = DEFAULT_DTYPE,
    generator: Generator | None = None,
    device: DeviceLike | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """Normal with `mean` and `std`, from `generator` (None: the default, see
    mt.manual_seed); the same numbers on every device."""
    handle = _create(
        "mt_randn", device, _dims(shape), _code(dtype), mean, std, handle_of(generator)
    )
    return _new(handle, requires_grad)


def zeros_like(
    t: Tensor,
    dtype: DTypeLike | None = None,
    device: DeviceLike | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """Zeros of t's shape, and of its dtype and device unless given."""
    t = _tensor(t, "zeros_like")
    return zeros(
        t.shape, dtype=dtype or t.dtype, device=device or t.device, requires_grad=requires_grad
    )


def ones_like(
    t: Tensor,
    dtype: DTypeLike | None = None,
    device: DeviceLike | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """Ones of t's shape, and of its dtype and device unless given."""
    t = _tensor(t, "ones_like")
    return ones(
        t.shape, dtype=dtype or t.dtype, device=device or t.device, requires_grad=requires_grad
    )


def from_dlpack(obj: Any) -> Tensor:
    """A tensor sharing the memory of `obj` (no copy): anything with __dlpack__ (numpy
    arrays, torch tensors) or an unused "dltensor" capsule, float32 or float64 on the CPU.
    On failure the capsule stays unused."""
    capsule = obj.__dlpack__() if hasattr(obj, "__dlpack__") else obj
    return _wrap(_c.mt_from_dlpack(capsule))


def from_numpy(values: ArrayLike) -> Tensor:
    """A tensor sharing the memory of a float32 or float64 numpy array (no copy)."""
    return from_dlpack(values)


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """The matrix product a @ b, batched and broadcast as numpy's matmul."""
    return a @ b
