"""Integer, real, flag and string arguments: anything with __index__ where an integer is meant,
anything with __float__ where a real number is, and the library's own messages (naming the
function and the parameter) for the rest, never SWIG's.

The first tests run over a table of the public API: CASES gives, for each public callable that
takes integers or reals, a call with valid numbers and what each number is; NO_NUMBERS lists
those that take none. The public callables are found by introspection (minitensor.__all__, the
public names of its submodules, the methods and properties of its classes), so a new one that
is in neither table fails test_the_table_covers_the_public_api."""
import dataclasses
import inspect
import operator
import re

import numpy as np
import pytest

import minitensor as mt
import minitensor.distributed as dist
from conftest import public_callables
from minitensor import _ops


class Index:
    """A user class that is an integer only through __index__."""

    def __init__(self, value):
        self.value = value

    def __index__(self):
        return self.value


class Real:
    """A user class that is a real number only through __float__."""

    def __init__(self, value):
        self.value = value

    def __float__(self):
        return self.value


INT, REAL, OPERAND = "integer", "real", "operand"  # OPERAND: of an operator, _is_real's rule


@dataclasses.dataclass(frozen=True)
class Number:
    """A number parameter of a public callable."""

    kind: str
    name: str  # a regex its messages match: the parameter's name, the C one where the typemaps
    # check it (datasets.make's `points` is mt_dataset's `n`), or the operator's message
    none: bool = False  # None is valid there (a default such as dim=None)
    low: int = -(2**63)  # an integer's valid range, the C type's or the package's
    high: int = 2**63 - 1
    wrong: tuple = None  # the wrong-typed values to try, where WRONG_TYPES' do not fit

    def wrong_types(self):
        values = WRONG_TYPES[self.kind] if self.wrong is None else self.wrong
        return [value for value in values if not (self.none and value is None)]

    def out_of_range(self):
        return [self.high + 1, 2**70, self.low - 1, -(2**70)] if self.kind == INT else []

    def substitutes(self, value):
        """Values meaning `value` that the call must take as it takes `value` itself."""
        if self.kind == INT:
            return [np.int64(value), np.int32(value), np.array(value), Index(value)] + (
                [np.uint64(value)] if value >= 0 else []
            )
        return [np.float64(value), np.float32(value), np.array(value)] + (
            [Real(value)] if self.kind == REAL else []
        )


WRONG_TYPES = {
    INT: [1.5, np.float64(2.0), "1", None, object(), True, np.True_, 1j, np.ones(2)],
    REAL: ["0.5", None, object(), 1j, np.ones(2)],
    OPERAND: ["0.5", None, object(), 1j],
}


def ints(*names, **options):
    return tuple(Number(INT, name, **options) for name in names)


def reals(*names, **options):
    return tuple(Number(REAL, name, **options) for name in names)


INT32 = dict(low=-(2**31), high=2**31 - 1)
SEED = Number(INT, "seed", low=0, high=2**64 - 1)  # uint64_t
DEVICE_INDEX = Number(INT, "index", none=True, low=0, high=2**31 - 1)  # mt.device's check
TENSOR_INDEX = Number(INT, "ind(ex|ices)", none=True, low=-2, high=1)  # dim 0 of cube()


def operand(message, wrong=None):
    return (Number(OPERAND, message, wrong=wrong),)


OPERATOR = "unsupported operand"
# No str: "0.5" + t and t * "0.5" end in str's own operators, with their own messages.
NO_STR = dict(wrong=(None, object(), 1j))
COMPARISON = "not supported between"


def cube():
    """A new (2, 3, 4) float32 tensor, 0 .. 23."""
    return mt.arange(24.0).view(2, 3, 4)


def assign(key, value):
    t = cube()
    t[key] = value
    return t


def trained(optimizer, **options):
    """A parameter after two steps of `optimizer` on sum(p * p)."""
    p = mt.tensor([1.0, -2.0], requires_grad=True)
    optimize = optimizer([p], **options)
    for _ in range(2):
        optimize.zero_grad()
        (p * p).sum().backward()
        optimize.step()
    return p


def placeholder_shape(shape):
    """The shape of a capture's placeholder of `shape` (the capture records nothing)."""
    capture = mt.Capture()
    with pytest.raises(mt.CaptureError, match="without cap.outputs"):
        with capture:
            shape = capture.input(shape).shape
    return shape


@dataclasses.dataclass
class Case:
    call: object  # call(*args): the numbers are all its arguments
    args: tuple  # valid numbers, exact in float32 (np.float32 is a substitute)
    params: tuple  # a Number per argument

    def call_with(self, position, value):
        """The call with `value` in place of the valid number at `position`."""
        return self.call(*self.args[:position], value, *self.args[position + 1 :])


CASES = {
    "minitensor.arange": Case(
        mt.arange, (1.0, 7.0, 2.0), reals("start") + reals("stop", none=True) + reals("step")
    ),
    "minitensor.empty": Case(lambda a, b: mt.empty(a, b).shape, (2, 3), ints("shape", "shape")),
    "minitensor.zeros": Case(mt.zeros, (2, 3), ints("shape", "shape")),
    "minitensor.ones": Case(mt.ones, (2, 3), ints("shape", "shape")),
    "minitensor.full": Case(mt.full, (3, 0.5), ints("shape") + reals("value")),
    "minitensor.rand": Case(
        lambda n, low, high: mt.rand(n, low=low, high=high),
        (3, 0.5, 2.0),
        ints("shape") + reals("low", "high"),
    ),
    "minitensor.randn": Case(
        lambda n, mean, std: mt.randn(n, mean=mean, std=std),
        (3, 0.5, 2.0),
        ints("shape") + reals("mean", "std"),
    ),
    "minitensor.scalar": Case(mt.scalar, (0.5,), reals("value")),
    "minitensor.manual_seed": Case(
        lambda seed: (mt.manual_seed(seed), mt.rand(3))[1], (7,), (SEED,)
    ),
    "minitensor.set_num_threads": Case(
        lambda n: (mt.set_num_threads(n), mt.num_threads())[1], (1,), ints("threads", **INT32)
    ),
    "minitensor.device": Case(lambda index: mt.device("cuda", index), (1,), (DEVICE_INDEX,)),
    "minitensor.Generator": Case(mt.Generator, (7,), (SEED,)),
    "Generator.manual_seed": Case(lambda seed: mt.Generator().manual_seed(seed), (7,), (SEED,)),
    "minitensor.cuda.device_name": Case(mt.cuda.device_name, (0,), ints("device_index", **INT32)),
    "minitensor.cuda.memory_stats": Case(mt.cuda.memory_stats, (0,), ints("device_index", **INT32)),
    "Capture.input": Case(lambda *shape: placeholder_shape(shape), (2, 3), ints("shape", "shape")),
    "minitensor.set_plan_cache_max_entries": Case(
        lambda n: (mt.set_plan_cache_max_entries(n), mt.plan_cache_stats().max_entries)[1],
        (64,),
        ints("max_entries"),
    ),
    "minitensor.datasets.make": Case(
        lambda n, seed: mt.datasets.make("xor", n, seed), (5, 7), ints("n") + (SEED,)
    ),
    "minitensor.nn.Linear": Case(mt.nn.Linear, (3, 2), ints("in_features", "out_features")),
    "minitensor.nn.MLP": Case(lambda a, b: mt.nn.MLP([a, b]), (3, 2), ints("sizes", "sizes")),
    "minitensor.nn.softmax": Case(lambda dim: mt.nn.softmax(cube(), dim), (1,), ints("dim")),
    "minitensor.nn.log_softmax": Case(
        lambda dim: mt.nn.log_softmax(cube(), dim), (1,), ints("dim")
    ),
    "minitensor.nn.logsumexp": Case(lambda dim: mt.nn.logsumexp(cube(), dim), (1,), ints("dim")),
    "minitensor.optim.SGD": Case(
        lambda lr, momentum, decay: trained(
            mt.optim.SGD, lr=lr, momentum=momentum, weight_decay=decay
        ),
        (0.5, 0.25, 0.125),
        reals("lr", "momentum", "weight_decay"),
    ),
    "minitensor.optim.Adam": Case(
        lambda lr, beta1, beta2, eps, decay: trained(
            mt.optim.Adam, lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=decay
        ),
        (0.5, 0.5, 0.75, 0.125, 0.25),
        reals("lr", "beta1", "beta2", "eps", "weight_decay"),
    ),
    # distributed, in the world of one that a process without a launcher is
    "minitensor.distributed.ShardedSampler": Case(
        lambda size, batch, seed: list(dist.ShardedSampler(size, batch, seed=seed)),
        (6, 2, 7),
        ints("dataset_size", "global_batch") + (SEED,),
    ),
    "ShardedSampler.set_epoch": Case(
        lambda epoch: (
            sampler := dist.ShardedSampler(6, 2),
            sampler.set_epoch(epoch),
            list(sampler),
        )[2],
        (1,),
        ints("epoch"),
    ),
    "ShardedSampler.indices": Case(
        lambda step: dist.ShardedSampler(6, 2).indices(step), (1,), ints("step")
    ),
    "minitensor.distributed.DataParallel": Case(
        lambda size: dist.DataParallel(
            mt.nn.MLP([3, 2]).parameters(), bucket_bytes=size
        ).bucket_count,
        (8,),
        ints("bucket_bytes"),
    ),
    "minitensor.distributed.broadcast": Case(
        lambda root: dist.broadcast(cube(), root), (0,), ints("root", **INT32)
    ),
    "Communicator.timeout": Case(
        lambda seconds: (comm := dist.Communicator(), setattr(comm, "timeout", seconds))[0].timeout,
        (0.5,),
        reals("seconds"),
    ),
    "Communicator.broadcast": Case(
        lambda root: dist.world().broadcast(cube(), root), (0,), ints("root", **INT32)
    ),
    # Tensor: queries, views, reductions
    "Tensor.size": Case(lambda dim: cube().size(dim), (1,), ints("dim", none=True)),
    "Tensor.stride": Case(lambda dim: cube().stride(dim), (1,), ints("dim")),
    "Tensor.get": Case(lambda i, j, k: cube().get(i, j, k), (1, 2, 3), ints(*["index"] * 3)),
    "Tensor.view": Case(lambda a, b: cube().view(a, b), (6, 4), ints("shape", "shape")),
    "Tensor.reshape": Case(lambda a, b: cube().T.reshape(a, b), (4, 6), ints("shape", "shape")),
    "Tensor.expand": Case(lambda n: cube().expand(n, 2, 3, 4), (5,), ints("shape")),
    "Tensor.permute": Case(
        lambda a, b, c: cube().permute(a, b, c), (2, 0, 1), ints(*["order"] * 3)
    ),
    "Tensor.transpose": Case(lambda a, b: cube().transpose(a, b), (0, 2), ints("dim0", "dim1")),
    "Tensor.narrow": Case(
        lambda dim, start, length: cube().narrow(dim, start, length),
        (2, 1, 2),
        ints("dim", "start", "length"),
    ),
    "Tensor.select": Case(
        lambda dim, index: cube().select(dim, index), (1, -1), ints("dim", "index")
    ),
    "Tensor.unsqueeze": Case(lambda dim: cube().unsqueeze(dim), (1,), ints("dim")),
    "Tensor.squeeze": Case(lambda dim: cube()[:1].squeeze(dim), (0,), ints("dim", none=True)),
    "Tensor.sum": Case(lambda dim: cube().sum(dim), (1,), ints("dims", none=True)),
    "Tensor.prod": Case(lambda dim: cube().prod(dim), (1,), ints("dims", none=True)),
    "Tensor.max": Case(lambda dim: cube().max(dim), (1,), ints("dims", none=True)),
    "Tensor.min": Case(lambda dim: cube().min(dim), (1,), ints("dims", none=True)),
    "Tensor.mean": Case(lambda dim: cube().mean(dim), (1,), ints("dims", none=True)),
    "Tensor.logsumexp": Case(lambda dim: cube().logsumexp(dim), (2,), ints("dim")),
    "Tensor.softmax": Case(lambda dim: cube().softmax(dim), (2,), ints("dim")),
    "Tensor.log_softmax": Case(lambda dim: cube().log_softmax(dim), (2,), ints("dim")),
    "Tensor.cuda": Case(lambda index: cube().cuda(index), (0,), (DEVICE_INDEX,)),
    "Tensor.__getitem__": Case(lambda index: cube()[index], (1,), (TENSOR_INDEX,)),
    "Tensor.__setitem__": Case(assign, (1, 0.5), (TENSOR_INDEX,) + operand("number")),
    # Tensor: operators and their methods
    "Tensor.__add__": Case(lambda v: cube() + v, (0.5,), operand(OPERATOR)),
    "Tensor.__radd__": Case(lambda v: v + cube(), (0.5,), operand(OPERATOR, **NO_STR)),
    "Tensor.__sub__": Case(lambda v: cube() - v, (0.5,), operand(OPERATOR)),
    "Tensor.__rsub__": Case(lambda v: v - cube(), (0.5,), operand(OPERATOR, **NO_STR)),
    "Tensor.__mul__": Case(lambda v: cube() * v, (0.5,), operand(OPERATOR, **NO_STR)),
    "Tensor.__rmul__": Case(lambda v: v * cube(), (0.5,), operand(OPERATOR, **NO_STR)),
    "Tensor.__truediv__": Case(lambda v: cube() / v, (0.5,), operand(OPERATOR)),
    "Tensor.__rtruediv__": Case(lambda v: v / cube(), (0.5,), operand(OPERATOR, **NO_STR)),
    "Tensor.__pow__": Case(lambda v: cube() ** v, (0.5,), operand(OPERATOR)),
    "Tensor.__rpow__": Case(lambda v: v ** cube(), (0.5,), operand(OPERATOR, **NO_STR)),
    "Tensor.__iadd__": Case(lambda v: operator.iadd(cube(), v), (0.5,), operand(OPERATOR)),
    "Tensor.__isub__": Case(lambda v: operator.isub(cube(), v), (0.5,), operand(OPERATOR)),
    "Tensor.__imul__": Case(
        lambda v: operator.imul(cube(), v), (0.5,), operand(OPERATOR, **NO_STR)
    ),
    "Tensor.__itruediv__": Case(lambda v: operator.itruediv(cube(), v), (0.5,), operand(OPERATOR)),
    "Tensor.__lt__": Case(lambda v: cube() < v, (3.5,), operand(COMPARISON)),
    "Tensor.__le__": Case(lambda v: cube() <= v, (3.5,), operand(COMPARISON)),
    "Tensor.__gt__": Case(lambda v: cube() > v, (3.5,), operand(COMPARISON)),
    "Tensor.__ge__": Case(lambda v: cube() >= v, (3.5,), operand(COMPARISON)),
    # == and != with anything fall back to identity (False, True), as Python's do.
    "Tensor.__eq__": Case(lambda v: cube() == v, (3.0,), operand("", wrong=())),
    "Tensor.__ne__": Case(lambda v: cube() != v, (3.0,), operand("", wrong=())),
    "Tensor.maximum": Case(lambda v: cube().maximum(v), (3.5,), operand("argument 'other'")),
    "Tensor.minimum": Case(lambda v: cube().minimum(v), (3.5,), operand("argument 'other'")),
    "Tensor.pow": Case(lambda v: cube().pow(v), (0.5,), operand("argument 'other'")),
    "Tensor.isclose": Case(lambda v: cube().isclose(v), (3.0,), operand("argument 'other'")),
}

NO_NUMBERS = {
    # No parameters
    "minitensor.abi_version",
    "minitensor.backends",
    "minitensor.current_backend",
    "minitensor.diagnostics",
    "minitensor.enable_grad",
    "minitensor.is_grad_enabled",
    "minitensor.no_grad",
    "minitensor.num_threads",
    "minitensor.take_diagnostics",
    "minitensor.version",
    "minitensor.cuda.device_count",
    "minitensor.cuda.empty_cache",
    "minitensor.cuda.get_matmul",
    "minitensor.cuda.is_available",
    "minitensor.cuda.synchronize",
    "minitensor.cuda.unavailable_reason",
    "minitensor.datasets.names",
    # Names (str), flags (truth values), dtypes, devices, tensors and other objects
    "minitensor.set_backend",
    "minitensor.set_diagnostics",
    "minitensor.set_grad_enabled",
    "minitensor.cuda.set_matmul",
    "minitensor.datasets.kind",
    "minitensor.from_dlpack",
    "minitensor.from_numpy",
    "minitensor.matmul",
    "minitensor.ones_like",
    "minitensor.zeros_like",
    "minitensor.nn.binary_cross_entropy",
    "minitensor.nn.cross_entropy",
    "minitensor.nn.mse_loss",
    "minitensor.nn.relu",
    "minitensor.nn.sigmoid",
    # Data: mt.tensor(np.float64(1)) is float64 by design, so numpy numbers are not plain ones
    "minitensor.tensor",
    # Made by the package only: DType (float32, float64), Tensor (its __init__ refuses), the
    # optimizers' base class
    "minitensor.DType",
    "DType.__repr__",
    "DType.__reduce__",
    "minitensor.Tensor",
    "minitensor.optim.Optimizer",
    "Optimizer.step",
    "Optimizer.zero_grad",
    "Handle.close",
    # Capture and plans: tensors, functions and the numbers a plan reports
    "minitensor.capture",
    "minitensor.compile",
    "minitensor.plan_cache_stats",
    "minitensor.clear_plan_cache",
    "minitensor.Capture",
    "Capture.outputs",
    "Capture.plan",
    "Capture.__enter__",
    "Capture.__exit__",
    "minitensor.Plan",
    "Plan.run",
    "Plan.input_count",
    "Plan.output_count",
    "Plan.stats",
    "Plan.report",
    "Plan.__repr__",
    "Handle.__enter__",
    "Handle.__exit__",
    "Handle.__reduce__",
    "device.__eq__",
    "device.__hash__",
    "device.__reduce__",
    "device.__repr__",
    "device.__str__",
    "device.code",
    "Linear.__call__",
    "Linear.bias",
    "Linear.device",
    "Linear.parameters",
    "Linear.to",
    "Linear.weight",
    "MLP.__call__",
    "MLP.device",
    "MLP.parameters",
    "MLP.to",
    "minitensor.distributed.Communicator",
    "minitensor.distributed.all_gather",
    "minitensor.distributed.all_reduce",
    "minitensor.distributed.barrier",
    "minitensor.distributed.world",
    "Communicator.all_gather",
    "Communicator.all_reduce",
    "Communicator.barrier",
    "Communicator.engine",
    "Communicator.local_rank",
    "Communicator.rank",
    "Communicator.size",
    "DataParallel.bucket_count",
    "DataParallel.no_sync",
    "DataParallel.overlap",
    "DataParallel.reduce_gradients",
    "DataParallel.set_overlap",
    "ShardedSampler.__iter__",
    "ShardedSampler.__len__",
    "ShardedSampler.local_batch",
    "ShardedSampler.steps",
    # Tensor: no number parameters (properties, conversions, protocols: __dlpack__'s stream is
    # only checked for None on the CPU), flags, or tensor operands (@ refuses numbers, as numpy)
    "Tensor.T",
    "Tensor.__abs__",
    "Tensor.__array__",
    "Tensor.__bool__",
    "Tensor.__dlpack__",
    "Tensor.__dlpack_device__",
    "Tensor.__float__",
    "Tensor.__format__",
    "Tensor.__int__",
    "Tensor.__iter__",
    "Tensor.__len__",
    "Tensor.__neg__",
    "Tensor.__pos__",
    "Tensor.__reduce__",
    "Tensor.__repr__",
    "Tensor.__matmul__",
    "Tensor.__rmatmul__",
    "Tensor.matmul",
    "Tensor.abs",
    "Tensor.backward",
    "Tensor.clone",
    "Tensor.contiguous",
    "Tensor.cpu",
    "Tensor.detach",
    "Tensor.device",
    "Tensor.dim",
    "Tensor.double",
    "Tensor.dtype",
    "Tensor.float",
    "Tensor.grad",
    "Tensor.grad_fn",
    "Tensor.is_contiguous",
    "Tensor.is_cuda",
    "Tensor.is_leaf",
    "Tensor.item",
    "Tensor.ndim",
    "Tensor.numel",
    "Tensor.numpy",
    "Tensor.requires_grad",
    "Tensor.requires_grad_",
    "Tensor.shape",
    "Tensor.shares_memory",
    "Tensor.strides",
    "Tensor.to",
    "Tensor.tolist",
}
# The generated map methods (x.exp(), x.sin(), ...: one per MT_MAP_* op) take no parameters
# but self, so a new map op needs no entry here.
NO_NUMBERS |= {
    f"Tensor.{name}"
    for name in _ops.GENERATED
    if list(inspect.signature(getattr(mt.Tensor, name)).parameters) == ["self"]
}


def test_the_table_covers_the_public_api():
    public = set(public_callables())
    assert not set(CASES) & NO_NUMBERS
    missing = sorted(public - set(CASES) - NO_NUMBERS)
    assert not missing, (
        f"public callables in no table: {missing}; add each to CASES (it "
        f"takes integers or reals: give valid ones) or to NO_NUMBERS"
    )
    assert not (set(CASES) | NO_NUMBERS) - public, "entries for callables that are gone"


def observed(value):
    """What a call gave, comparable with ==: a tensor's dtype, shape and values, a module's
    parameters, the next numbers of a generator."""
    if isinstance(value, mt.Tensor):
        return value.dtype, value.shape, value.tolist()
    if isinstance(value, (mt.nn.Linear, mt.nn.MLP)):
        return [observed(p) for p in value.parameters()]
    if isinstance(value, mt.Generator):
        return mt.rand(3, generator=value).tolist()
    if isinstance(value, (tuple, list)):
        return [observed(item) for item in value]
    return value


def outcome(call):
    """The observed result of call(), or its exception's type and message; the default
    generator restarts first, so that random results compare."""
    mt.manual_seed(0)
    try:
        return observed(call())
    except Exception as error:  # the substitutes must raise the same
        return type(error), str(error)


@pytest.fixture(autouse=True)
def restore_threads():
    threads = mt.num_threads()
    yield
    mt.set_num_threads(threads)


def arguments(values):
    """(name, position, value) for each Number parameter in CASES and each of values(number,
    valid value)."""
    return [
        pytest.param(name, position, value, id=f"{name}-{position}-{value!r:.20}")
        for name, case in CASES.items()
        for position, (number, valid) in enumerate(zip(case.params, case.args))
        for value in values(number, valid)
    ]


@pytest.mark.parametrize("name", CASES)
def test_the_valid_numbers_are_valid(name):
    """Else the comparisons below would compare two errors."""
    case = CASES[name]
    try:
        case.call(*case.args)
    except mt.DeviceUnavailableError:  # the cuda cases, where CUDA cannot be used
        assert not mt.cuda.is_available()


def assert_library_message(error, number):
    """`error` names the parameter in the library's words: never SWIG's "in method 'f',
    argument 2 of type 'int64_t'"."""
    message = str(error)
    assert re.search(number.name, message), message
    assert "in method" not in message and not re.search(r"argument \d+ of type", message)


@pytest.mark.parametrize(
    "name,position,value", arguments(lambda number, valid: number.wrong_types())
)
def test_wrong_types_raise_type_error_naming_the_parameter(name, position, value):
    case = CASES[name]
    with pytest.raises(TypeError) as caught:
        case.call_with(position, value)
    assert_library_message(caught.value, case.params[position])


@pytest.mark.parametrize(
    "name,position,value", arguments(lambda number, valid: number.out_of_range())
)
def test_integers_out_of_range_raise_naming_the_parameter_and_value(name, position, value):
    case = CASES[name]
    with pytest.raises((OverflowError, ValueError, IndexError)) as caught:
        case.call_with(position, value)
    assert_library_message(caught.value, case.params[position])
    assert str(value) in str(caught.value)


@pytest.mark.parametrize(
    "name,position,value", arguments(lambda number, valid: number.substitutes(valid))
)
def test_index_and_float_protocols_give_the_plain_result(name, position, value):
    case = CASES[name]
    plain = outcome(lambda: case.call(*case.args))
    assert outcome(lambda: case.call_with(position, value)) == plain


@pytest.mark.parametrize(
    "call,error,message",
    [
        (
            lambda: mt.ones(2, 3).select(0, 1.0),
            TypeError,
            "mt_select: argument 'index' must be an integer, not float",
        ),
        (
            lambda: mt.ones(2, 3).transpose("0", 1),
            TypeError,
            "mt_transpose: argument 'dim0' must be an integer, not str",
        ),
        (
            lambda: mt.set_num_threads(2.5),
            TypeError,
            "mt_set_num_threads: argument 'threads' must be an integer, not float",
        ),
        (
            lambda: mt.set_num_threads(2**31),
            OverflowError,
            "mt_set_num_threads: argument 'threads' must be in [-2147483648, 2147483647] (int32), "
            "not 2147483648",
        ),
        (
            lambda: mt.Generator(-1),
            OverflowError,
            "mt_generator_create: argument 'seed' must be in [0, 18446744073709551615] (uint64), "
            "not -1",
        ),
        (
            lambda: mt.manual_seed(2**70),
            OverflowError,
            "mt_manual_seed: argument 'seed' must be in [0, 18446744073709551615] (uint64), "
            "not 1180591620717411303424",
        ),
        (
            lambda: mt.Generator(True),
            TypeError,
            "mt_generator_create: argument 'seed' must be an integer, not bool",
        ),
        (
            lambda: mt.Generator(np.True_),
            TypeError,
            "mt_generator_create: argument 'seed' must be an integer, not numpy.bool_",
        ),
        (
            lambda: mt.full((2,), "a"),
            TypeError,
            "mt_full: argument 'value' must be a real number, not str",
        ),
        (
            lambda: mt.full((2,), np.ones(2)),
            TypeError,
            "mt_full: argument 'value' must be a real number, not numpy.ndarray",
        ),
        (
            lambda: mt.full((2,), 10**400),
            OverflowError,
            "mt_full: argument 'value' must be in the float64 range (magnitude < 1.8e308), not 1"
            + "0" * 400,
        ),
        (
            lambda: mt.full((2,), 1j),
            TypeError,
            "mt_full: argument 'value' must be a real number, not complex",
        ),
        (
            lambda: mt.ones(5).view(2, None),
            TypeError,
            "mt_view: argument 'shape' item 1 must be an integer, not NoneType",
        ),
        (
            lambda: mt.nn.MLP([2, -(2**70)]),
            OverflowError,
            "mt_mlp_create: argument 'sizes' item 1 must be in "
            "[-9223372036854775808, 9223372036854775807] (int64), not -1180591620717411303424",
        ),
        (
            lambda: mt.set_backend(1),
            TypeError,
            "mt_set_backend: argument 'name' must be a str, not int",
        ),
        (
            lambda: mt.set_backend("cpu\0par"),
            ValueError,
            "mt_set_backend: argument 'name' must not contain a null character",
        ),
        (
            lambda: mt.datasets.kind(None),
            TypeError,
            "mt_dataset_kind: argument 'name' must be a str, not NoneType",
        ),
    ],
)
def test_wrong_arguments_raise_the_library_message(call, error, message):
    with pytest.raises(error) as caught:
        call()
    assert str(caught.value) == message


def test_a_huge_int_is_refused_without_printing_it():
    with pytest.raises(OverflowError, match="argument 'seed' .* not an int too long to print"):
        mt.manual_seed(10**5000)  # beyond sys.get_int_max_str_digits()


def test_integers_by_index_and_reals_by_float_reach_the_library():
    t = mt.arange(12).view(3, 4)
    assert t[np.int64(1)].tolist() == t[1].tolist() == [4.0, 5.0, 6.0, 7.0]
    for dim, index in [(np.int64(1), np.int32(2)), (np.array(1), Index(2)), (np.uint8(1), 2)]:
        assert t.select(dim, index).tolist() == t.select(1, 2).tolist()
    assert t.transpose(np.int64(0), Index(1)).tolist() == t.transpose(0, 1).tolist()
    assert mt.zeros(np.array([2, 3])).shape == mt.zeros(np.int64(2), Index(3)).shape == (2, 3)
    for value in (np.float32(1.5), np.array(1.5), np.float64(1.5), Index(2), True):
        assert mt.full(2, value).tolist() == [float(value)] * 2
    g = mt.Generator(np.uint64(2**64 - 1))
    same = mt.Generator(2**64 - 1)
    assert mt.rand(3, generator=g).tolist() == mt.rand(3, generator=same).tolist()


def test_the_extension_holds_no_swig_argument_message():
    """Every scalar and array parameter of the C API has a typemap of minitensor_python.i: SWIG
    compiles its "in method 'f', argument n of type 't'" text only where one is missing (a new
    function with a parameter type that has none, a float or a size_t, would bring it back)."""
    with open(mt._minitensor_native.__file__, "rb") as extension:
        assert b"in method '" not in extension.read()


def test_flags_take_truth_values():
    t = mt.ones(2, 3)
    assert t.sum(0, keepdim=np.True_).shape == t.sum(0, keepdim=1).shape == (1, 3)
    assert t.sum(0, keepdim=None).shape == (3,)
    with pytest.raises(
        TypeError, match="mt_reduce: argument 'keepdim' must be a bool, not " "numpy.ndarray"
    ):
        t.sum(0, keepdim=np.array([True, False]))


@pytest.mark.parametrize(
    "call,error,message",
    [
        (
            lambda: mt.device("cuda", 1.5),
            TypeError,
            "device: argument 'index' must be an integer, not float",
        ),
        (
            lambda: mt.device("cuda", True),
            TypeError,
            "device: argument 'index' must be an integer, not bool",
        ),
        (
            lambda: mt.device("cuda", -1),
            ValueError,
            "device: argument 'index' must be in [0, 2147483647], not -1",
        ),
        (
            lambda: mt.device("cuda", 2**63),
            ValueError,
            "device: argument 'index' must be in [0, 2147483647], not 9223372036854775808",
        ),
        (
            lambda: mt.device(1.5),
            TypeError,
            "device: argument 'type' must be a str or a device, not float",
        ),
        (
            lambda: mt.device("cuda:x"),
            ValueError,
            "unknown device 'cuda:x': expected 'cpu', 'cuda' or 'cuda:N' with N >= 0",
        ),
        (
            lambda: mt.ones(2).cuda(0.5),
            TypeError,
            "device: argument 'index' must be an integer, not float",
        ),
        (
            lambda: mt.ones(2).maximum("a"),
            TypeError,
            "maximum: argument 'other' must be a Tensor, a real number or an array, not str",
        ),
        (
            lambda: mt.ones(2).pow(None),
            TypeError,
            "pow: argument 'other' must be a Tensor, a real number or an array, not NoneType",
        ),
        (
            lambda: mt.ones(2, 3).sum(1.5),
            TypeError,
            "mt_reduce: argument 'dims' must be an integer or a sequence of integers, not float",
        ),
        (
            lambda: mt.ones(2, 3).mean((0, "1")),
            TypeError,
            "mt_mean: argument 'dims' item 1 must be an integer, not str",
        ),
        (
            lambda: mt.set_diagnostics(["off"]),
            TypeError,
            "diagnostics mode ['off'] is not one of ['collect', 'off', 'print']",
        ),
        (
            lambda: mt.nn.mse_loss(mt.ones(2), mt.ones(2), None),
            TypeError,
            "reduction None is not one of ['mean', 'none', 'sum']",
        ),
        (
            lambda: mt.optim.SGD(5, 0.5),
            TypeError,
            "optimizer: argument 'params' must be an iterable of tensors, not int",
        ),
        (
            lambda: mt.optim.SGD(mt.ones(2, requires_grad=True), 0.5),
            TypeError,
            "optimizer: argument 'params' must be an iterable of tensors, not Tensor",
        ),
        (
            lambda: mt.optim.Adam([mt.ones(2, requires_grad=True)], betas=0.9),
            TypeError,
            "Adam: argument 'betas' must be a pair of numbers (beta1, beta2), not float",
        ),
        (
            lambda: mt.optim.Adam([mt.ones(2, requires_grad=True)], betas=(0.9, "x")),
            TypeError,
            "mt_adam_create: argument 'beta2' must be a real number, not str",
        ),
    ],
)
def test_wrong_arguments_checked_by_the_package_name_them(call, error, message):
    with pytest.raises(error) as caught:
        call()
    assert str(caught.value) == message


def test_package_arguments_take_numpy_numbers():
    assert mt.device("cuda", np.int64(1)) == mt.device("cuda", Index(1)) == "cuda:1"
    t = mt.arange(6).view(2, 3)
    assert t.sum(np.int64(1)).tolist() == t.sum(Index(1)).tolist() == t.sum(1).tolist()
    assert t.get((1, 2)) == t.get(np.int64(1), Index(2)) == 5.0
    # A 0-d array is a number, as numpy 1.x and torch read it: the tensor's dtype stays.
    for number in (np.array(0.5), np.float64(0.5), np.float32(0.5), 0.5):
        assert (t + number).dtype == mt.float32 and (t + number).tolist() == (t + 0.5).tolist()
        t[0, 0] = number
        assert t[0, 0].item() == 0.5
    assert mt.tensor([np.array(1.5), np.float32(2), 3]).tolist() == [1.5, 2.0, 3.0]
