"""Devices from Python: mt.device, t.to / .cuda() / .cpu(), device= on the creators, mt.cuda,
models on a device, the device errors. ctest runs this with MINITENSOR_CUDA_PLUGIN pointing at
the emulated plugin (CUDA kernels on host threads, so tensors stay small); without it the CUDA
tests are skipped and only the CPU and unavailable checks run."""
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

import minitensor as mt
from conftest import TOLERANCE, assert_matches, values

cuda_only = pytest.mark.skipif(
    not mt.cuda.is_available(), reason=f"CUDA unavailable: {mt.cuda.unavailable_reason()}"
)


def test_device_objects_parse_print_and_compare():
    assert str(mt.device("cpu")) == "cpu" and str(mt.device("cuda")) == "cuda:0"
    assert mt.device("cuda:2") == mt.device("cuda", 2) == "cuda:2"
    assert mt.device("cuda:2") != "cuda:1" and mt.device("cpu") != "gpu"
    assert repr(mt.device("cuda:1")) == "device(type='cuda', index=1)"
    assert len({mt.device("cuda"), mt.device("cuda:0"), mt.device("cpu")}) == 2
    assert pickle.loads(pickle.dumps(mt.device("cuda:3"))) == "cuda:3"
    for bad in ("gpu", "cuda:-1", "cuda:x", "cpu:1"):
        with pytest.raises(ValueError):
            mt.device(bad)
    assert mt.ones(2).device == "cpu" and mt.ones(2).device.type == "cpu"
    assert not mt.ones(2).is_cuda
    assert mt.ones(2).__dlpack_device__() == (1, 0)


def test_cpu_tensors_move_to_the_cpu_as_themselves():
    t = mt.tensor([1.0, 2.0])
    assert t.cpu() is t or t.cpu().shares_memory(t)
    assert t.to("cpu").shares_memory(t)
    assert t.to(mt.float64).dtype == mt.float64  # to(dtype) as before
    assert t.to("float64").dtype == mt.float64
    with pytest.raises(TypeError, match="at most a device and a dtype"):
        t.to("cpu", mt.float32, 1)


UNAVAILABLE = """
import minitensor as mt
assert not mt.cuda.is_available() and mt.cuda.device_count() == 0
assert "/nowhere/libminitensor_cuda.so" in mt.cuda.unavailable_reason()
for call in (lambda: mt.ones(2).cuda(), lambda: mt.zeros(2, device="cuda"),
             lambda: mt.cuda.synchronize(), lambda: mt.nn.Linear(2, 1).to("cuda")):
    try:
        call()
        raise SystemExit("no error")
    except mt.DeviceUnavailableError as e:
        assert isinstance(e, RuntimeError) and e.status == 10, e
        assert "CUDA is unavailable" in str(e) and "/nowhere/" in str(e), e
assert (mt.ones(2) + 1).tolist() == [2.0, 2.0]
print("ok")
"""


def test_without_cuda_every_cuda_call_says_why():
    env = dict(os.environ, MINITENSOR_CUDA_PLUGIN="/nowhere/libminitensor_cuda.so")
    result = subprocess.run(
        [sys.executable, "-c", UNAVAILABLE], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stdout == "ok\n", result.stderr


@cuda_only
def test_cuda_queries_and_settings():
    assert mt.cuda.device_count() == 1 and mt.cuda.unavailable_reason() == ""
    assert "emulation" in mt.cuda.device_name(0)
    with pytest.raises(ValueError, match="cuda:1"):
        mt.cuda.device_name(1)
    assert mt.cuda.get_matmul() == "kernel"
    mt.cuda.set_matmul("kernel")
    with pytest.raises(mt.UnsupportedError, match="cuBLAS"):
        mt.cuda.set_matmul("cublas")
    with pytest.raises(ValueError, match="'blas' is not one of"):
        mt.cuda.set_matmul("blas")
    mt.cuda.synchronize()
    before = mt.cuda.memory_stats()
    t = mt.empty(1000, dtype=mt.float64, device="cuda")
    assert mt.cuda.memory_stats()["in_use"] >= before["in_use"] + 8000
    del t
    mt.cuda.empty_cache()
    assert mt.cuda.memory_stats() == {"in_use": before["in_use"], "cached": 0}


@cuda_only
@pytest.mark.parametrize("mt_dtype,np_dtype", [(mt.float32, np.float32), (mt.float64, np.float64)])
def test_round_trips_and_creators(mt_dtype, np_dtype, rng):
    data = rng.standard_normal((2, 3)).astype(np_dtype)
    t = mt.tensor(data)
    d = t.to("cuda")
    assert d.device == mt.device("cuda", 0) and str(d.device) == "cuda:0" and d.is_cuda
    assert d.dtype == t.dtype and not d.shares_memory(t)
    assert d.cuda().shares_memory(d) and d.to("cuda:0").shares_memory(d)
    assert_matches(d, data, mt_dtype)
    assert_matches(d.cpu(), data, mt_dtype)
    assert d.cpu().device == "cpu"
    assert_matches(t.T.cuda(), data.T, mt_dtype)
    both = t.to("cuda", mt.float64)
    assert both.device == "cuda:0" and both.dtype == mt.float64
    assert t.to(dtype=mt.float64, device="cuda").device == "cuda:0"
    assert "device='cuda:0'" in repr(d)
    assert d.tolist() == t.tolist() and d[1, 2].item() == t[1, 2].item()

    assert_matches(mt.tensor(data, device="cuda"), data, mt_dtype)
    assert mt.tensor(d).device == "cuda:0" and not mt.tensor(d).shares_memory(d)
    assert mt.tensor([[1, 2]], device="cuda").device == "cuda:0"
    assert_matches(mt.zeros(2, 2, dtype=mt_dtype, device="cuda"), np.zeros((2, 2)), mt_dtype)
    assert_matches(mt.ones(3, dtype=mt_dtype, device="cuda"), np.ones(3), mt_dtype)
    assert_matches(mt.full((2,), 1.5, dtype=mt_dtype, device="cuda"), [1.5, 1.5], mt_dtype)
    assert_matches(mt.arange(4, dtype=mt_dtype, device="cuda"), np.arange(4), mt_dtype)
    assert mt.empty(2, 3, device=mt.device("cuda")).shape == (2, 3)
    assert mt.scalar(2.0, device="cuda").device == "cuda:0"
    assert mt.zeros_like(d).device == "cuda:0"
    # The same generator state gives the same numbers on every device.
    for make in (mt.rand, mt.randn):
        on_cpu = make(5, dtype=mt_dtype, generator=mt.Generator(9))
        on_cuda = make(5, dtype=mt_dtype, generator=mt.Generator(9), device="cuda")
        assert on_cuda.device == "cuda:0"
        np.testing.assert_allclose(values(on_cuda), values(on_cpu), **TOLERANCE[mt_dtype])


OPS = {
    "exp": (lambda a, b, m: a.exp(), lambda a, b, m: np.exp(a)),
    "tanh": (lambda a, b, m: a.tanh(), lambda a, b, m: np.tanh(a)),
    "add": (lambda a, b, m: a + b, lambda a, b, m: a + b),
    "div": (lambda a, b, m: b / a, lambda a, b, m: b / a),
    "scalar": (lambda a, b, m: 2 * a - 1, lambda a, b, m: 2 * a - 1),
    "lt": (lambda a, b, m: a < b, lambda a, b, m: (a < b).astype(a.dtype)),
    "sum": (lambda a, b, m: a.sum(dim=1), lambda a, b, m: a.sum(axis=1)),
    "max": (lambda a, b, m: a.max(), lambda a, b, m: a.max()),
    "mean": (
        lambda a, b, m: a.mean(dim=0, keepdim=True),
        lambda a, b, m: a.mean(axis=0, keepdims=True),
    ),
    "matmul": (lambda a, b, m: a @ m, lambda a, b, m: a @ m),
    "matmul_t": (lambda a, b, m: m.T @ a.T, lambda a, b, m: m.T @ a.T),
    "softmax": (
        lambda a, b, m: a.softmax(1),
        lambda a, b, m: np.exp(a) / np.exp(a).sum(axis=1, keepdims=True),
    ),
}


@cuda_only
@pytest.mark.parametrize("name", OPS)
def test_ops_on_the_device_equal_numpy(name, rng):
    a = rng.uniform(0.5, 2, (3, 4))
    b = rng.standard_normal(4)
    m = rng.standard_normal((4, 2))
    ours, numpy_op = OPS[name]
    result = ours(*(mt.tensor(x, dtype=mt.float64, device="cuda") for x in (a, b, m)))
    assert result.device == "cuda:0"
    assert_matches(result, numpy_op(a, b, m), mt.float64)


@cuda_only
def test_mixed_devices_numpy_and_dlpack():
    d = mt.tensor([1.0, 2.0, 3.0], device="cuda")
    with pytest.raises(mt.DeviceMismatchError, match="cpu.*cuda:0") as caught:
        mt.ones(3) + d
    assert isinstance(caught.value, RuntimeError) and caught.value.status == 9
    with pytest.raises(mt.DeviceMismatchError):
        d @ mt.ones(3)
    assert_matches(d + np.array([1.0, 1.0, 1.0]), [2, 3, 4], mt.float64)  # copied to the device
    assert_matches(d * mt.scalar(2.0), [2, 4, 6], mt.float32)  # a 0-d CPU tensor joins
    d[0] = 5
    d[1:] = [7, 8]
    d += 1
    assert d.tolist() == [6.0, 8.0, 9.0]
    with pytest.raises(TypeError, match=r"cuda:0 tensor to numpy.*\.cpu\(\)"):
        d.numpy()
    with pytest.raises(TypeError, match=r"\.cpu\(\)"):
        np.asarray(d)
    np.testing.assert_array_equal(d.cpu().numpy(), [6, 8, 9])
    assert d.__dlpack_device__() == (2, 0)
    with pytest.raises(BufferError, match="cuda:0"):
        d.__dlpack__(dl_device=(1, 0))
    with pytest.raises(mt.UnsupportedError, match="device type 2"):
        mt.from_dlpack(d)
    copy = pickle.loads(pickle.dumps(d))
    assert copy.device == "cuda:0" and copy.tolist() == d.tolist()


@cuda_only
def test_gradients_flow_back_across_devices():
    x = mt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x.cuda() * x.cuda()).sum().backward()
    assert x.grad.device == "cpu"
    assert x.grad.tolist() == [2.0, 4.0, 6.0]


def _train(device, steps=4):
    model = mt.nn.MLP([2, 8, 1], dtype=mt.float64, generator=mt.Generator(3))
    assert model.to(device) is model and model.device == device
    optimizer = mt.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    x, y = mt.datasets.make("xor", 16, seed=7, dtype=mt.float64)
    x, y = x.to(device), y.to(device)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = mt.nn.binary_cross_entropy(model(x).squeeze(1).sigmoid(), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, [p.tolist() for p in model.parameters()]


@cuda_only
def test_training_on_the_device_equals_the_cpu():
    cpu_losses, cpu_params = _train("cpu")
    cuda_losses, cuda_params = _train("cuda")
    np.testing.assert_allclose(cuda_losses, cpu_losses, rtol=1e-5)
    for ours, reference in zip(cuda_params, cpu_params):
        np.testing.assert_allclose(ours, reference, rtol=1e-5, atol=1e-8)
    layer = mt.nn.Linear(2, 3).to("cuda")
    assert layer.device == "cuda:0" and layer.weight.requires_grad
    with pytest.raises(mt.DeviceMismatchError, match="cpu.*cuda:0|cuda:0.*cpu"):
        layer(mt.ones(1, 2))
    assert layer(mt.ones(1, 2, device="cuda")).shape == (1, 3)
