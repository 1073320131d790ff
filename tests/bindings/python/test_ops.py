"""Every op family against numpy and torch on seeded random shapes, both dtypes, with
broadcasting and strided (transposed, sliced) operands."""
import operator

import numpy as np
import pytest
import torch
from conftest import DTYPES, assert_matches

import minitensor as mt

MAPS = {  # method name: (numpy function, torch function, input transform to the domain)
    "neg": (np.negative, torch.neg, None),
    "exp": (np.exp, torch.exp, None),
    "log": (np.log, torch.log, np.abs),
    "sigmoid": (lambda a: 1 / (1 + np.exp(-a)), torch.sigmoid, None),
    "relu": (lambda a: np.maximum(a, 0), torch.relu, None),
    "tanh": (np.tanh, torch.tanh, None),
    "reciprocal": (np.reciprocal, torch.reciprocal, None),
    "abs": (np.abs, torch.abs, None),
    "sqrt": (np.sqrt, torch.sqrt, np.abs),
    "square": (np.square, torch.square, None),
}
ZIPS = {  # operator: numpy function (torch's has the same name)
    "add": (lambda a, b: a + b),
    "sub": (lambda a, b: a - b),
    "mul": (lambda a, b: a * b),
    "truediv": (lambda a, b: a / b),
    "maximum": np.maximum,
    "minimum": np.minimum,
}
COMPARISONS = [operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne]


def random_shape(rng, ndim):
    return tuple(int(s) for s in rng.integers(1, 6, size=ndim))


def broadcast_partner(rng, shape):
    """A shape that broadcasts with `shape`: some dims set to 1, maybe fewer leading dims."""
    partner = [1 if rng.random() < 0.4 else s for s in shape]
    return tuple(partner[int(rng.integers(0, len(partner) + 1)) :])


def strided(rng, shape, dtype, np_dtype):
    """(mt tensor, numpy array) with equal values; the tensor is a transposed or sliced view
    half of the time."""
    a = rng.standard_normal(shape).astype(np_dtype)
    kind = rng.integers(0, 3)
    if kind == 1 and len(shape) >= 2:  # a transposed view of the transposed data
        return mt.tensor(np.ascontiguousarray(a.swapaxes(0, -1)), dtype).transpose(0, -1), a
    if kind == 2:  # every second row of a taller tensor
        tall = rng.standard_normal((2 * shape[0],) + shape[1:]).astype(np_dtype)
        return mt.tensor(tall, dtype)[::2], tall[::2]
    return mt.tensor(a, dtype), a


@pytest.mark.parametrize("dtype,np_dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(MAPS))
def test_maps(name, dtype, np_dtype, rng):
    np_fn, torch_fn, domain = MAPS[name]
    for _ in range(5):
        t, a = strided(rng, random_shape(rng, int(rng.integers(0, 4))), dtype, np_dtype)
        if domain is not None:
            a = domain(a) + np_dtype(0.1)
            t = abs(t) + 0.1
        result = getattr(t, name)()
        assert_matches(result, np_fn(a), dtype)
        assert_matches(result, torch_fn(torch.from_numpy(np.array(a))).numpy(), dtype)


@pytest.mark.parametrize("dtype,np_dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(ZIPS))
def test_zips_broadcast(name, dtype, np_dtype, rng):
    for _ in range(5):
        shape = random_shape(rng, int(rng.integers(1, 5)))
        t, a = strided(rng, shape, dtype, np_dtype)
        u, b = strided(rng, broadcast_partner(rng, shape), dtype, np_dtype)
        if name in ZIPS and name in ("add", "sub", "mul", "truediv"):
            result = getattr(t, f"__{name}__")(u)
            reflected = getattr(u, f"__{name}__")(t)
            assert_matches(reflected, ZIPS[name](b, a), dtype)
        else:
            result = getattr(t, name)(u)
        assert_matches(result, ZIPS[name](a, b), dtype)
        torch_name = {"truediv": "div"}.get(name, name)
        expected = getattr(torch, torch_name)(torch.from_numpy(a), torch.from_numpy(b))
        assert_matches(result, expected.numpy(), dtype)


@pytest.mark.parametrize("dtype,np_dtype", DTYPES)
def test_numbers_and_pow(dtype, np_dtype, rng):
    a = rng.uniform(0.5, 2, (3, 4)).astype(np_dtype)
    t = mt.tensor(a, dtype)
    assert_matches(2 + t, 2 + a, dtype)
    assert_matches(1 - t, 1 - a, dtype)
    assert_matches(t * 3, a * 3, dtype)
    assert_matches(1 / t, 1 / a, dtype)
    assert_matches(t**2.5, a ** np_dtype(2.5), dtype)
    assert_matches(2**t, np_dtype(2) ** a, dtype)
    assert_matches(t**t, a**a, dtype)
    assert_matches(-t, -a, dtype)
    assert (t + 1).dtype == dtype  # numbers take the tensor's dtype
    assert (mt.ones(2) + mt.ones(2, dtype=mt.float64)).dtype == mt.float64


@pytest.mark.parametrize("dtype,np_dtype", DTYPES)
def test_comparisons(dtype, np_dtype, rng):
    a = rng.integers(0, 3, (4, 5)).astype(np_dtype)
    b = rng.integers(0, 3, (5,)).astype(np_dtype)
    a[0, 0] = np.nan  # every comparison but != is false for NaN
    t, u = mt.tensor(a, dtype), mt.tensor(b, dtype)
    for compare in COMPARISONS:
        assert_matches(compare(t, u), compare(a, b).astype(np_dtype), dtype)
        assert_matches(compare(t, 1), compare(a, 1).astype(np_dtype), dtype)
        assert_matches(compare(2, t), compare(2, a).astype(np_dtype), dtype)
    assert_matches(t.isclose(t + 1e-9), np.isclose(a, a + 1e-9).astype(np_dtype), dtype)


@pytest.mark.parametrize("dtype,np_dtype", DTYPES)
@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "prod"])
def test_reductions(name, dtype, np_dtype, rng):
    for _ in range(6):
        shape = random_shape(rng, int(rng.integers(1, 5)))
        t, a = strided(rng, shape, dtype, np_dtype)
        ndim = len(shape)
        dims = [
            None,
            int(rng.integers(-ndim, ndim)),
            tuple(sorted(set(int(d) for d in rng.integers(0, ndim, size=2)))),
        ]
        for dim in dims:
            for keepdim in (False, True):
                result = getattr(t, name)(dim=dim, keepdim=keepdim)
                expected = getattr(np, name if name != "prod" else "prod")(
                    a, axis=dim, keepdims=keepdim
                )
                assert_matches(result, np.asarray(expected), dtype)
        torch_all = getattr(torch.from_numpy(np.array(a)), name)()
        assert_matches(getattr(t, name)(), torch_all.numpy(), dtype)


@pytest.mark.parametrize("dtype,np_dtype", DTYPES)
def test_matmul_shapes(dtype, np_dtype, rng):
    cases = [
        ((3,), (3,)),
        ((2, 3), (3,)),
        ((3,), (3, 4)),
        ((5, 3), (3, 4)),
        ((2, 5, 3), (3, 4)),
        ((2, 1, 5, 3), (3, 3, 4)),
        ((7, 64), (64, 9)),
    ]
    for left, right in cases:
        a = rng.standard_normal(left).astype(np_dtype)
        b = rng.standard_normal(right).astype(np_dtype)
        result = mt.tensor(a, dtype) @ mt.tensor(b, dtype)
        assert_matches(result, a @ b, dtype)
        assert_matches(
            result, torch.matmul(torch.from_numpy(a), torch.from_numpy(b)).numpy(), dtype
        )
    # Strided operands: a transposed left and a sliced right.
    a = rng.standard_normal((6, 4)).astype(np_dtype)
    b = rng.standard_normal((12, 5)).astype(np_dtype)
    assert_matches(mt.matmul(mt.tensor(a, dtype).T, mt.tensor(b, dtype)[::2]), a.T @ b[::2], dtype)


def test_in_place_operators_write_the_tensor_and_its_views():
    t = mt.ones(2, 3)
    row = t[1]
    t += 2
    t *= mt.tensor([1, 2, 3])
    t -= 1
    t /= 2
    assert t.tolist() == [[1.0, 2.5, 4.0]] * 2 and row.tolist() == [1.0, 2.5, 4.0]
    t[0, 1] = 9
    t[1] = mt.tensor([7, 8, 9])
    t[:, 2] = 0
    assert t.tolist() == [[1.0, 9.0, 0.0], [7.0, 8.0, 0.0]]
