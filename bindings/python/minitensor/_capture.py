"""Capture and plans: record a program of ops once, replay it as a (fused) plan.

    @mt.compile
    def step(x, w, b):
        return (x @ w + b).relu()

    y = step(x, w, b)  # the first call per input signature captures and compiles, later ones run

    with mt.capture() as cap:
        x = cap.input((2, 3))
        cap.outputs(x * w + b)
    (y,) = cap.plan.run(values)

Tensors made before the capture (parameters) are captured by reference: each run reads their
values then. A tensor made in the capture that is still referenced when it ends (and is not an
output) is kept as state that every run writes, which stops the planner from keeping its
values in registers: in a `with` block, `del` the intermediates you named (mt.compile needs
nothing: the function's locals are gone when it returns). MINITENSOR_FUSION=0 in the
environment makes every op a kernel of its own.
"""
from __future__ import annotations

import functools
from collections import OrderedDict
from typing import Any, Callable, NamedTuple

from . import _device, _dtypes
from . import _minitensor_native as _c
from ._handle import Handle
from ._tensor import Tensor, _handle, _wrap
from ._types import DeviceLike, Dims, DTypeLike


class PlanStats(NamedTuple):
    """What the planner made of a capture (Plan.stats)."""

    ops: int
    """Ops recorded."""
    kernels: int
    """Kernels a run executes."""
    fused_kernels: int
    """Of which fused (several ops in one loop)."""
    bytes_avoided: int
    """Bytes of intermediates that never exist."""
    bytes_moved: int
    """Bytes a run loads and stores."""


class PlanCacheStats(NamedTuple):
    """The plan cache (plan_cache_stats): the planner's decisions by structure, never sizes."""

    entries: int
    """Structures kept."""
    max_entries: int
    """The most it keeps (set_plan_cache_max_entries; MINITENSOR_PLAN_CACHE or 64 by
    default)."""
    hits: int
    """Compiles that found their structure (a program captured again at new sizes)."""
    misses: int
    """Compiles that did not."""
    last_miss: str
    """Why the latest miss missed: the first field of the structure that differs from the
    closest entry ("" before any miss)."""


def plan_cache_stats() -> PlanCacheStats:
    """The plan cache that every capture compiles through, shared by all threads."""
    return PlanCacheStats(*_c.mt_plan_cache_stats(), _c.mt_plan_cache_last_miss())


def set_plan_cache_max_entries(max_entries: int) -> None:
    """Keeps at most `max_entries` structures (0: none), least recently used first out."""
    _c.mt_plan_cache_set_max_entries(max_entries)


def clear_plan_cache() -> None:
    """Drops every cached structure and zeroes the counts."""
    _c.mt_plan_cache_clear()


class Plan(Handle):
    """A compiled capture: run it with new inputs of the placeholders' shapes and dtypes."""

    __slots__ = ()

    def run(self, *inputs: Tensor) -> tuple[Tensor, ...]:
        """The outputs (always a tuple) for `inputs`, one per placeholder, in order; any
        strides. Runs from several threads take turns."""
        handles = [_handle(value, "Plan.run") for value in inputs]
        return tuple(_wrap(h) for h in _c.mt_plan_run(self._h, handles))

    @property
    def input_count(self) -> int:
        """The number of inputs a run takes."""
        return _c.mt_plan_input_count(self._h)

    @property
    def output_count(self) -> int:
        """The number of outputs a run gives."""
        return _c.mt_plan_output_count(self._h)

    @property
    def stats(self) -> PlanStats:
        """Ops, kernels, fused kernels, bytes avoided and bytes moved per run."""
        return PlanStats(*_c.mt_plan_stats(self._h))

    @property
    def report(self) -> str:
        """The plan in words: each kernel and the ops it fuses, each fused kernel that runs op
        by op on the device and why, why each stored value is stored, the totals."""
        return _c.mt_plan_report(self._h)

    def __repr__(self) -> str:
        s = self.stats
        return f"minitensor.Plan({s.ops} ops -> {s.kernels} kernels, {s.fused_kernels} fused)"


class Capture:
    """`with mt.capture() as cap:` records the ops of the block; cap.input() declares the
    inputs, cap.outputs() the results; the plan is cap.plan once the block ends. A block left
    by an exception, or without cap.outputs(), records nothing."""

    def __init__(self) -> None:
        """A capture to enter with `with`."""
        self._placeholders: list[Tensor] = []
        self._outputs: tuple[Tensor, ...] | None = None
        self._plan: Plan | None = None

    def __enter__(self) -> Capture:
        _c.mt_capture_begin()
        return self

    def input(
        self, shape: Dims, dtype: DTypeLike = _dtypes.float32, device: DeviceLike = "cpu"
    ) -> Tensor:
        """The next input: a placeholder of `shape` and `dtype` on `device`, which holds no
        values (each run supplies them). A capture's tensors are all on one device, the first
        one's (another is a DeviceMismatchError)."""
        code = _dtypes.resolve(dtype).code
        placeholder = _wrap(_c.mt_capture_input_on(shape, code, *_device.device(device).code))
        self._placeholders.append(placeholder)  # released only once the capture ends
        return placeholder

    def outputs(self, *tensors: Tensor) -> None:
        """The results of the capture, in the order a run returns them."""
        for value in tensors:
            _handle(value, "Capture.outputs")
        self._outputs = tensors

    @property
    def plan(self) -> Plan:
        """The compiled plan, once the block has ended."""
        if self._plan is None:
            raise _capture_error("Capture.plan: the capture has not ended with outputs")
        return self._plan

    def __exit__(self, exc_type: Any, *exc_info: object) -> None:
        outputs, self._outputs = self._outputs, None
        try:
            if exc_type is None and outputs is None:
                raise _capture_error("Capture: the block ended without cap.outputs(...)")
            if exc_type is None:
                graph = _c.mt_capture_end([t._h for t in outputs])
                try:
                    self._plan = Plan(_c.mt_graph_compile(graph))
                finally:
                    _c.mt_close_handle(graph)  # the plan keeps what it needs
        finally:
            _c.mt_capture_abandon()  # no capture outlives the block, whatever failed
            self._placeholders.clear()


def capture() -> Capture:
    """A capture for a `with` block: `with mt.capture() as cap: ...; cap.outputs(y)`, then
    cap.plan.run(...)."""
    return Capture()


def _capture_error(message):
    """A CaptureError raised by the package (as the library raises it)."""
    error = _c.CaptureError(message)
    error.status = _c.MT_ERR_CAPTURE
    return error


def _signature(args):
    """The key of a call's plan: each tensor argument's shape, dtype and device, the other
    arguments themselves (captured as constants, so they must be hashable)."""
    key = []
    for value in args:
        if isinstance(value, Tensor):
            key.append((Tensor, value.shape, value.dtype.code, tuple(_c.mt_device(value._h))))
        else:
            try:
                hash(value)
            except TypeError:
                raise TypeError(
                    f"compile: argument {value!r} is neither a Tensor nor hashable; other "
                    f"arguments are constants of the plan, told apart by value"
                ) from None
            key.append((type(value), value))
    return tuple(key)


def _compile_call(fn, args):
    """The plan of fn(*args) with its tensor arguments as placeholders, and what fn returned:
    "one" tensor, a "tuple" (or list) of them, or "none" (a program that only updates tensors
    in place, as an optimizer's step)."""
    with capture() as cap:
        result = fn(
            *[cap.input(a.shape, a.dtype, a.device) if isinstance(a, Tensor) else a for a in args]
        )
        form = "one" if isinstance(result, Tensor) else "none" if result is None else "tuple"
        outputs = {"one": (result,), "none": ()}.get(form, result)
        if not isinstance(outputs, (tuple, list)) or not all(
            isinstance(t, Tensor) for t in outputs
        ):
            raise TypeError(
                f"compile: {getattr(fn, '__name__', fn)} must return a Tensor, a tuple of "
                f"Tensors or None, not {type(result).__name__}"
            )
        cap.outputs(*outputs)
    return cap.plan, form


MAX_PLANS = 64
"""The most plans one compiled function keeps (one per input signature)."""


def compile(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A decorator: the first call for each input signature (the shapes, dtypes and device of
    the tensor arguments, the values of the others) captures fn with placeholders for its tensor
    arguments, on their device, and compiles it; every call then runs that plan and returns what fn returns (a
    tensor, a tuple of tensors, or None for a program that updates tensors in place). The
    compiled function's `plans` maps each signature to its Plan (for .report and .stats), the
    most recently used last; it keeps at most MAX_PLANS of them (a program called with ever new
    sizes would otherwise keep a plan, and its buffers, per size). A new size costs a capture,
    whose planning reuses the decisions made at other sizes (the library's plan cache)."""
    plans: OrderedDict[tuple, Plan] = OrderedDict()
    forms: dict[tuple, str] = {}

    @functools.wraps(fn)
    def compiled(*args: Any) -> Any:
        key = _signature(args)
        if key in plans:
            plans.move_to_end(key)
        else:
            plans[key], forms[key] = _compile_call(fn, args)
            if len(plans) > MAX_PLANS:
                forms.pop(plans.popitem(last=False)[0])
        outputs = plans[key].run(*[a for a in args if isinstance(a, Tensor)])
        return {"one": outputs[0] if outputs else None, "none": None}.get(forms[key], outputs)

    compiled.plans = plans  # type: ignore[attr-defined]
    return compiled
