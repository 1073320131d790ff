"""DLPack exchange with numpy and torch, both ways, without copies."""
import gc

import numpy as np
import pytest
import torch
import torch.utils.dlpack

import minitensor as mt


@pytest.mark.parametrize("dtype", [mt.float32, mt.float64])
def test_numpy_views_a_tensor_without_copy(dtype):
    t = mt.arange(12, dtype=dtype).view(3, 4)
    for array in (np.from_dlpack(t), t.numpy(), np.asarray(t)):
        assert array.dtype == dtype.name and array.shape == (3, 4)
        np.testing.assert_array_equal(array, np.arange(12).reshape(3, 4))
    array = np.from_dlpack(t)  # read-only: numpy 1.24 marks every DLPack import so
    t[0, 0] = 42
    assert array[0, 0] == 42
    transposed = np.from_dlpack(t.T[1:])  # strided views keep their strides
    np.testing.assert_array_equal(transposed, np.asarray(t).T[1:])
    assert transposed.strides == (dtype.itemsize, 4 * dtype.itemsize)
    assert np.asarray(t, dtype=np.float64).dtype == np.float64


def test_torch_views_a_tensor_without_copy():
    t = mt.zeros(2, 3, dtype=mt.float64)
    shared = torch.utils.dlpack.from_dlpack(t)
    shared[1, 1] = 7
    assert t.tolist() == [[0, 0, 0], [0, 7, 0]]
    t += 1
    assert shared.tolist() == [[1, 1, 1], [1, 8, 1]]
    assert t.__dlpack_device__() == (1, 0)
    del t
    gc.collect()
    assert shared.sum().item() == 13  # torch's reference keeps the memory alive


@pytest.mark.parametrize("np_dtype,dtype", [(np.float32, mt.float32), (np.float64, mt.float64)])
def test_a_tensor_views_numpy_memory_without_copy(np_dtype, dtype):
    array = np.arange(6, dtype=np_dtype).reshape(2, 3)
    for t in (mt.from_dlpack(array), mt.from_numpy(array)):
        assert t.dtype == dtype and t.shape == (2, 3)
    t = mt.from_numpy(array)
    array[0, 1] = 10
    assert t[0, 1].item() == 10
    t[1, 2] = -1
    assert array[1, 2] == -1
    strided = mt.from_dlpack(array.T)  # numpy exports its strides
    assert strided.strides == (1, 3) and strided.tolist() == array.T.tolist()
    del array
    gc.collect()
    assert t.sum().item() == 0 + 10 + 2 + 3 + 4 - 1  # the tensor keeps numpy's memory alive


def test_a_tensor_views_torch_memory_and_trains_through_it():
    weights = torch.ones(3, dtype=torch.float64)
    w = mt.from_dlpack(weights)
    w.requires_grad = True
    (w * mt.tensor([1.0, 2.0, 3.0], mt.float64)).sum().backward()
    with mt.no_grad():
        w -= w.grad
    assert weights.tolist() == [0.0, -1.0, -2.0]


def test_a_round_trip_through_dlpack_shares_memory_with_its_source():
    t = mt.arange(4)
    back = mt.from_dlpack(t)
    assert t.shares_memory(back) and back.shares_memory(t[2:])
    assert not back.shares_memory(mt.arange(4))


def test_capsules_are_consumed_once():
    capsule = mt.ones(2).__dlpack__()
    assert "dltensor" in repr(capsule)
    t = mt.from_dlpack(capsule)
    assert "used_dltensor" in repr(capsule)
    with pytest.raises(TypeError, match='expected an unused "dltensor" capsule'):
        mt.from_dlpack(capsule)
    assert t.tolist() == [1.0, 1.0]
    unused = mt.ones(3).__dlpack__()
    del unused  # the capsule's destructor releases the export
    with pytest.raises(BufferError, match="stream"):
        mt.ones(1).__dlpack__(stream=1)


@pytest.mark.parametrize(
    "source",
    [lambda: np.arange(4), lambda: torch.arange(4), lambda: torch.ones(2, dtype=torch.float16)],
)
def test_a_failed_import_leaves_the_capsule_to_its_producer(source):
    producer = source()
    capsule = producer.__dlpack__()
    with pytest.raises(TypeError, match="mt_from_dlpack: DLPack dtype") as caught:
        mt.from_dlpack(capsule)
    assert isinstance(caught.value, mt.DtypeMismatchError)
    assert "used_dltensor" not in repr(capsule)
    if isinstance(producer, torch.Tensor):  # torch can still take the capsule
        taken = torch.utils.dlpack.from_dlpack(capsule)
        taken += 1
        assert torch.equal(producer, taken)


def test_array_protocol_honours_dtype_and_copy():
    t = mt.arange(3, dtype=mt.float64)
    shared, copied = t.__array__(), t.__array__(copy=True)
    t[0] = 9
    assert shared[0] == 9 and copied[0] == 0
    assert t.__array__(np.float32).dtype == np.float32
    assert t.__array__(np.float64, copy=False)[0] == 9  # same dtype: no copy needed
    with pytest.raises(ValueError, match="float64 tensor cannot become float32 without a copy"):
        t.__array__(np.float32, copy=False)


def test_dlpack_accepts_the_newer_protocol_keywords():
    t = mt.arange(3)
    shared = mt.from_dlpack(t.__dlpack__(max_version=(1, 0), dl_device=(1, 0), copy=False))
    copied = mt.from_dlpack(t.__dlpack__(copy=True))
    t[0] = 5
    assert shared.tolist() == [5.0, 1.0, 2.0] and copied.tolist() == [0.0, 1.0, 2.0]
    with pytest.raises(BufferError, match=r"dl_device \(2, 0\)"):
        t.__dlpack__(dl_device=(2, 0))


@pytest.mark.parametrize("dtype", [mt.float32, mt.float64])
def test_numpy_arrays_of_tensors_are_writable_views_that_outlive_the_tensor(dtype):
    t = mt.arange(6, dtype=dtype).view(2, 3)
    array, transposed = t.numpy(), np.asarray(t.T[1:])
    array[0, 0] = 7
    transposed[0, 1] = 9  # t[1, 1]
    assert t.tolist() == [[7, 1, 2], [3, 9, 5]]
    assert transposed.strides == (dtype.itemsize, 3 * dtype.itemsize)
    t.close()
    gc.collect()
    assert array.tolist() == [[7, 1, 2], [3, 9, 5]]  # the array keeps the memory alive
    assert not mt.ones(3).expand(2, 3).numpy().flags.writeable  # repeated elements
    assert mt.zeros(2, 0).numpy().shape == (2, 0) and mt.tensor(2.5).numpy().shape == ()
