"""Handles: views outlive their source, close() is idempotent, closed handles raise, and
tensors dropped without close() are freed (memory stays bounded)."""
import gc

import pytest

import minitensor as mt


def rss_kib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def test_views_outlive_the_tensor_they_came_from():
    base = mt.arange(12, dtype=mt.float64)
    view = base.view(3, 4)[1:, ::2]
    base.close()
    del base
    gc.collect()
    assert view.tolist() == [[4.0, 6.0], [8.0, 10.0]]


def test_parameters_outlive_their_model_and_optimizer():
    model = mt.nn.MLP([2, 3, 1], generator=mt.Generator(0))
    params = model.parameters()
    optimizer = mt.optim.SGD(params, lr=0.1)
    expected = [p.tolist() for p in params]
    model.close()
    optimizer.close()
    assert [p.tolist() for p in params] == expected


def test_closing_twice_is_harmless_and_a_closed_handle_raises():
    t = mt.ones(2)
    t.close()
    t.close()
    with pytest.raises(ValueError, match="mt_numel: the mt_tensor was closed"):
        t.numel()
    with pytest.raises(mt.InvalidArgumentError, match="mt_zip: the mt_tensor was closed"):
        mt.ones(2) + t
    with mt.Generator(3) as generator:
        pass
    with pytest.raises(ValueError, match="mt_rand: the mt_generator was closed"):
        mt.rand(2, generator=generator)
    for handle in (mt.nn.Linear(2, 2), mt.nn.MLP([1, 1])):
        handle.close()
        with pytest.raises(ValueError, match="was closed"):
            handle(mt.ones(1, 2))
        handle.close()
    optimizer = mt.optim.Adam([mt.ones(1, requires_grad=True)])
    optimizer.close()
    with pytest.raises(ValueError, match="mt_optimizer_step: the mt_optimizer was closed"):
        optimizer.step()


def test_with_block_closes_the_tensor():
    with mt.zeros(3) as t:
        assert t.sum().item() == 0
    with pytest.raises(ValueError, match="closed"):
        t.sum()


def under_address_sanitizer():
    with open("/proc/self/maps") as maps:
        return "libasan" in maps.read()


def test_dropping_100k_tensors_keeps_memory_bounded():
    """200k tensors of 4 KiB each are made and dropped: leaking them would grow RSS by
    ~800 MiB. ASan keeps up to 256 MiB of freed memory in quarantine."""

    def churn(count):
        for i in range(count):
            t = mt.full((1024,), float(i))
            t = t + 1  # and the intermediate result

    churn(10_000)
    before = rss_kib()
    churn(100_000)
    grown = rss_kib() - before
    allowed = (64 + (300 if under_address_sanitizer() else 0)) * 1024
    assert grown < allowed, f"RSS grew by {grown} KiB over 100k dropped tensors"
