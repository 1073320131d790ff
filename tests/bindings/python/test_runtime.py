"""Process-wide settings, versions and datasets."""
import re

import numpy as np
import pytest
from conftest import values

import minitensor as mt


@pytest.fixture
def restore_settings():
    backend, threads = mt.current_backend(), mt.num_threads()
    yield
    mt.set_backend(backend)
    mt.set_num_threads(threads)
    mt.set_diagnostics("off")


def test_versions():
    assert mt.__version__ == mt.version() == "0.1.0" and mt.abi_version() >= 1


def test_backends_give_the_same_numbers(restore_settings):
    assert set(mt.backends()) == {"cpu_par", "cpu_seq"}
    a = mt.rand(64, 64, generator=mt.Generator(2))
    results = {}
    for name in mt.backends():
        mt.set_backend(name)
        assert mt.current_backend() == name
        results[name] = values((a @ a).exp().sum(dim=0))
    np.testing.assert_allclose(results["cpu_par"], results["cpu_seq"], rtol=1e-5)
    mt.set_num_threads(1)
    assert mt.num_threads() == 1


def test_diagnostics_report_parallel_ops(restore_settings):
    mt.set_backend("cpu_par")
    mt.set_diagnostics("collect")
    assert mt.diagnostics() == "collect"
    mt.take_diagnostics()
    mt.ones(1000) + mt.ones(1000)
    lines = mt.take_diagnostics()
    assert any(re.match(r"cpu_par zip add: .*elements=1000", line) for line in lines), lines
    assert mt.take_diagnostics() == []
    with pytest.raises(ValueError, match="diagnostics mode 'loud'"):
        mt.set_diagnostics("loud")


def test_datasets_are_deterministic_and_labelled_by_their_rule():
    assert mt.datasets.names() == ("simple", "diag", "split", "xor", "circle", "spiral")
    x, y = mt.datasets.make("xor", 200, seed=4, dtype=mt.float64)
    again, _ = mt.datasets.make("xor", 200, seed=4, dtype=mt.float64)
    assert x.shape == (200, 2) and y.shape == (200,) and x.tolist() == again.tolist()
    points, labels = values(x), values(y)
    np.testing.assert_array_equal(labels, (points[:, 0] < 0.5) != (points[:, 1] < 0.5))
    assert mt.datasets.kind("spiral") == 5
