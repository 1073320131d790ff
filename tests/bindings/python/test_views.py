"""Views share memory with their source (writes show through); copies do not."""
import numpy as np
import pytest
from conftest import values

import minitensor as mt


@pytest.fixture
def cube():
    """arange(24) as (2, 3, 4) in float64, and the same numpy array."""
    return mt.arange(24, dtype=mt.float64).view(2, 3, 4), np.arange(24.0).reshape(2, 3, 4)


def test_view_methods_match_numpy(cube):
    t, a = cube
    cases = [
        (t.view(6, 4), a.reshape(6, 4)),
        (t.view(-1), a.reshape(-1)),
        (t.reshape(4, -1), a.reshape(4, 6)),
        (t.permute(2, 0, 1), a.transpose(2, 0, 1)),
        (t.transpose(0, 2), a.swapaxes(0, 2)),
        (t.T, a.T),
        (t.narrow(2, 1, 2), a[:, :, 1:3]),
        (t.select(1, -1), a[:, -1]),
        (t.unsqueeze(1), a[:, None]),
        (t[:1].squeeze(0), a[0]),
        (t[:, :1].squeeze(), a[:, 0]),
        (t.expand(5, 2, 3, 4), np.broadcast_to(a, (5, 2, 3, 4))),
        (mt.ones(3, 1).expand(-1, 4), np.ones((3, 4))),
    ]
    for view, expected in cases:
        np.testing.assert_array_equal(values(view), expected)
        assert view.shares_memory(t) or view.numel() == 12


def test_getitem_matches_numpy(cube):
    t, a = cube
    for key in [
        1,
        -1,
        (1, 2),
        (0, -1, 3),
        slice(None),
        (slice(None), 1),
        (..., 2),
        (Ellipsis, slice(1, None, 2)),
        (1, ..., slice(None, None, 3)),
        (slice(None, None, 2), None, 0),
        (None, 1),
        slice(5, 9),
        (-2, slice(-2, None)),
    ]:
        view = t[key]
        np.testing.assert_array_equal(values(view), a[key], err_msg=str(key))
        assert view.shares_memory(t)
    assert t[1, 2, 3].item() == 23.0 and t[1, 2, 3].shape == ()
    assert t.get(1, 2, 3) == 23.0 and t.T.stride(0) == 1 and t.size(1) == 3


def test_writes_through_a_view_show_in_the_source(cube):
    t, _ = cube
    column = t[:, 1, ::2]
    column[...] = -1
    assert t[0, 1].tolist() == [-1.0, 5.0, -1.0, 7.0]
    assert t[1, 1].tolist() == [-1.0, 17.0, -1.0, 19.0]


def test_copies_do_not_share_memory(cube):
    t, a = cube
    transposed = t.transpose(0, 2)
    assert not transposed.is_contiguous()
    dense = transposed.contiguous()
    assert dense.is_contiguous() and not dense.shares_memory(t)
    np.testing.assert_array_equal(values(dense), a.swapaxes(0, 2))
    assert dense.strides == (6, 2, 1) and transposed.strides == (1, 4, 12)
    assert t.contiguous().shares_memory(t)  # already contiguous: the same memory
    for copy in (t.clone(), t.to(mt.float32), t.detach().clone()):
        assert not copy.shares_memory(t)
        np.testing.assert_array_equal(values(copy), a)
    assert t.detach().shares_memory(t)
    reshaped = transposed.reshape(24)  # impossible as a view: a copy
    assert not reshaped.shares_memory(t)
    np.testing.assert_array_equal(values(reshaped), a.swapaxes(0, 2).reshape(24))


def test_tolist_and_iteration(cube):
    t, a = cube
    assert t.tolist() == a.tolist() and mt.scalar(2).tolist() == 2.0
    assert [row.tolist() for row in t[0]] == a[0].tolist()
    assert bool(mt.tensor([3])) and not bool(mt.scalar(0))
    with pytest.raises(ValueError, match=r"shape \(2, 3, 4\) is ambiguous"):
        bool(t)
    with pytest.raises(TypeError, match="len"):
        len(mt.scalar(1))


@pytest.mark.parametrize(
    "key,message",
    [
        ((1, 2, 3), "too many indices for tensor: tensor is 2-dimensional, but 3 were indexed"),
        (
            (None, 1, ..., 2, 0),
            "too many indices for tensor: tensor is 2-dimensional, but 3 were " "indexed",
        ),  # None and ... index no dim
        (
            (slice(None), slice(None), 0),
            "too many indices for tensor: tensor is 2-dimensional, " "but 3 were indexed",
        ),
        (3, "index 3 is out of range for dim 0 of size 3"),
        (-4, "index -4 is out of range for dim 0 of size 3"),
        ((0, 4), "index 4 is out of range for dim 1 of size 4"),  # dim 1 of the tensor indexed
        ((slice(1, None), -5), "index -5 is out of range for dim 1 of size 4"),
        ((..., 4), "index 4 is out of range for dim 1 of size 4"),
        ((None, 0, None, 4), "index 4 is out of range for dim 1 of size 4"),
        (2**63, "index 9223372036854775808 is out of range for dim 0 of size 3"),
        ((0, -(2**70)), "index -1180591620717411303424 is out of range for dim 1 of size 4"),
    ],
)
def test_index_errors_name_the_dim_as_numpy(key, message):
    t, a = mt.zeros(3, 4), np.zeros((3, 4))
    with pytest.raises((IndexError, OverflowError)):  # OverflowError past int64
        a[key]  # numpy refuses the same keys
    for index in (lambda: t[key], lambda: t.__setitem__(key, 1.0)):
        with pytest.raises(mt.IndexOutOfRangeError) as caught:
            index()
        assert str(caught.value) == message and caught.value.status == 3


def test_a_0d_tensor_takes_no_index_but_ellipsis_and_none():
    t = mt.scalar(2.0)
    with pytest.raises(IndexError, match="tensor is 0-dimensional, but 1 were indexed"):
        t[0]
    assert t[...].shape == () and t[None].shape == (1,) and t[..., None].tolist() == [2.0]


def test_integer_indices_take_numpy_integers_and_index_objects(cube):
    t, a = cube

    class Index:
        def __index__(self):
            return 2

    for key, plain in [
        ((np.int64(1), np.int32(-1)), (1, -1)),
        ((np.array(1), Index()), (1, 2)),
        ((np.uint8(0), ..., Index()), (0, ..., 2)),
        ((slice(np.int64(1), Index()), slice(None, np.array(2))), (slice(1, 2), slice(None, 2))),
    ]:
        np.testing.assert_array_equal(values(t[key]), a[plain])
        np.testing.assert_array_equal(values(t[key]), values(t[plain]))
