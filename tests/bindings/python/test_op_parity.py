"""Every op of the library, enumerated at run time through its name functions (mt_map_name(i)
for i = 0, 1, ... until None; mt_zip_name, mt_reduce_name), has its Tensor method computing
that op, and every map op matches the torch function of its name: an op added to the C API is
checked here without an edit."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conftest import DTYPES, TOLERANCE, values

import minitensor as mt
from minitensor import _minitensor_native as _c


def c_ops(name_function):
    """The library's op names, in code order."""
    names = []
    while (name := name_function(len(names))) is not None:
        names.append(name)
    return names


KINDS = {"map": _c.mt_map_name, "zip": _c.mt_zip_name, "reduce": _c.mt_reduce_name}
# Methods named otherwise than their op: other names, and the operators.
METHODS = {
    ("map", "inv"): "reciprocal",
    ("zip", "add"): "__add__",
    ("zip", "sub"): "__sub__",
    ("zip", "mul"): "__mul__",
    ("zip", "div"): "__truediv__",
    ("zip", "max"): "maximum",
    ("zip", "min"): "minimum",
    ("zip", "lt"): "__lt__",
    ("zip", "gt"): "__gt__",
    ("zip", "eq"): "__eq__",
    ("zip", "is_close"): "isclose",
}
# Ops without a method of their own, and what the API has instead.
NO_METHOD = {
    ("map", "id"): "t.clone()",
    ("zip", "binary_cross_entropy"): "mt.nn.binary_cross_entropy",
}
# torch's function where it is not torch.<op>, torch.special.<op> or F.<op>.
TORCH = {
    "id": torch.clone,
    "inv": torch.reciprocal,
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
}
# Where the references are compared: both signs, around 0 (log1p, expm1), and large.
POINTS = [-30.0, -3.0, -1.5, -0.7, -0.2, -1e-5, 0.0, 1e-5, 0.3, 0.9, 1.6, 4.0, 30.0]


def method_name(kind, name):
    return METHODS.get((kind, name), name)


def operands(dtype):
    a = mt.tensor([[0.5, -1.25, 2.0], [3.0, -0.75, 0.25]], dtype)
    return a, mt.tensor([1.5, -1.25, 0.5], dtype)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_enumeration_finds_the_headers_ops(kind):
    """The library's names against the header's constants (MT_MAP_NEG = 0, ...)."""
    prefix = f"MT_{kind.upper()}_"
    constants = {getattr(_c, c): c[len(prefix) :].lower() for c in dir(_c) if c.startswith(prefix)}
    assert c_ops(KINDS[kind]) == [constants[code] for code in range(len(constants))]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_op_has_its_method(kind):
    missing = [
        f"{name} (Tensor.{method_name(kind, name)})"
        for name in c_ops(KINDS[kind])
        if (kind, name) not in NO_METHOD
        and not callable(getattr(mt.Tensor, method_name(kind, name), None))
    ]
    assert not missing, f"{kind} ops without their Tensor method: {missing}"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_method_computes_its_op(kind):
    """The method's result is bitwise the op's, run through the op code."""
    a, b = operands(mt.float64)
    wrong = []
    for code, name in enumerate(c_ops(KINDS[kind])):
        if (kind, name) in NO_METHOD:
            continue
        method = getattr(a, method_name(kind, name))
        if kind == "map":
            got, expected = method(), a._map(code)
        elif kind == "zip":
            got, expected = method(b), a._zip(code, b)
        else:
            got, expected = method(), a._reduce(code, None, False)
        if not np.array_equal(values(got), values(expected), equal_nan=True):
            wrong.append(name)
    assert not wrong, f"{kind} methods computing another op: {wrong}"


def torch_function(name):
    """torch's function of the map op `name`, or None."""
    if name in TORCH:
        return TORCH[name]
    for module in (torch, torch.special, F):
        function = getattr(module, name, None)
        if callable(function):
            return function
    return None


def test_every_map_op_has_a_torch_reference():
    unknown = [name for name in c_ops(_c.mt_map_name) if torch_function(name) is None]
    assert not unknown, f"map ops without a torch reference: add them to TORCH: {unknown}"


@pytest.mark.parametrize("dtype,np_dtype", DTYPES)
def test_map_ops_match_torch(dtype, np_dtype):
    """Compared where torch's result is finite, which must be most of the points."""
    x = torch.tensor(POINTS, dtype=getattr(torch, dtype.name))
    t = mt.tensor(POINTS, dtype)
    for code, name in enumerate(c_ops(_c.mt_map_name)):
        function = torch_function(name)
        if function is None:
            continue  # test_every_map_op_has_a_torch_reference fails for it
        expected = function(x).numpy().astype(np.float64)
        finite = np.isfinite(expected)
        assert finite.sum() >= len(POINTS) // 2, f"{name}: too few points in its domain"
        got = values(t._map(code))
        np.testing.assert_allclose(got[finite], expected[finite], err_msg=name, **TOLERANCE[dtype])
