import array

import numpy as np
import pytest
from conftest import DTYPES, values

import minitensor as mt


def test_tensor_from_nested_lists_copies_values_and_shape():
    t = mt.tensor([[1, 2, 3], [4, 5, 6]])
    assert t.shape == (2, 3) and t.dtype == mt.float32 and t.ndim == 2 and t.numel() == 6
    assert t.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert t.strides == (3, 1) and t.is_contiguous() and len(t) == 2
    assert mt.tensor(2.5, dtype=mt.float64).shape == () and mt.tensor(2.5).item() == 2.5
    assert mt.tensor([]).shape == (0,)


def test_ragged_lists_are_rejected():
    with pytest.raises(ValueError, match="ragged"):
        mt.tensor([[1, 2], [3]])


@pytest.mark.parametrize("data", ["abc", [b"ab"], None, {1: 2}])
def test_data_that_is_not_numbers_is_a_type_error(data):
    with pytest.raises(TypeError, match="mt.tensor: expected a number or nested sequences"):
        mt.tensor(data)


def test_shapes_must_be_ints():
    with pytest.raises(
        TypeError,
        match="mt_zeros: argument 'shape' must be an integer or a "
        "sequence of integers, not float",
    ):
        mt.zeros(2.5)
    with pytest.raises(
        TypeError,
        match="mt_zeros: argument 'shape' must be an integer or a "
        "sequence of integers, not NoneType",
    ):
        mt.zeros(None)  # not a 0-d shape: that is mt.zeros() or mt.zeros(())
    assert mt.zeros(()).shape == mt.zeros().shape == ()


@pytest.mark.parametrize("dtype,np_dtype", DTYPES)
def test_zero_dim_numpy_values_stay_zero_dim(dtype, np_dtype):
    for data in (np_dtype(3.5), np.array(3.5, dtype=np_dtype)):
        t = mt.tensor(data)
        assert t.shape == () and t.dtype == dtype and t.item() == 3.5


@pytest.mark.parametrize("dtype,np_dtype", DTYPES)
def test_tensor_from_numpy_is_a_copy(dtype, np_dtype, rng):
    a = rng.standard_normal((3, 4)).astype(np_dtype)
    t = mt.tensor(a)
    assert t.dtype == dtype and t.shape == (3, 4)
    np.testing.assert_array_equal(values(t), a)
    a[0, 0] = 100
    assert t.tolist()[0][0] != 100
    # A strided (transposed) array is copied in its logical order.
    np.testing.assert_array_equal(values(mt.tensor(a.T, dtype=dtype)), a.T)


@pytest.mark.parametrize("dtype,np_dtype", DTYPES)
def test_filled_tensors(dtype, np_dtype):
    assert values(mt.zeros(2, 3, dtype=dtype)).tolist() == [[0.0] * 3] * 2
    assert values(mt.ones((2,), dtype=dtype)).tolist() == [1.0, 1.0]
    assert mt.full((2, 2), 7.5, dtype=dtype).tolist() == [[7.5, 7.5], [7.5, 7.5]]
    assert mt.empty(4, 5, dtype=dtype).shape == (4, 5)
    assert mt.scalar(3, dtype).shape == () and mt.scalar(3, dtype).item() == 3.0
    np.testing.assert_array_equal(
        values(mt.arange(1, 2, 0.25, dtype=dtype)), np.arange(1, 2, 0.25, dtype=np_dtype)
    )
    np.testing.assert_array_equal(values(mt.arange(5)), np.arange(5))
    assert mt.zeros_like(mt.ones(2, dtype=dtype)).dtype == dtype


def test_random_tensors_follow_their_generator():
    a = mt.rand(1000, generator=mt.Generator(5), low=-2, high=3)
    b = mt.rand(1000, generator=mt.Generator(5), low=-2, high=3)
    assert a.tolist() == b.tolist()
    assert -2 <= a.min().item() and a.max().item() < 3
    assert abs(a.mean().item() - 0.5) < 0.2
    n = mt.randn(20000, mean=1, std=2, dtype=mt.float64, generator=mt.Generator(1))
    assert abs(n.mean().item() - 1) < 0.1 and abs(values(n).std() - 2) < 0.1
    mt.manual_seed(11)
    first = mt.randn(5).tolist()
    mt.manual_seed(11)
    assert mt.randn(5).tolist() == first
    generator = mt.Generator(0)
    drawn = mt.rand(3, generator=generator).tolist()
    assert mt.rand(3, generator=generator.manual_seed(0)).tolist() == drawn


def test_dtypes():
    assert mt.float32.itemsize == 4 and repr(mt.float64) == "minitensor.float64"
    t = mt.ones(2)
    assert t.to(mt.float64).dtype == mt.float64 and t.to("float64").dtype == mt.float64
    assert t.to(np.float64).dtype == mt.float64 and t.double().float().dtype == mt.float32
    with pytest.raises(TypeError, match="unsupported dtype 'int8'"):
        t.to("int8")


def test_repr_is_the_library_text():
    assert (
        repr(mt.tensor([[1, 2], [3, 4]])) == "tensor([[1., 2.],\n        [3., 4.]], dtype=float32)"
    )


def test_raw_buffers_round_trip():
    from minitensor import _minitensor_native as raw

    t = raw.mt_from_buffer(array.array("d", [1, 2, 3, 4, 5, 6]), (2, 3), raw.MT_FLOAT32)
    out = array.array("f", bytes(4 * 6))
    raw.mt_to_buffer(t, out)
    assert out.tolist() == [1, 2, 3, 4, 5, 6]
    with pytest.raises(TypeError, match="format 'l'"):
        raw.mt_from_buffer(array.array("l", [1]), (1,), raw.MT_FLOAT32)
    with pytest.raises(ValueError, match="mt_to_buffer"):
        raw.mt_to_buffer(t, array.array("d", [0.0]))  # room for 1 of 6
    with pytest.raises(BufferError, match="not writable"):
        raw.mt_to_buffer(t, b"\0" * 48)


@pytest.mark.parametrize("dtype,np_dtype", DTYPES)
def test_rand_samples_the_whole_finite_range(dtype, np_dtype):
    # high - low overflows: every sample was once ~high (the adversarial review's probe).
    top = float(np.finfo(np_dtype).max)
    u = mt.rand(100000, low=-top, high=top, dtype=dtype, generator=mt.Generator(3)).numpy()
    assert np.isfinite(u).all() and (u >= -top).all() and (u < top).all()
    assert u.min() < -0.99 * top and u.max() > 0.99 * top
    assert abs(float(np.mean(u / top))) < 0.01  # uniform on [-1, 1) scaled: mean 0
    assert 0.49 < float(np.mean(u < 0)) < 0.51


def test_creators_refuse_values_the_dtype_cannot_hold():
    with pytest.raises(
        mt.SizeOverflowError, match="full: value 1e\\+39 is outside the finite " "range of float32"
    ):
        mt.full((2,), 1e39, dtype=mt.float32)
    with pytest.raises(mt.SizeOverflowError, match="rand: high 1e\\+39"):
        mt.rand(2, low=0, high=1e39, dtype=mt.float32)
    with pytest.raises(mt.SizeOverflowError, match="randn: mean 0 and std 1e\\+308"):
        mt.randn(2, std=1e308, dtype=mt.float64)
    with pytest.raises(mt.SizeOverflowError, match="arange: the last value"):
        mt.arange(0, 1e39, 1e38, dtype=mt.float32)
    # What numpy gives where numpy can: arange across the whole float64 range.
    np.testing.assert_allclose(
        values(mt.arange(-1e308, 1e308, 1e307, dtype=mt.float64)),
        -1e308 + 1e307 * np.arange(20, dtype=np.longdouble),
        rtol=1e-14,
        atol=1e293,
    )
