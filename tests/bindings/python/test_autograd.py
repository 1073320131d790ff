"""Reverse-mode autodiff and the nn pieces against torch (float64, the same numbers)."""
import numpy as np
import pytest
import torch
from conftest import values

import minitensor as mt


def both(a):
    """The same leaf values as an mt tensor and a torch tensor, both requiring grad."""
    return mt.tensor(a, mt.float64, requires_grad=True), torch.tensor(a, requires_grad=True)


def test_hand_built_mlp_gradients_match_torch(rng):
    x = rng.standard_normal((8, 3))
    target = rng.integers(0, 2, (8, 1)).astype(np.float64)
    params = [rng.standard_normal(s) for s in [(3, 5), (5,), (5, 1), (1,)]]
    mt_params, torch_params = zip(*(both(p) for p in params))

    def forward(lib, xs, ps, y):
        w1, b1, w2, b2 = ps
        hidden = (xs @ w1 + b1).relu() if lib is mt else torch.relu(xs @ w1 + b1)
        probs = (hidden @ w2 + b2).sigmoid()
        return ((probs - y) ** 2).mean() + (w1 * w1).sum() * 0.01

    mt_loss = forward(mt, mt.tensor(x, mt.float64), mt_params, mt.tensor(target, mt.float64))
    torch_loss = forward(torch, torch.tensor(x), torch_params, torch.tensor(target))
    mt_loss.backward()
    torch_loss.backward()
    assert mt_loss.item() == pytest.approx(torch_loss.item(), rel=1e-12)
    for mine, theirs in zip(mt_params, torch_params):
        np.testing.assert_allclose(values(mine.grad), theirs.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert mt_loss.grad_fn == "add" and not mt_loss.is_leaf and mt_params[0].is_leaf


def test_library_mlp_gradients_match_torch(rng):
    model = mt.nn.MLP([4, 6, 3], dtype=mt.float64, generator=mt.Generator(7))
    params = model.parameters()
    assert [p.shape for p in params] == [(6, 4), (6,), (3, 6), (3,)]
    torch_model = torch.nn.Sequential(
        torch.nn.Linear(4, 6), torch.nn.ReLU(), torch.nn.Linear(6, 3)
    ).double()
    with torch.no_grad():
        for theirs, mine in zip(torch_model.parameters(), params):
            theirs.copy_(torch.from_numpy(values(mine)))
    x = rng.standard_normal((5, 4))
    labels = rng.integers(0, 3, 5).astype(np.float64)
    loss = mt.nn.cross_entropy(model(mt.tensor(x, mt.float64)), mt.tensor(labels, mt.float64))
    torch_loss = torch.nn.functional.cross_entropy(
        torch_model(torch.tensor(x)), torch.tensor(labels).long()
    )
    loss.backward()
    torch_loss.backward()
    assert loss.item() == pytest.approx(torch_loss.item(), rel=1e-12)
    for mine, theirs in zip(params, torch_model.parameters()):
        np.testing.assert_allclose(values(mine.grad), theirs.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_losses_and_softmax_match_torch(rng):
    logits = rng.standard_normal((4, 5))
    target = rng.uniform(0.05, 0.95, (4, 5))
    t, p = mt.tensor(logits, mt.float64), torch.tensor(logits)
    y, q = mt.tensor(target, mt.float64), torch.tensor(target)
    F = torch.nn.functional
    for reduction in ("mean", "sum", "none"):
        np.testing.assert_allclose(
            values(mt.nn.binary_cross_entropy(t.sigmoid(), y, reduction)),
            F.binary_cross_entropy(p.sigmoid(), q, reduction=reduction).numpy(),
            rtol=1e-12,
        )
        np.testing.assert_allclose(
            values(mt.nn.mse_loss(t, y, reduction)),
            F.mse_loss(p, q, reduction=reduction).numpy(),
            rtol=1e-12,
        )
    np.testing.assert_allclose(values(mt.nn.softmax(t, 1)), p.softmax(1).numpy(), rtol=1e-12)
    np.testing.assert_allclose(
        values(mt.nn.log_softmax(t, -1)), p.log_softmax(-1).numpy(), rtol=1e-12
    )
    np.testing.assert_allclose(
        values(mt.nn.logsumexp(t, 0, keepdim=True)),
        p.logsumexp(0, keepdim=True).numpy(),
        rtol=1e-12,
    )


def test_losses_refuse_what_torch_refuses():
    ok = mt.tensor([0.25, 0.5, 1.0], mt.float64)
    for bad in (1.5, -0.5, float("nan")):
        wrong = mt.tensor([0.5, bad, 0.5], mt.float64)
        with pytest.raises(
            mt.InvalidArgumentError,
            match=r"all elements of input should be between 0 and 1, but input "
            r"at index \(1,\) is",
        ):
            mt.nn.binary_cross_entropy(wrong, ok)
        with pytest.raises(mt.InvalidArgumentError, match="all elements of target"):
            mt.nn.binary_cross_entropy(ok, wrong)
        with pytest.raises(RuntimeError, match="between 0 and 1"):  # torch, for the record
            torch.nn.functional.binary_cross_entropy(
                torch.tensor([0.5, bad, 0.5]), torch.tensor([0.25, 0.5, 1.0])
            )
    # (3, 1) against (3,) would compare every input with every target.
    with pytest.raises(
        mt.ShapeMismatchError,
        match=r"mse_loss: target size \(3,\) differs " r"from input size \(3, 1\)",
    ):
        mt.nn.mse_loss(mt.zeros(3, 1), mt.zeros(3))


@pytest.mark.parametrize("shape,dim", [((3, 0), 1), ((0, 3), 0), ((0, 3), 1), ((0,), -1)])
def test_softmax_family_over_empty_dims_matches_torch(shape, dim):
    x, p = mt.zeros(*shape, dtype=mt.float64), torch.zeros(*shape, dtype=torch.float64)
    np.testing.assert_array_equal(values(mt.nn.logsumexp(x, dim)), torch.logsumexp(p, dim).numpy())
    assert mt.nn.softmax(x, dim).shape == tuple(p.softmax(dim).shape)
    assert mt.nn.log_softmax(x, dim).shape == tuple(p.log_softmax(dim).shape)


def test_linear_layer_and_grad_control():
    layer = mt.nn.Linear(3, 2, dtype=mt.float64, generator=mt.Generator(1))
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)
    assert abs(values(layer.weight)).max() <= 1 / np.sqrt(3)
    assert mt.nn.Linear(3, 2, bias=False).bias is None
    x = mt.ones(4, 3, dtype=mt.float64)
    np.testing.assert_allclose(
        values(layer(x)), values(x) @ values(layer.weight).T + values(layer.bias), rtol=1e-12
    )
    with mt.no_grad():
        assert not mt.is_grad_enabled() and layer(x).grad_fn is None
        with mt.enable_grad():
            assert layer(x).grad_fn is not None
    assert mt.is_grad_enabled()
    out = layer(x).sum()
    out.backward(retain_graph=True)
    out.backward()
    np.testing.assert_allclose(values(layer.bias.grad), [8.0, 8.0])  # two passes of 4 rows
    layer.bias.grad = None
    assert layer.bias.grad is None
    w = mt.ones(2, requires_grad=True)
    (w * 3).backward(mt.tensor([1.0, 2.0]))
    assert w.grad.tolist() == [3.0, 6.0]
    w.requires_grad = False
    assert not w.requires_grad and not (w * 2).requires_grad


# (minitensor's, torch's) optimizer over the given parameters.
OPTIMIZERS = [
    (
        lambda ps: mt.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01, nesterov=True),
        lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01, nesterov=True),
    ),
    (
        lambda ps: mt.optim.Adam(ps, lr=0.05, betas=(0.8, 0.99), weight_decay=0.1),
        lambda ps: torch.optim.Adam(ps, lr=0.05, betas=(0.8, 0.99), weight_decay=0.1),
    ),
]


@pytest.mark.parametrize("make", OPTIMIZERS)
def test_optimizers_follow_torch(make, rng):
    start = rng.standard_normal((3, 2))
    (mine,), (theirs,) = zip(both(start))
    mt_opt, torch_opt = make[0]([mine]), make[1]([theirs])
    for _ in range(4):
        mt_opt.zero_grad()
        torch_opt.zero_grad()
        ((mine * mine).sum() + mine.sum()).backward()
        ((theirs * theirs).sum() + theirs.sum()).backward()
        mt_opt.step()
        torch_opt.step()
    np.testing.assert_allclose(values(mine), theirs.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("make", OPTIMIZERS)
def test_optimizer_steps_compiled_from_the_first_step_follow_torch(make, rng):
    """A training step compiled before any eager step: every replay advances the optimizer's
    state (momentum, Adam's step count and moments) as torch's steps do."""
    start = rng.standard_normal((3, 2))
    (mine,), (theirs,) = zip(both(start))
    mt_opt, torch_opt = make[0]([mine]), make[1]([theirs])

    @mt.compile
    def step(x):
        mt_opt.zero_grad()
        ((mine * mine).sum() + (mine * x).sum()).backward()
        mt_opt.step()

    for _ in range(20):
        x = rng.standard_normal((3, 2))
        step(mt.tensor(x, mt.float64))
        torch_opt.zero_grad()
        ((theirs * theirs).sum() + (theirs * torch.tensor(x)).sum()).backward()
        torch_opt.step()
        np.testing.assert_allclose(values(mine), theirs.detach().numpy(), rtol=1e-12)
    assert len(step.plans) == 1


def test_manual_sgd_under_no_grad():
    w = mt.tensor([1.0, -2.0], mt.float64, requires_grad=True)
    for _ in range(100):
        loss = ((w - 3) ** 2).sum()
        w.grad = None
        loss.backward()
        with mt.no_grad():
            w -= 0.1 * w.grad
    np.testing.assert_allclose(values(w), [3.0, 3.0], atol=1e-8)
