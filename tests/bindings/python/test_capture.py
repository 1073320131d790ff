"""Capture and plans: mt.compile and mt.capture() against numpy and the eager ops bit for bit,
one plan per input signature, the structure of the results, parameters by reference, the
plans' stats and report, random draws (fresh each call), and every misuse (value reads,
nesting, a block without outputs, a run with the wrong signature)."""
import pytest

import minitensor as mt
from minitensor import _minitensor_native as raw


@pytest.fixture
def unfused(monkeypatch):
    """Plans compiled in the test run op by op (MINITENSOR_FUSION=0)."""
    monkeypatch.setenv("MINITENSOR_FUSION", "0")


@pytest.fixture
def fused(monkeypatch):
    """Plans compiled in the test fuse, whatever the environment of the run says."""
    monkeypatch.delenv("MINITENSOR_FUSION", raising=False)


@pytest.fixture(autouse=True)
def no_capture_left():
    yield
    assert raw.mt_capture_active() == 0, "a test left a capture active"


def mul_add(x, y, c):
    return x * y + c


def inputs(seed, shape=(4, 5), dtype=mt.float32):
    g = mt.Generator(seed)
    x, y = (mt.rand(shape, low=-2, high=2, dtype=dtype, generator=g) for _ in range(2))
    return x, y, mt.rand(shape[-1], low=-2, high=2, dtype=dtype, generator=g)


def same_bits(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and a.numpy().tobytes() == b.numpy().tobytes()


def test_compile_matches_numpy_and_eager(unfused):
    compiled = mt.compile(mul_add)
    for seed in range(3):  # the first call captures, the others replay
        x, y, c = inputs(seed)
        got = compiled(x, y, c)
        assert same_bits(got, mul_add(x, y, c))
        expected = x.numpy() * y.numpy() + c.numpy()  # float32 throughout, no FMA
        assert got.numpy().tobytes() == expected.tobytes()
    assert len(compiled.plans) == 1


def test_one_plan_per_signature(unfused):
    compiled = mt.compile(mul_add)
    compiled(*inputs(0))
    compiled(*inputs(1, shape=(2, 5)))
    x, y, c = inputs(2, dtype=mt.float64)
    assert same_bits(compiled(x, y, c), mul_add(x, y, c))
    assert len(compiled.plans) == 3
    x, y, c = inputs(3)
    compiled(x.T.contiguous().T, y, c)  # other strides, same signature
    assert len(compiled.plans) == 3


def test_results_keep_their_structure_and_constants_are_part_of_the_signature(unfused):
    @mt.compile
    def pair(x, scale):
        return x * scale, (x + scale).exp()

    x = mt.tensor([0.5, -1.0, 2.0])
    for scale in (2.0, 3.0):
        got = pair(x, scale)
        assert isinstance(got, tuple) and len(got) == 2
        assert same_bits(got[0], x * scale) and same_bits(got[1], (x + scale).exp())
    assert len(pair.plans) == 2


def test_capture_block_and_plan(unfused):
    w = mt.tensor([1.0, 2.0, 3.0])
    with mt.capture() as cap:
        x = cap.input(3)
        cap.outputs(x * w, x + w)
    plan = cap.plan
    assert (plan.input_count, plan.output_count) == (1, 2)
    product, total = plan.run(mt.tensor([2.0, 2.0, 2.0]))
    assert product.tolist() == [2.0, 4.0, 6.0] and total.tolist() == [3.0, 4.0, 5.0]
    stats = plan.stats
    assert (stats.ops, stats.kernels, stats.fused_kernels, stats.bytes_avoided) == (2, 2, 0, 0)
    assert stats.bytes_moved > 0 and list(stats) == raw.mt_plan_stats(plan._h)
    assert "kernel 1: zip add (3,)" in plan.report


def test_parameters_are_captured_by_reference(unfused):
    w = mt.tensor([1.0, 2.0, 3.0], dtype=mt.float64)
    scaled = mt.compile(lambda x: x * w)
    x = mt.tensor([10.0, 20.0, 30.0], dtype=mt.float64)
    assert scaled(x).tolist() == [10.0, 40.0, 90.0]
    w[1] = -1.0
    assert scaled(x).tolist() == [10.0, -20.0, 90.0]


@pytest.mark.parametrize("fusion", ["0", None], ids=["unfused", "fused"])
def test_random_draws_are_fresh_each_call_like_eager_calls(monkeypatch, fusion):
    if fusion is not None:
        monkeypatch.setenv("MINITENSOR_FUSION", fusion)
    g = mt.Generator(5)

    @mt.compile
    def noisy(x):
        return x * mt.rand(x.shape, low=-1, high=1, generator=g) + mt.randn(3, generator=g)

    x = mt.tensor([[0.5, -1.0, 2.0], [4.0, 0.25, -3.0]])
    first, second = noisy(x), noisy(x)
    assert not same_bits(first, second)
    eager = mt.Generator(5)  # the compiled calls drew what eager calls from seed 5 draw
    for got in (first, second):
        scale = mt.rand(x.shape, low=-1, high=1, generator=eager)
        shift = mt.randn(3, generator=eager)
        assert same_bits(got, x * scale + shift)
        expected = x.numpy() * scale.numpy() + shift.numpy()  # float32 throughout, no FMA
        assert got.numpy().tobytes() == expected.tobytes()


def test_fused_plan(fused):
    compiled = mt.compile(mul_add)
    x, y, c = inputs(0)
    got = compiled(x, y, c)
    assert same_bits(got, mul_add(x, y, c))
    (plan,) = compiled.plans.values()
    assert plan.stats.fused_kernels == 1 and plan.stats.bytes_avoided == 4 * 5 * 4
    assert "fused [zip mul, zip add]" in plan.report


def test_fused_plan_stats_and_report(fused):
    with mt.capture() as cap:
        x, y, c = cap.input((4, 5)), cap.input((4, 5)), cap.input(5)
        cap.outputs(mul_add(x, y, c))
    stats = cap.plan.stats
    assert (stats.ops, stats.kernels, stats.fused_kernels) == (2, 1, 1)
    assert stats.bytes_avoided == 4 * 5 * 4  # the product never exists
    assert "fused [zip mul, zip add]" in cap.plan.report
    assert repr(cap.plan) == "minitensor.Plan(2 ops -> 1 kernels, 1 fused)"


def test_values_cannot_be_read_during_a_capture():
    eager = mt.ones(1)
    with pytest.raises(mt.CaptureError, match="mt_item: .*capture is active"):
        with mt.capture() as cap:
            cap.input(2)
            eager.item()
    with pytest.raises(mt.CaptureError, match="made during a capture"):
        with mt.capture() as cap:
            y = cap.input(2).exp()
            cap.outputs(y)
        y.tolist()


def test_captures_do_not_nest():
    with pytest.raises(mt.CaptureError, match="without cap.outputs"):
        with mt.capture():
            with pytest.raises(mt.CaptureError, match="mt_capture_begin: .*do not nest"):
                with mt.capture():
                    pass
            assert raw.mt_capture_active() == 1


def test_a_block_needs_outputs_and_an_exception_abandons_it():
    with pytest.raises(mt.CaptureError, match="without cap.outputs"):
        with mt.capture() as cap:
            cap.input(2)
    with pytest.raises(mt.CaptureError, match="has not ended"):
        cap.plan
    with pytest.raises(ZeroDivisionError):
        with mt.capture() as cap:
            cap.input(2)
            1 / 0
    assert raw.mt_capture_active() == 0


def test_run_names_the_expected_and_given_signature(unfused):
    compiled = mt.compile(mul_add)
    x, y, c = inputs(0)
    compiled(x, y, c)
    (plan,) = compiled.plans.values()
    with pytest.raises(
        mt.ShapeMismatchError, match=r"input 1 must have shape \(4, 5\).*given \(5, 4\)"
    ):
        plan.run(x, y.T, c)
    with pytest.raises(mt.DtypeMismatchError, match="input 2 must be float32.*given float64"):
        plan.run(x, y, c.to(mt.float64))
    with pytest.raises(mt.InvalidArgumentError, match="takes 3 inputs, given 2"):
        plan.run(x, y)
    with pytest.raises(TypeError, match="Plan.run: expected a minitensor.Tensor"):
        plan.run(x, y, 1.0)


def test_what_compile_refuses():
    with pytest.raises(
        TypeError, match="must return a Tensor, a tuple of Tensors or None, not float"
    ):
        mt.compile(lambda x: 1.0)(mt.ones(2))
    with pytest.raises(TypeError, match="neither a Tensor nor hashable"):
        mt.compile(lambda x, n: x)(mt.ones(2), [1])
    assert raw.mt_capture_active() == 0


def test_a_plan_outlives_its_inputs_and_closes(unfused):
    with mt.capture() as cap:
        x = cap.input(2)
        cap.outputs(x.exp())
    del x
    plan = cap.plan
    (y,) = plan.run(mt.zeros(2))
    assert y.tolist() == [1.0, 1.0]
    plan.close()
    with pytest.raises(mt.InvalidArgumentError, match="closed"):
        plan.run(mt.zeros(2))


def test_an_in_place_program_returns_nothing():
    """An optimizer-like step that only updates its arguments in place compiles too."""

    def step(p, g):
        with mt.no_grad():
            p -= g * 0.5

    compiled = mt.compile(step)
    p_eager, g = inputs(4)[:2]
    p_plan = p_eager.clone()
    for _ in range(3):
        assert compiled(p_plan, g) is None
        step(p_eager, g)
        assert same_bits(p_plan, p_eager)


def test_square_is_exact_like_numpy():
    x = inputs(5)[0]
    assert (x**2).numpy().tobytes() == (x.numpy() * x.numpy()).tobytes()
    assert mt.compile(lambda t: t**2)(x).numpy().tobytes() == (x * x).numpy().tobytes()


def test_compiled_function_keeps_a_bounded_number_of_plans(monkeypatch):
    monkeypatch.setattr(mt._capture, "MAX_PLANS", 3)
    compiled = mt.compile(mul_add)
    for n in range(1, 7):
        x, y, c = inputs(n, shape=(n, 5))
        got = compiled(x, y, c)
        assert got.numpy().tobytes() == (x.numpy() * y.numpy() + c.numpy()).tobytes()
    assert [key[0][1] for key in compiled.plans] == [(4, 5), (5, 5), (6, 5)]
    compiled(*inputs(0, shape=(4, 5)))  # used again: now the most recent
    assert [key[0][1] for key in compiled.plans] == [(5, 5), (6, 5), (4, 5)]


def add_in_place(x, y):
    x += y


def test_an_input_updated_in_place_gets_its_values_even_when_not_contiguous():
    compiled = mt.compile(add_in_place)
    x, y, _ = inputs(1, shape=(3, 4))
    xt = x.T.contiguous().T  # same values, column-major
    expected = x.numpy() + y.numpy()
    assert compiled(xt, y) is None
    assert xt.numpy().tobytes() == expected.tobytes()


def test_an_input_updated_in_place_may_not_alias_another_input():
    compiled = mt.compile(add_in_place)
    x, _, _ = inputs(2, shape=(3, 4))
    before = x.numpy().tobytes()
    with pytest.raises(mt.InvalidArgumentError, match="input 0 is written by the plan and shares"):
        compiled(x, x)
    assert x.numpy().tobytes() == before


def test_new_sizes_hit_the_plan_cache_and_a_miss_is_explained(fused):
    mt.clear_plan_cache()
    compiled = mt.compile(mul_add)
    for n in (3, 4, 5):
        compiled(*inputs(n, shape=(n, 5)))
    stats = mt.plan_cache_stats()
    assert (stats.entries, stats.hits, stats.misses) == (1, 2, 1)
    assert "empty" in stats.last_miss
    mt.compile(lambda x, y, c: x * y - c)(*inputs(0))
    stats = mt.plan_cache_stats()
    assert (stats.entries, stats.misses) == (2, 2)
    assert "cached" in stats.last_miss and "given" in stats.last_miss, stats.last_miss
    mt.set_plan_cache_max_entries(1)
    assert mt.plan_cache_stats()[:2] == (1, 1)
    with pytest.raises(mt.InvalidArgumentError, match="-1"):
        mt.set_plan_cache_max_entries(-1)
    mt.set_plan_cache_max_entries(64)
    mt.clear_plan_cache()
    assert mt.plan_cache_stats() == (0, 64, 0, 0, "")


@pytest.mark.skipif(
    not mt.cuda.is_available(), reason=f"CUDA unavailable: {mt.cuda.unavailable_reason()}"
)
def test_compile_on_a_device_gives_eager_bits_there():
    def step(x, y, c):
        d = x - y
        return (x * y + c).sigmoid() * 2.0 - (-(d * d)).exp(), (d * c).sum(1)

    compiled = mt.compile(step)
    host = inputs(3, shape=(6, 7))
    device = tuple(t.cuda() for t in host)
    for args in (device, host):  # one plan per device
        got, expected = compiled(*args), step(*args)
        for g, e in zip(got, expected):
            assert g.device == args[0].device and same_bits(g.cpu(), e.cpu())
    assert len(compiled.plans) == 2
    on_device = next(p for key, p in compiled.plans.items() if key[0][3] == (raw.MT_DEVICE_CUDA, 0))
    # Each kernel fused on the CPU is fused on the device or runs op by op, with a reason.
    on_cpu = next(p for p in compiled.plans.values() if p is not on_device)
    op_by_op = on_device.report.count(" runs op by op on cuda:0 (kernels ")
    assert on_device.stats.fused_kernels + op_by_op == on_cpu.stats.fused_kernels
    with pytest.raises(mt.DeviceMismatchError, match="on cuda:0 but .* on cpu"):
        compiled(host[0], device[1], device[2])
    with mt.capture() as cap:
        x = cap.input((2,), device="cuda")
        cap.outputs(x * 3.0)
    (tripled,) = cap.plan.run(mt.tensor([1.0, 2.0]).cuda())
    assert tripled.device == "cuda:0" and tripled.tolist() == [3.0, 6.0]
