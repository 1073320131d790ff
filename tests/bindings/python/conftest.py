"""Shared helpers of the Python bindings' tests (run by ctest BindingsPython with PYTHONPATH
pointing at the build tree's package)."""
import inspect
import types

import numpy as np
import pytest

import minitensor as mt
from minitensor._ops import TensorOps

DTYPES = [(mt.float32, np.float32), (mt.float64, np.float64)]
# Tolerances against numpy/torch computing in the same precision.
TOLERANCE = {mt.float32: dict(rtol=1e-5, atol=1e-6), mt.float64: dict(rtol=1e-12, atol=1e-12)}


@pytest.fixture
def rng():
    return np.random.default_rng(20261130)


def values(t):
    """A tensor's elements as a numpy array, read through tolist() (a copy, not DLPack)."""
    return np.array(t.tolist()).reshape(t.shape)


def assert_matches(t, expected, dtype):
    """t has expected's shape, the given dtype and its values within the dtype's tolerance."""
    assert t.dtype == dtype
    assert t.shape == tuple(np.shape(expected))
    np.testing.assert_allclose(values(t), expected, **TOLERANCE[dtype])


def public_callables():
    """{'minitensor.zeros': the function, 'minitensor.nn.Linear': the class, 'Tensor.select',
    'Tensor.__add__', ...}: the public functions and classes (exceptions aside: they take a
    message) of minitensor and of its public submodules (mt.nn, ...), and the methods,
    operators and properties of those classes and of their bases in the package (the
    generated per-op methods of TensorOps under Tensor's name: they are its methods)."""
    found, classes = {}, set()
    exported = [(mt, name) for name in mt.__all__]
    submodules = [
        getattr(mt, name) for _, name in exported if isinstance(getattr(mt, name), types.ModuleType)
    ]
    exported += [
        (module, name)
        for module in submodules
        for name, value in vars(module).items()
        if not name.startswith("_") and getattr(value, "__module__", None) == module.__name__
    ]  # defined there, not imported
    for module, name in exported:
        value = getattr(module, name)
        if not callable(value) or (inspect.isclass(value) and issubclass(value, BaseException)):
            continue
        found[f"{module.__name__}.{name}"] = value
        if inspect.isclass(value):
            classes.update(
                owner for owner in value.__mro__ if owner.__module__.startswith("minitensor")
            )
    for owner in classes:
        for name, value in vars(owner).items():
            public = not name.startswith("_") or (  # or an operator, a protocol method
                name.startswith("__") and name.endswith("__") and name != "__init__"
            )
            if public and (inspect.isfunction(value) or isinstance(value, property)):
                owner_name = "Tensor" if owner is TensorOps else owner.__qualname__
                found[f"{owner_name}.{name}"] = value
    return found
