"""The module releases the GIL around library calls, and several threads can use it at once."""
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from conftest import values

import minitensor as mt


def timed_call_and_ticks(size):
    """Runs a size x size matmul in a thread while this one records timestamps; returns the
    call's (start, end) and the timestamps."""
    a = mt.rand(size, size, dtype=mt.float64, generator=mt.Generator(1))
    call = []
    worker = threading.Thread(
        target=lambda: call.extend((time.perf_counter(), a @ a, time.perf_counter()))
    )
    ticks = []
    worker.start()
    while worker.is_alive():
        ticks.append(time.perf_counter())
    worker.join()
    return call[0], call[2], ticks


def test_other_python_threads_run_during_a_long_call():
    for size in (256, 512, 1024, 2048):  # until the call is long enough to measure
        start, end, ticks = timed_call_and_ticks(size)
        if end - start > 0.06:
            break
    # A thread holding the GIL hands it over only at a switch interval: the main thread may
    # tick just before the call begins and just after it ends (before `end` is taken). Ticks
    # beyond those margins show that the GIL was free during the call itself (verified with
    # ctypes' PyDLL, which keeps the GIL: no such tick).
    margin = 2 * sys.getswitchinterval()
    inside = [t for t in ticks if start + margin < t < end - margin]
    assert len(inside) > 10, f"{len(inside)} ticks during a {end - start:.4f} s matmul"


def test_threads_compute_with_shared_read_only_tensors(rng):
    shared_np = rng.standard_normal((16, 16))
    shared = mt.tensor(shared_np, mt.float64)

    def work(seed):
        local_np = np.random.default_rng(seed).standard_normal((8, 16))
        results = []
        for _ in range(50):
            local = mt.tensor(local_np, mt.float64, requires_grad=True)
            out = ((local @ shared).tanh() + shared[0]).sum(dim=1)
            out.sum().backward()
            results.append((values(out), values(local.grad)))
        expected = (np.tanh(local_np @ shared_np) + shared_np[0]).sum(axis=1)
        expected_grad = (1 - np.tanh(local_np @ shared_np) ** 2) @ shared_np.T
        for out, grad in results:
            np.testing.assert_allclose(out, expected, rtol=1e-12)
            np.testing.assert_allclose(grad, expected_grad, rtol=1e-10)
        return seed

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert sorted(pool.map(work, range(8))) == list(range(8))


def test_grad_mode_is_per_thread():
    seen = {}

    def other():
        seen["other"] = mt.is_grad_enabled()

    with mt.no_grad():
        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
        assert not mt.is_grad_enabled()
    assert seen["other"]


def close_during_call(owner, call):
    """Runs call() in a thread and closes `owner` from this one while the call is running (it
    runs without the GIL); returns the call's result."""
    started, result = threading.Event(), []
    worker = threading.Thread(target=lambda: (started.set(), result.append(call())))
    worker.start()
    started.wait()
    time.sleep(0.02)  # the worker is inside the call now (it takes ~0.1 s or more)
    owner.close()
    worker.join()
    return result[0]


def test_closing_a_layer_in_use_by_another_thread_waits_for_the_call():
    layer = mt.nn.Linear(1024, 1024, dtype=mt.float64, generator=mt.Generator(6))
    x = mt.rand(1024, 1024, dtype=mt.float64, generator=mt.Generator(7))
    expected = values(layer(x))
    np.testing.assert_allclose(
        values(close_during_call(layer, lambda: layer(x))), expected, rtol=1e-12
    )
    with pytest.raises(ValueError, match="the mt_linear was closed"):
        layer(x)
