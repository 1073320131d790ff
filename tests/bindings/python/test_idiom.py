"""What a numpy / PyTorch user expects of a Tensor beyond arithmetic: operands of other types,
conversions, formatting, indexing edge cases, assignment, pickling and copies."""
import copy
import pickle

import numpy as np
import pytest

import minitensor as mt


def test_numpy_operands_give_tensors_on_either_side():
    t = mt.tensor([1.0, 2.0, 3.0])
    for result in (np.float64(2) * t, t * np.float32(2), np.ones(3) + t, t + np.ones(3)):
        assert isinstance(result, mt.Tensor)
    assert (np.float64(2) * t).tolist() == [2.0, 4.0, 6.0]
    assert (np.arange(3.0) - t).tolist() == [-1.0, -1.0, -1.0]
    assert (np.arange(3.0) + t).dtype == mt.float64  # a float64 array promotes, as numpy
    assert isinstance(np.ones(3) @ t, mt.Tensor) and (np.ones(3) @ t).item() == 6.0
    assert (t @ np.ones(3)).item() == 6.0
    with pytest.raises(TypeError):
        t @ 2.0
    np.testing.assert_allclose(np.exp(t), np.exp([1.0, 2.0, 3.0]), rtol=1e-6)  # still works


@pytest.mark.parametrize("compare", [lambda t: t <= "a", lambda t: t >= "a"])
def test_comparisons_with_unsupported_types_raise_type_error(compare):
    with pytest.raises(TypeError, match="not supported between"):
        compare(mt.ones(2))


def test_conversions_and_formatting():
    assert int(mt.tensor(3.7)) == 3 and float(mt.tensor([2.5])) == 2.5
    assert f"{mt.tensor(1 / 3):.3f}" == "0.333"
    assert f"{mt.tensor(2.0)}" == repr(mt.tensor(2.0))
    with pytest.raises(TypeError, match="unsupported format string"):  # as torch
        format(mt.ones(2), ".2f")


def test_repr_of_a_closed_tensor_does_not_raise():
    t = mt.ones(2)
    t.close()
    assert repr(t) == "tensor(<closed>)"
    with pytest.raises(ValueError, match="was closed"):
        t.tolist()


def test_indexing_edge_cases_as_numpy():
    t = mt.arange(4)
    with pytest.raises(IndexError, match="single ellipsis"):
        t[..., ...]
    with pytest.raises(TypeError, match="tensor indices must be .*, not bool"):  # no masks
        t[True]
    assert t[2**70 :].shape == (0,) and t[-(2**70) : 2**70].tolist() == [0, 1, 2, 3]
    assert t[np.int64(1) : np.int64(3)].tolist() == [1, 2]
    with pytest.raises(TypeError, match="slice indices|integer"):
        t[:1.5]


def test_assignment_converts_and_broadcasts_as_numpy():
    t = mt.zeros(2, 3)
    t[0] = [1, 2, 3]
    t[1] = np.array([4.0, 5.0, 6.0])  # float64 into float32
    assert t.tolist() == [[1, 2, 3], [4, 5, 6]]
    t[0, 0] = mt.tensor([[9.0]], dtype=mt.float64)  # leading size-1 dims drop
    t[1, :] = mt.tensor(7.0, dtype=mt.float64)
    assert t.tolist() == [[9, 2, 3], [7, 7, 7]] and t.dtype == mt.float32
    with pytest.raises(ValueError, match="cannot broadcast"):
        t[0] = [1.0, 2.0]


def test_in_place_ops_cast_the_operand_to_the_tensor_dtype():
    t = mt.ones(3)
    t += mt.tensor([0.5, 1.5, 2.5], dtype=mt.float64)
    t *= np.full(3, 2.0)
    assert t.dtype == mt.float32 and t.tolist() == [3.0, 5.0, 7.0]


@pytest.mark.parametrize("dtype", [mt.float32, mt.float64])
@pytest.mark.parametrize("shape", [(), (0,), (0, 3), (2, 0), (2, 3)])
def test_tensors_pickle_and_deep_copy_by_value(dtype, shape):
    t = mt.rand(*shape, dtype=dtype)
    for other in (pickle.loads(pickle.dumps(t)), copy.deepcopy(t), copy.copy(t)):
        assert other.shape == shape and other.dtype is dtype
        assert other.tolist() == t.tolist() and not other.shares_memory(t)
    leaf = pickle.loads(pickle.dumps(mt.ones(2, requires_grad=True)))
    assert leaf.requires_grad and leaf.is_leaf


def test_dtypes_pickle_to_themselves_and_handles_refuse_clearly():
    assert pickle.loads(pickle.dumps(mt.float64)) is mt.float64
    assert copy.deepcopy(mt.float32) is mt.float32
    for handle in (mt.Generator(1), mt.nn.Linear(2, 2), mt.nn.MLP([2, 2])):
        with pytest.raises(TypeError, match=f"cannot pickle a minitensor.{type(handle).__name__}"):
            pickle.dumps(handle)


def test_tensor_copies_tensors_outside_the_graph():
    source = mt.ones(2, requires_grad=True)
    copied = mt.tensor(source * 2, requires_grad=True)
    assert copied.is_leaf and copied.requires_grad and copied.tolist() == [2.0, 2.0]
    stacked = mt.tensor([mt.tensor(1.0), mt.tensor(2.0)])
    assert stacked.shape == (2,) and stacked.tolist() == [1.0, 2.0]
    assert mt.tensor([mt.zeros(0, 3)] * 2).shape == (2, 0, 3)


def test_like_functions_take_dtype_and_requires_grad():
    base = mt.ones(2, 3)
    z = mt.zeros_like(base, dtype=mt.float64, requires_grad=True)
    assert z.shape == (2, 3) and z.dtype == mt.float64 and z.requires_grad
    assert mt.ones_like(base).dtype == mt.float32 and not mt.ones_like(base).requires_grad
