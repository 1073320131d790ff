"""Failures raise the builtin type of their status (through an mt.Error subclass) with the
library's message; bad input never crashes."""
import numpy as np
import pytest

import minitensor as mt
from minitensor import _minitensor_native as raw

CASES = [  # (call, builtin type, mt type, status, message start)
    (
        lambda: mt.ones(2, 3) + mt.ones(4),
        ValueError,
        mt.ShapeMismatchError,
        2,
        "mt_zip: shapes (2, 3) and (4,) do not broadcast",
    ),
    (
        lambda: mt.ones(2, 3).sum(dim=5),
        IndexError,
        mt.IndexOutOfRangeError,
        3,
        "mt_reduce: dim 5 is out of range for a tensor of rank 2 (valid: -2 to 1)",
    ),
    (
        lambda: mt.ones(2, 3) @ mt.ones(4, 2),
        ValueError,
        mt.ShapeMismatchError,
        2,
        "mt_matmul: matmul: shapes (2, 3) and (4, 2) do not match",
    ),
    (
        lambda: mt.ones(2, 3).T.view(6),
        ValueError,
        mt.ShapeMismatchError,
        2,
        "mt_view: view: a tensor of shape (3, 2) and strides (1, 3) cannot be viewed",
    ),
    (
        lambda: mt.zeros(2**40, 2**40),
        ValueError,
        mt.SizeOverflowError,
        5,
        "mt_zeros: shape (1099511627776, 1099511627776) has more than 2^63-1 elements",
    ),
    (
        lambda: mt.zeros(-1),
        ValueError,
        mt.InvalidArgumentError,
        1,
        "mt_zeros: negative size in shape (-1,)",
    ),
    (
        lambda: raw.mt_zeros((2,), 7),
        TypeError,
        mt.DtypeMismatchError,
        4,
        "mt_zeros: unknown dtype 7",
    ),
    (
        lambda: mt.empty(2**44),
        MemoryError,
        mt.OutOfMemoryError,
        6,
        "mt_empty: cannot allocate 70368744177664 bytes",
    ),
    (
        lambda: mt.ones(3).select(0, 5),
        IndexError,
        mt.IndexOutOfRangeError,
        3,
        "mt_select: select: index 5 is out of range for dim 0 of size 3",
    ),
    (
        lambda: mt.ones(3)[::-1],
        ValueError,
        mt.InvalidArgumentError,
        1,
        "mt_slice: slice: step must be positive, not -1",
    ),
    (
        lambda: mt.ones(2).backward(),
        ValueError,
        mt.InvalidArgumentError,
        1,
        "mt_backward: backward: the tensor does not require grad",
    ),
    (
        lambda: raw.mt_map(raw.MT_MAP_EXP, None),
        ValueError,
        mt.InvalidArgumentError,
        1,
        "mt_map: a is NULL",
    ),
    (
        lambda: raw.mt_zip(raw.MT_ZIP_ADD, raw.mt_scalar(1, 0), None),
        ValueError,
        mt.InvalidArgumentError,
        1,
        "mt_zip: b is NULL",
    ),
    (
        lambda: raw.mt_mlp_forward(None, raw.mt_scalar(1, 0)),
        ValueError,
        mt.InvalidArgumentError,
        1,
        "mt_mlp_forward: ",
    ),
    (
        lambda: raw.mt_optimizer_step(None),
        ValueError,
        mt.InvalidArgumentError,
        1,
        "mt_optimizer_step: ",
    ),
    (
        lambda: raw.mt_map(99, raw.mt_scalar(1, 0)),
        ValueError,
        mt.InvalidArgumentError,
        1,
        "mt_map: unknown map op 99 (valid: 0..",
    ),
    (
        lambda: raw.mt_capture_end([]),
        RuntimeError,
        mt.CaptureError,
        13,
        "mt_capture_end: end_capture: no capture is active on this thread",
    ),
    (
        lambda: mt.datasets.make("nope", 3),
        ValueError,
        mt.InvalidArgumentError,
        1,
        "mt_dataset_kind: unknown dataset 'nope' (known: simple, diag, split, xor, circle",
    ),
    (
        lambda: mt.set_num_threads(5000),
        ValueError,
        mt.InvalidArgumentError,
        1,
        "mt_set_num_threads: set_num_threads: 5000 is not a thread count from 1 to 4096",
    ),
    (
        lambda: mt.ones(0).max(),
        ValueError,
        mt.InvalidArgumentError,
        1,
        "mt_reduce: max: dim 0 of shape (0,) is empty",
    ),
    (
        lambda: mt.ones(2, requires_grad=True).__iadd__(1),
        ValueError,
        mt.InvalidArgumentError,
        1,
        "mt_zip_out: add: an operand requires grad",
    ),
    (
        lambda: mt.tensor([1.0]).view([1] * 17),
        ValueError,
        mt.InvalidArgumentError,
        1,
        "mt_view: shape: count 17 is outside [0, 16]",
    ),
    (
        lambda: mt.optim.SGD([mt.ones(2)], lr=0.1),
        ValueError,
        mt.InvalidArgumentError,
        1,
        "mt_sgd_create: optimizer: parameter 0 (shape (2,)) is not a leaf that requires grad",
    ),
]


@pytest.mark.parametrize("call,builtin,mt_type,status,message", CASES)
def test_failed_calls_raise_with_the_library_message(call, builtin, mt_type, status, message):
    with pytest.raises(builtin) as caught:
        call()
    assert type(caught.value) is mt_type and isinstance(caught.value, mt.Error)
    assert str(caught.value).startswith(message)
    assert caught.value.status == status


def test_status_names_and_last_error():
    assert raw.mt_status_name(2) == "MT_ERR_SHAPE_MISMATCH"
    with pytest.raises(ValueError):
        mt.zeros(-1)
    assert raw.mt_last_error().startswith("mt_zeros: negative size")
    mt.zeros(1)
    assert raw.mt_last_error() == ""


def test_bad_python_values_raise_before_the_call():
    with pytest.raises(
        OverflowError,
        match=r"mt_zeros: argument 'shape' item 1 must be in "
        r"\[-9223372036854775808, 9223372036854775807\] "
        r"\(int64\), not 9223372036854775808",
    ):
        mt.zeros(2, 2**63)
    with pytest.raises(
        TypeError, match=r"mt_view: argument 'shape' item 0 must be an integer, " r"not float"
    ):
        mt.ones(5).view(2.5, 2)
    with pytest.raises(TypeError, match="mt_zip: expected a mt_tensor handle or None, got 'x'"):
        raw.mt_zip(raw.MT_ZIP_ADD, "x", None)
    with pytest.raises(TypeError, match="expected a mt_tensor handle or None, got <capsule"):
        raw.mt_map(0, raw.mt_generator_create(1))  # a handle of another kind
    with pytest.raises(
        OverflowError,
        match=r"mt_generator_create: argument 'seed' must be in "
        r"\[0, 18446744073709551615\] \(uint64\), not -1",
    ):
        mt.Generator(-1)
    with pytest.raises(TypeError, match="unsupported dtype"):
        mt.zeros(2, dtype="int32")
    with pytest.raises(TypeError, match="unsupported operand"):
        mt.ones(2) + "a"
    with pytest.raises(
        TypeError, match=r"tensor indices must be integers, slices, None or " r"\.\.\., not str"
    ):
        mt.ones(2)["a"]
    with pytest.raises(ValueError, match="reduction 'avg'"):
        mt.nn.mse_loss(mt.ones(2), mt.ones(2), "avg")
    with pytest.raises(TypeError, match="use mt.tensor"):
        mt.Tensor()


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda x: mt.nn.Linear(3, 2)(x), "Linear: expected a minitensor.Tensor, not ndarray"),
        (lambda x: mt.nn.MLP([3, 2])(x), "MLP: expected a minitensor.Tensor, not ndarray"),
        (lambda x: mt.nn.mse_loss(mt.ones(3), x), "mse_loss: expected a minitensor.Tensor"),
        (lambda x: mt.nn.cross_entropy(x, mt.ones(3)), "cross_entropy: expected a minitensor"),
        (lambda x: mt.nn.binary_cross_entropy(x, x), "binary_cross_entropy: expected a minitensor"),
        (lambda x: mt.ones(3).shares_memory(x), "shares_memory: expected a minitensor.Tensor"),
        (lambda x: mt.ones(3, requires_grad=True).sum().backward(x), "backward: grad: expected"),
        (lambda x: mt.optim.SGD([x], lr=0.1), "optimizer parameter: expected a minitensor.Tensor"),
        (lambda x: mt.zeros_like(x), "zeros_like: expected a minitensor.Tensor, not ndarray"),
        (lambda x: mt.ones_like(x), "ones_like: expected a minitensor.Tensor, not ndarray"),
        (lambda x: mt.nn.softmax(x, 0), "softmax: expected a minitensor.Tensor, not ndarray"),
        (lambda x: mt.nn.log_softmax(x, 0), "log_softmax: expected a minitensor.Tensor"),
        (lambda x: mt.nn.logsumexp(x, 0), "logsumexp: expected a minitensor.Tensor"),
        (lambda x: mt.nn.relu(x), "relu: expected a minitensor.Tensor, not ndarray"),
        (lambda x: mt.nn.sigmoid(x), "sigmoid: expected a minitensor.Tensor, not ndarray"),
        (
            lambda x: mt.rand(2, generator=x),
            "generator: expected a minitensor.Generator or None, " "not ndarray",
        ),
        (lambda x: mt.nn.Linear(2, 2, generator=x), "generator: expected a minitensor.Generator"),
    ],
)
def test_non_tensor_arguments_raise_type_error_naming_the_call(call, message):
    with pytest.raises(TypeError, match=message):
        call(np.ones(3))


def test_adam_betas_must_be_a_pair():
    with pytest.raises(
        ValueError, match=r"Adam: betas must be two numbers \(beta1, beta2\), " r"not \(0.9,\)"
    ):
        mt.optim.Adam([mt.ones(2, requires_grad=True)], betas=(0.9,))
