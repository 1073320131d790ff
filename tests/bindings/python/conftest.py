"""Shared helpers of the Python bindings' tests (run by ctest BindingsPython with PYTHONPATH
pointing at the build tree's package)."""
import numpy as np
import pytest

import minitensor as mt

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
