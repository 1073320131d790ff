"""mt.Tensor: a strided view of reference-counted memory, with operators and autodiff."""
from __future__ import annotations

import array
import builtins
import numbers
import sys
from typing import Any, Iterator

from . import _device, _dtypes
from . import _minitensor_native as _c
from ._handle import Handle
from ._ops import TensorOps
from ._types import Data, DeviceLike, Dims, DTypeLike, Operand


def _wrap(handle):
    """A Tensor owning `handle` (None stays None, as for a missing gradient)."""
    if handle is None:
        return None
    tensor = Tensor.__new__(Tensor)
    tensor._h = handle
    return tensor


def _dims(args):
    """f(2, 3) and f((2, 3)) alike: the shape or dims argument for the library, whose typemap
    takes an integer or a sequence of integers (and names the parameter when it gets neither)."""
    return args[0] if len(args) == 1 else args


def _tensor(value, role):
    """A Tensor argument itself; a TypeError naming `role` for anything else."""
    if not isinstance(value, Tensor):
        raise TypeError(f"{role}: expected a minitensor.Tensor, not {type(value).__name__}")
    return value


def _handle(value, role):
    """The handle of a Tensor argument; a TypeError naming `role` for anything else."""
    return _tensor(value, role)._h


def _copy_of(data, device=None):
    """mt.tensor(data, device=device), imported here because _creation imports this module."""
    from ._creation import tensor

    return tensor(data, device=device)


def _index_int(key, expected):
    """An integer of an index as an int, by the typemaps' rule (numpy's integers and anything
    with __index__, no bools: numpy's True is a mask); a TypeError saying what was `expected`
    for anything else."""
    try:
        return _c.mt_py_index(key, "Tensor.__getitem__", "index")
    except TypeError:
        raise TypeError(f"{expected}, not {type(key).__name__}") from None


def _bound(value, default):
    """A slice bound as an int64 (the library clamps it to the dim); None gives `default`."""
    if value is None:
        return default
    value = _index_int(value, "slice indices must be integers or None")
    return max(-(2**63), min(value, 2**63 - 1))


def _index_error(message):
    """An IndexOutOfRangeError (an IndexError), as the library raises for its own checks."""
    error = _c.IndexOutOfRangeError(message)
    error.status = _c.MT_ERR_INDEX_OUT_OF_RANGE
    return error


def _index_keys(key, ndim):
    """The entries of a basic index (integers as ints, slices, None, one Ellipsis) and how many
    dims the Ellipsis (or the end) stands for. Counted against the rank first, as numpy does:
    else an index past the last dim would be reported for a dim of an intermediate view."""
    keys = [
        k
        if k is None or k is Ellipsis or isinstance(k, slice)
        else _index_int(k, "tensor indices must be integers, slices, None or ...")
        for k in (key if isinstance(key, tuple) else (key,))
    ]
    if sum(1 for k in keys if k is Ellipsis) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    indexed = sum(1 for k in keys if k is not None and k is not Ellipsis)
    if indexed > ndim:
        raise _index_error(
            f"too many indices for tensor: tensor is {ndim}-dimensional, but "
            f"{indexed} were indexed"
        )
    return keys, ndim - indexed


def _from_values(values, shape, dtype_name, requires_grad, device="cpu"):
    """The tensor that pickle stores as (values, shape, dtype name, requires_grad, device)."""
    result = _wrap(
        _c.mt_from_buffer_on(
            values, shape, _dtypes.resolve(dtype_name).code, *_device.device(device).code
        )
    )
    result.requires_grad = requires_grad
    return result


def _dim_list(dim):
    """A reduction's dims: None (all: no dims for the library), an integer or a sequence."""
    return () if dim is None else dim


def _is_real(value):
    """A real number as tensor data or an operand: numbers.Real (numpy's scalars too) or a 0-d
    array (numpy's, torch's), which numpy 1.x and torch read as a number too. Not any object
    with __float__: as an operand, its type gets to run its own reflected operator."""
    return isinstance(value, numbers.Real) or (
        getattr(value, "ndim", None) == 0 and hasattr(value, "__array__")
    )


def _nest(values, shape):
    """The flat `values` as nested lists of `shape` (tolist)."""
    if len(shape) <= 1:
        return list(values)
    step = len(values) // shape[0] if shape[0] else 0
    return [_nest(values[i * step : (i + 1) * step], shape[1:]) for i in range(shape[0])]


class Tensor(Handle, TensorOps):
    """Made by the creation functions (mt.tensor, mt.zeros, ...) and by operations. The per-op
    methods, exp() or maximum(other), are generated from minitensor.h (TensorOps, _ops.py)."""

    __slots__ = ()
    __hash__ = Handle.__hash__  # == is elementwise; tensors hash by identity, as in torch
    # numpy defers to our reflected operators (np.float64(2) * t is a Tensor, not an ndarray)
    # while its functions still take tensors (np.exp(t) is an ndarray), as with torch.
    __array_priority__ = 1000

    def __init__(self, *args: object, **kwargs: object) -> None:
        """Not for use: tensors come from mt.tensor, mt.zeros, ... and from operations."""
        raise TypeError("use mt.tensor(data) or mt.zeros(shape) etc. to make a Tensor")

    # --- operands ---------------------------------------------------------------------------

    def _operand(self, other):
        """`other` as a Tensor: numbers become scalars of this tensor's dtype (0-d CPU tensors
        join any device), numpy arrays (anything with __array__) copies as mt.tensor makes
        them, on this tensor's device; anything else is NotImplemented. A 0-d array is a
        number (_is_real): t + np.array(0.5) keeps t's dtype, as t + np.float64(0.5) does."""
        if isinstance(other, Tensor):
            return other
        if _is_real(other):
            return _wrap(_c.mt_scalar(other, _c.mt_dtype(self._h)))
        if hasattr(other, "__array__") or hasattr(other, "__array_interface__"):
            return _copy_of(other, self.device)
        return NotImplemented

    def _zip(self, op, other, reflected=False):
        other = self._operand(other)
        if other is NotImplemented:
            return NotImplemented
        a, b = (other, self) if reflected else (self, other)
        return _wrap(_c.mt_zip(op, a._h, b._h))

    def _zip_into_self(self, op, other):
        other = self._operand(other)
        if other is NotImplemented:
            return NotImplemented
        if other.dtype is not self.dtype:  # as torch: t32 += t64 computes in float32
            other = other.to(self.dtype)
        _c.mt_zip_out(op, self._h, other._h, self._h)
        return self

    def _matmul(self, other, reflected=False):
        if not isinstance(other, Tensor):  # first: the ABC check on numbers.Real is slower
            other = NotImplemented if _is_real(other) else self._operand(other)
        if other is NotImplemented:
            return NotImplemented
        a, b = (other, self) if reflected else (self, other)
        return _wrap(_c.mt_matmul(a._h, b._h))

    def _zip_method(self, op, other, name):
        """self.name(other): _zip, raising for an operand it refuses (an operator returns
        NotImplemented and Python raises; a method must raise itself)."""
        result = self._zip(op, other)
        if result is NotImplemented:
            raise TypeError(
                f"{name}: argument 'other' must be a Tensor, a real number or an "
                f"array, not {type(other).__name__}"
            )
        return result

    def _or_equal(self, op, other):
        """a <= b as (a < b) max (a == b): 1 exactly when a <= b, and 0 for NaN as numpy."""
        strict = self._zip(op, other)
        if strict is NotImplemented:
            return NotImplemented
        return strict.maximum(self._zip(_c.MT_ZIP_EQ, other))

    def _map(self, op):
        return _wrap(_c.mt_map(op, self._h))

    # --- queries ----------------------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        """The size of each dim: (2, 3)."""
        return _c.mt_shape(self._h)

    def size(self, dim: int | None = None) -> Any:
        """The shape (dim None), else the size of dim `dim` (negative counts from the end)."""
        return self.shape if dim is None else _c.mt_size(self._h, dim)

    @property
    def strides(self) -> tuple[int, ...]:
        """In elements, as torch's stride() (numpy's strides are in bytes)."""
        return _c.mt_strides(self._h)

    def stride(self, dim: int) -> int:
        """The stride of dim `dim`, in elements."""
        return _c.mt_stride(self._h, dim)

    @property
    def dtype(self) -> _dtypes.DType:
        """The element type: mt.float32 or mt.float64."""
        return _dtypes.from_code(_c.mt_dtype(self._h))

    @property
    def ndim(self) -> int:
        """The number of dims (0 for a scalar)."""
        return _c.mt_ndim(self._h)

    def dim(self) -> int:
        """The number of dims, as torch's dim()."""
        return self.ndim

    def numel(self) -> int:
        """The number of elements."""
        return _c.mt_numel(self._h)

    @property
    def device(self) -> _device.device:
        """An mt.device: str(t.device) is "cpu" or "cuda:0"."""
        return _device.from_code(*_c.mt_device(self._h))

    @property
    def is_cuda(self) -> bool:
        """Whether the tensor lives on a CUDA device."""
        return self.device.type == "cuda"

    def is_contiguous(self) -> bool:
        """Whether the elements are packed in row-major order."""
        return bool(_c.mt_is_contiguous(self._h))

    def shares_memory(self, other: Tensor) -> bool:
        """Whether this tensor and `other` view the same memory (a view of the other)."""
        return bool(_c.mt_shares_memory(self._h, _handle(other, "shares_memory")))

    def item(self) -> builtins.float:  # the builtin: Tensor.float is a method
        """The value of a one-element tensor, as a float."""
        return _c.mt_item(self._h)

    def get(self, *index: Dims) -> builtins.float:
        """The element at a full multi-index of non-negative ints, t.get(1, 2) or
        t.get((1, 2)), as a float."""
        return _c.mt_get(self._h, _dims(index))

    def _values(self, dtype):
        """The elements in row-major order, converted to `dtype`, as an array.array."""
        values = array.array(dtype.format, bytes(dtype.itemsize * self.numel()))
        _c.mt_to_buffer(self._h, values)
        return values

    def tolist(self) -> Any:
        """The elements as nested lists of floats (a float for a 0-d tensor)."""
        values = self._values(_dtypes.float64)
        return values[0] if self.ndim == 0 else _nest(values.tolist(), self.shape)

    def __len__(self) -> int:
        """The size of dim 0."""
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        """The views self[0], self[1], ..."""
        return (self[i] for i in range(len(self)))

    def __repr__(self) -> str:
        if _c.mt_handle_closed(self._h):  # repr must not raise (debuggers, tracebacks)
            return "tensor(<closed>)"
        return _c.mt_to_string(self._h)

    def __format__(self, spec: str) -> str:
        """Formats the value of a 0-d tensor with `spec` (f"{loss:.3f}"), as torch."""
        if spec and self.ndim == 0:
            return format(self.item(), spec)
        return super().__format__(spec)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickles (and deep-copies) the values: the copy shares nothing with this tensor."""
        return _from_values, (
            self._values(self.dtype),
            self.shape,
            self.dtype.name,
            self.requires_grad,
            str(self.device),
        )

    def __bool__(self) -> bool:
        if self.numel() != 1:
            raise ValueError(f"the truth value of a tensor of shape {self.shape} is ambiguous")
        return self.item() != 0

    def __float__(self) -> builtins.float:
        return self.item()

    def __int__(self) -> int:
        return int(self.item())

    # --- arithmetic and comparisons ---------------------------------------------------------

    def __add__(self, other: Operand) -> Tensor:
        return self._zip(_c.MT_ZIP_ADD, other)

    def __radd__(self, other: Operand) -> Tensor:
        return self._zip(_c.MT_ZIP_ADD, other, reflected=True)

    def __sub__(self, other: Operand) -> Tensor:
        return self._zip(_c.MT_ZIP_SUB, other)

    def __rsub__(self, other: Operand) -> Tensor:
        return self._zip(_c.MT_ZIP_SUB, other, reflected=True)

    def __mul__(self, other: Operand) -> Tensor:
        return self._zip(_c.MT_ZIP_MUL, other)

    def __rmul__(self, other: Operand) -> Tensor:
        return self._zip(_c.MT_ZIP_MUL, other, reflected=True)

    def __truediv__(self, other: Operand) -> Tensor:
        return self._zip(_c.MT_ZIP_DIV, other)

    def __rtruediv__(self, other: Operand) -> Tensor:
        return self._zip(_c.MT_ZIP_DIV, other, reflected=True)

    def __pow__(self, other: Operand) -> Tensor:
        # x ** 2 is x * x (square), as numpy computes it: exact, and far cheaper than pow.
        if isinstance(other, (int, float)) and not isinstance(other, bool) and other == 2:
            return self._map(_c.MT_MAP_SQUARE)
        return self._zip(_c.MT_ZIP_POW, other)

    def __rpow__(self, other: Operand) -> Tensor:
        return self._zip(_c.MT_ZIP_POW, other, reflected=True)

    def __matmul__(self, other: Operand) -> Tensor:
        return self._matmul(other)

    def __rmatmul__(self, other: Operand) -> Tensor:
        return self._matmul(other, reflected=True)

    # In place (torch's +=): no gradient is recorded, so use them under mt.no_grad() on
    # tensors that require grad.
    def __iadd__(self, other: Operand) -> Tensor:
        return self._zip_into_self(_c.MT_ZIP_ADD, other)

    def __isub__(self, other: Operand) -> Tensor:
        return self._zip_into_self(_c.MT_ZIP_SUB, other)

    def __imul__(self, other: Operand) -> Tensor:
        return self._zip_into_self(_c.MT_ZIP_MUL, other)

    def __itruediv__(self, other: Operand) -> Tensor:
        return self._zip_into_self(_c.MT_ZIP_DIV, other)

    def __neg__(self) -> Tensor:
        return self._map(_c.MT_MAP_NEG)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return self._map(_c.MT_MAP_ABS)

    def __lt__(self, other: Operand) -> Tensor:
        return self._zip(_c.MT_ZIP_LT, other)

    def __gt__(self, other: Operand) -> Tensor:
        return self._zip(_c.MT_ZIP_GT, other)

    def __eq__(self, other: object) -> Tensor:  # type: ignore[override]
        return self._zip(_c.MT_ZIP_EQ, other)

    def __le__(self, other: Operand) -> Tensor:
        return self._or_equal(_c.MT_ZIP_LT, other)

    def __ge__(self, other: Operand) -> Tensor:
        return self._or_equal(_c.MT_ZIP_GT, other)

    def __ne__(self, other: object) -> Tensor:  # type: ignore[override]
        """1 - (a == b): 1 for NaN, as numpy."""
        equal = self._zip(_c.MT_ZIP_EQ, other)
        return NotImplemented if equal is NotImplemented else 1 - equal

    def matmul(self, other: Tensor) -> Tensor:
        """The matrix product self @ other, batched and broadcast as numpy's matmul."""
        return self @ other

    # --- reductions -------------------------------------------------------------------------

    def _reduce(self, op, dim, keepdim):
        return _wrap(_c.mt_reduce(op, self._h, _dim_list(dim), keepdim))

    def mean(self, dim: Dims | None = None, keepdim: bool = False) -> Tensor:
        """The mean over `dim`: an int, a sequence of ints or None (every dim); `keepdim`
        keeps the reduced dims, with size 1."""
        return _wrap(_c.mt_mean(self._h, _dim_list(dim), keepdim))

    def logsumexp(self, dim: int, keepdim: bool = False) -> Tensor:
        """ln(sum(e^x)) over dim `dim`, computed without overflow."""
        return _wrap(_c.mt_logsumexp(self._h, dim, keepdim))

    def softmax(self, dim: int) -> Tensor:
        """e^x / sum(e^x) along dim `dim`."""
        return _wrap(_c.mt_softmax(self._h, dim))

    def log_softmax(self, dim: int) -> Tensor:
        """ln(softmax(x)) along dim `dim`, computed without overflow."""
        return _wrap(_c.mt_log_softmax(self._h, dim))

    # --- views and copies -------------------------------------------------------------------

    def view(self, *shape: Dims) -> Tensor:
        """A view with another shape (t.view(2, 3) or t.view((2, 3)); one size may be -1);
        the strides must allow it, else use reshape."""
        return _wrap(_c.mt_view(self._h, _dims(shape)))

    def reshape(self, *shape: Dims) -> Tensor:
        """This tensor with another shape: a view where the strides allow it, else a copy."""
        return _wrap(_c.mt_reshape(self._h, _dims(shape)))

    def expand(self, *shape: Dims) -> Tensor:
        """A view broadcast to `shape` (size-1 dims repeat with stride 0; -1 keeps a size)."""
        return _wrap(_c.mt_expand(self._h, _dims(shape)))

    def permute(self, *dims: Dims) -> Tensor:
        """A view with the dims in the order `dims`."""
        return _wrap(_c.mt_permute(self._h, _dims(dims)))

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """A view with dims `dim0` and `dim1` swapped."""
        return _wrap(_c.mt_transpose(self._h, dim0, dim1))

    @property
    def T(self) -> Tensor:
        """All dims reversed (numpy's .T)."""
        return self.permute(tuple(reversed(range(self.ndim))))

    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        """A view of elements start .. start + length - 1 of dim `dim`."""
        return _wrap(_c.mt_narrow(self._h, dim, start, length))

    def select(self, dim: int, index: int) -> Tensor:
        """A view of element `index` of dim `dim`, without that dim."""
        return _wrap(_c.mt_select(self._h, dim, index))

    def unsqueeze(self, dim: int) -> Tensor:
        """A view with a new dim of size 1 at `dim`."""
        return _wrap(_c.mt_unsqueeze(self._h, dim))

    def squeeze(self, dim: int | None = None) -> Tensor:
        """Removes `dim` (which must have size 1), or every size-1 dim."""
        if dim is not None:
            return _wrap(_c.mt_squeeze(self._h, dim))
        kept = tuple(size for size in self.shape if size != 1)
        return self.view(kept)

    def __getitem__(self, key: Any) -> Tensor:
        """Integers, slices (steps >= 1), None (a new dim) and one Ellipsis, as numpy's basic
        indexing; the result is a view. As numpy: more indices than dims, or an integer out of
        its dim's range, raise IndexError (IndexOutOfRangeError) naming the dim."""
        shape = self.shape
        keys, rest = _index_keys(key, len(shape))
        result, dim, axis = self, 0, 0  # the next dim of `result`, and of self
        for k in keys:
            if k is Ellipsis:
                dim, axis = dim + rest, axis + rest
            elif k is None:
                result = result.unsqueeze(dim)
                dim += 1
            elif isinstance(k, slice):
                result = _wrap(
                    _c.mt_slice(
                        result._h,
                        dim,
                        _bound(k.start, 0),
                        _bound(k.stop, 2**63 - 1),
                        _bound(k.step, 1),
                    )
                )
                dim, axis = dim + 1, axis + 1
            else:
                if not -shape[axis] <= k < shape[axis]:
                    raise _index_error(
                        f"index {k} is out of range for dim {axis} of size " f"{shape[axis]}"
                    )
                result = result.select(dim, k)
                axis += 1
        return result

    def __setitem__(self, key: Any, value: Data) -> None:
        """Copies `value` (a number, or a tensor, array or nested sequence broadcasting to
        self[key]) into self[key], converted to this tensor's dtype."""
        target = self[key]
        source = self._operand(value)
        if source is NotImplemented:  # nested sequences, or mt.tensor's TypeError
            source = _copy_of(value, target.device)
        if source.dtype is not target.dtype:
            source = source.to(target.dtype)
        source = source.to(target.device)
        while source.ndim > target.ndim and source.shape[0] == 1:  # as numpy: t[0] = [[5.]]
            source = source.squeeze(0)
        _c.mt_map_out(_c.MT_MAP_ID, source.expand(target.shape)._h, target._h)

    def contiguous(self) -> Tensor:
        """This tensor if it is contiguous, else a contiguous copy."""
        return _wrap(_c.mt_contiguous(self._h))

    def clone(self) -> Tensor:
        """A copy with memory of its own."""
        return _wrap(_c.mt_clone(self._h))

    def to(
        self,
        *args: DeviceLike | DTypeLike,
        device: DeviceLike | None = None,
        dtype: DTypeLike | None = None,
    ) -> Tensor:
        """t.to(dtype), t.to(device), t.to(device, dtype), or the same as keywords (torch's):
        this tensor itself when it is already there, else a copy (a dtype change always
        copies). A device is an mt.device or a str ("cpu", "cuda", "cuda:1")."""
        if len(args) > 2:
            raise TypeError(
                f"to() takes at most a device and a dtype, got {len(args)} " f"arguments"
            )
        for arg in args:
            if _device.is_device(arg):
                device = arg
            else:
                dtype = arg
        result = self
        if device is not None:
            result = _wrap(_c.mt_to_device(result._h, *_device.device(device).code))
        if dtype is not None:
            result = _wrap(_c.mt_to_dtype(result._h, _dtypes.resolve(dtype).code))
        return result

    def cuda(self, index: int = 0) -> Tensor:
        """This tensor on CUDA device `index` (itself when it is there)."""
        return self.to(_device.device("cuda", index))

    def cpu(self) -> Tensor:
        """This tensor on the CPU (itself when it is there)."""
        return self.to(_device.CPU)

    def float(self) -> Tensor:
        """A float32 copy of this tensor."""
        return self.to(_dtypes.float32)

    def double(self) -> Tensor:
        """A float64 copy of this tensor."""
        return self.to(_dtypes.float64)

    # --- autodiff ---------------------------------------------------------------------------

    @property
    def requires_grad(self) -> bool:
        """Whether backward() computes a gradient for this tensor (settable on leaves)."""
        return bool(_c.mt_requires_grad(self._h))

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        _c.mt_set_requires_grad(self._h, value)

    def requires_grad_(self, value: bool = True) -> Tensor:
        """Sets requires_grad in place and returns this tensor (torch's)."""
        self.requires_grad = value
        return self

    @property
    def is_leaf(self) -> bool:
        """Whether no recorded op made this tensor (its gradient is kept in .grad)."""
        return bool(_c.mt_is_leaf(self._h))

    @property
    def grad_fn(self) -> str | None:
        """The name of the op that made this tensor ("matmul"), or None for a leaf."""
        return _c.mt_grad_fn_name(self._h)

    @property
    def grad(self) -> Tensor | None:
        """The gradient that backward() accumulated into this leaf, or None."""
        return _wrap(_c.mt_grad(self._h))

    @grad.setter
    def grad(self, value: None) -> None:
        if value is not None:
            raise ValueError("only `tensor.grad = None` (clearing the gradient) is supported")
        _c.mt_zero_grad(self._h)

    def backward(self, grad: Tensor | None = None, retain_graph: bool = False) -> None:
        """Adds d(self)/d(leaf) . grad to the .grad of every leaf that requires grad; `grad`
        has self's shape (None: 1, for a one-element tensor). The graph is freed unless
        `retain_graph`."""
        grad = None if grad is None else _handle(grad, "backward: grad")
        _c.mt_backward(self._h, grad, retain_graph)

    def detach(self) -> Tensor:
        """A view of the same memory outside the graph (requires no grad)."""
        return _wrap(_c.mt_detach(self._h))

    # --- numpy and DLPack -------------------------------------------------------------------

    def __dlpack__(
        self,
        stream: Any = None,
        max_version: tuple[int, int] | None = None,
        dl_device: tuple[int, int] | None = None,
        copy: bool | None = None,
    ) -> Any:
        """An unversioned "dltensor" capsule (what the protocol allows for any max_version);
        copy=True exports a copy, copy=False and None share this tensor's memory."""
        on_cpu = self.device.type == "cpu"
        if stream is not None and on_cpu:
            raise BufferError(f"stream {stream!r}: a CPU tensor takes no stream")
        if dl_device is not None and tuple(dl_device) != self.__dlpack_device__():
            raise BufferError(
                f"dl_device {dl_device!r}: the tensor is on {self.device}, "
                f"{self.__dlpack_device__()}"
            )
        exported = self.clone() if copy else self
        if not on_cpu:  # the consumer's stream may read it at once: finish the queued work
            _c.mt_cuda_synchronize()
        return _c.mt_to_dlpack(exported._h)

    def __dlpack_device__(self) -> tuple[int, int]:
        """(kDLCPU, 0) or (kDLCUDA, index): DLPack's device type and number."""
        type_code, index = _c.mt_device(self._h)
        return (1, 0) if type_code == _c.MT_DEVICE_CPU else (2, index)  # kDLCPU, kDLCUDA

    def numpy(self) -> Any:
        """A writable numpy array sharing this tensor's memory (no copy), as torch's. A
        tensor on a device raises TypeError: copy it to the host with .cpu() first."""
        import numpy

        if self.device.type != "cpu":
            raise TypeError(
                f"can't convert a {self.device} tensor to numpy: use "
                f"Tensor.cpu() to copy it to host memory first"
            )
        return numpy.asarray(_NumpyExport(self))

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> Any:
        """numpy's protocol: shares memory unless `copy` or another dtype asks for a copy
        (which copy=False refuses with ValueError, as numpy 2 expects)."""
        import numpy

        result = self.numpy()
        if dtype is not None and numpy.dtype(dtype) != result.dtype:
            if copy is False:
                raise ValueError(
                    f"__array__: a {self.dtype.name} tensor cannot become "
                    f"{numpy.dtype(dtype)} without a copy"
                )
            return result.astype(dtype)
        return result.copy() if copy else result


class _NumpyExport:
    """A tensor's memory as numpy's __array_interface__. The array keeps this object, and so
    a view of the tensor, alive: closing the tensor leaves the memory to the array."""

    __slots__ = ("_view", "__array_interface__")

    def __init__(self, tensor):
        self._view = tensor.detach()
        itemsize = tensor.dtype.itemsize
        # Read-only where elements repeat (stride 0), as numpy's broadcast_to.
        broadcast = any(
            stride == 0 and size > 1 for size, stride in zip(tensor.shape, tensor.strides)
        )
        self.__array_interface__ = {
            "version": 3,
            "shape": tensor.shape,
            "typestr": f"{'<' if sys.byteorder == 'little' else '>'}f{itemsize}",
            "data": (_c.mt_py_data_address(self._view._h), broadcast),
            "strides": tuple(stride * itemsize for stride in tensor.strides),
        }
