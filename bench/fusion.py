#!/usr/bin/python3
"""Operator fusion (issue 16): minitensor eager and compiled against numpy, numexpr and torch.

    build/bench/venv/bin/python bench/fusion.py [BUILD_DIR] [--threads 2] [--rounds 1]
                                                [--json out.json]   (bench/run.sh; FUSION=only)

Each library setting runs in its own process (this script with --impl), as compare.py's
workers: minitensor eager, minitensor compiled (mt.compile, n/a while the bindings lack it),
numpy, numexpr (n/a where the interpreter lacks it: bench/run.sh installs it from PyPI into
build/bench/venv) and torch eager, all at --threads threads (MINITENSOR_NUM_THREADS,
torch.set_num_threads, numexpr.set_num_threads; numpy's element-wise ops use one).

The cases, float32: five element-wise chains over 2^24 elements (every operand a 2^24 array),
softmax over the rows of a 2^12 x 2^12 matrix, and an Adam step over 2^20 parameters (m, v and
p updated in place, bias corrections as scalars; torch with the in-place ops of torch.optim's
Adam, numpy with out= and in-place ops, numexpr with out=). Each case is written once, as a
function of a module-like namespace (xp), for minitensor (eager and compiled), numpy and torch;
numexpr has the same formulas as expressions. Timing: compare.py's measure() with at least
MIN_RUNS runs; with --rounds R every worker runs R times in a rotating order and a figure is
the median over the rounds.

The floor of a case is the bytes it must move (inputs + outputs, once) over the bandwidth of
a plain copy (np.copyto of 2^24 float32, median) measured in the same process; "x floor" is
median / floor. Each worker also checks one call's result against numpy's in float64 on the
same inputs (max |difference| / max |reference|): for sum(a*b) that is the relative error of
the float32 sum against the float64 sum (the issue's target: 1e-6 for minitensor).
"""
import argparse
import datetime
import json
import math
import statistics
import sys
import types
from functools import partial
from pathlib import Path
from typing import Callable, NamedTuple

from compare import measure, run_lines, worker_env
from dist import cpu_model

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BUILD = ROOT / "build/bench"
IMPLS = ("mt_eager", "mt_compiled", "numpy", "numexpr", "torch")
LABELS = {
    "mt_eager": "minitensor eager",
    "mt_compiled": "minitensor compiled",
    "numpy": "numpy",
    "numexpr": "numexpr",
    "torch": "torch eager",
}
MIN_RUNS = 7
N, ROWS, PARAMS = 1 << 24, 1 << 12, 1 << 20
FLOAT32 = 4

# Adam's hyper-parameters at a fixed step: the bias corrections are plain scalars.
BETA1, BETA2, LR, EPS, STEP = 0.9, 0.999, 1e-3, 1e-8, 10
STEP_SIZE = LR / (1 - BETA1**STEP)
BIAS_CORRECTION2_SQRT = math.sqrt(1 - BETA2**STEP)


# --- the cases, each once for minitensor, numpy and torch ----------------------------------


def mul_add(xp, a, b, c):
    return a * b + c


def gaussian(xp, a, b, c):
    return xp.exp(-((a - b) ** 2)) * c


def sigmoid_affine(xp, a, w, b):
    return xp.sigmoid(a * w + b)


def dot(xp, a, b):
    return xp.sum(a * b)


def relu_tanh(xp, a, b, c):
    return xp.relu(a) * b + xp.tanh(c)


def softmax(xp, x):
    e = xp.exp(x - xp.row_max(x))
    return e / xp.row_sum(e)


def adam(xp, p, g, m, v):
    """One Adam step in place (torch.optim.Adam's formulas); returns nothing, as an optimizer."""
    m *= BETA1
    m += g * (1 - BETA1)
    v *= BETA2
    v += g * g * (1 - BETA2)
    p -= m * STEP_SIZE / (xp.sqrt(v) / BIAS_CORRECTION2_SQRT + EPS)


def adam_numpy(p, g, m, v, scratch):
    """adam() with out= into one scratch array: no temporaries allocated."""
    import numpy as np

    m *= BETA1
    np.multiply(g, 1 - BETA1, out=scratch)
    m += scratch
    v *= BETA2
    np.multiply(g, g, out=scratch)
    scratch *= 1 - BETA2
    v += scratch
    np.sqrt(v, out=scratch)
    scratch /= BIAS_CORRECTION2_SQRT
    scratch += EPS
    np.divide(m, scratch, out=scratch)
    scratch *= STEP_SIZE
    p -= scratch


def adam_torch(p, g, m, v):
    """adam() as torch.optim.Adam's _single_tensor_adam does it (torch 1.13)."""
    m.mul_(BETA1).add_(g, alpha=1 - BETA1)
    v.mul_(BETA2).addcmul_(g, g, value=1 - BETA2)
    denom = (v.sqrt() / BIAS_CORRECTION2_SQRT).add_(EPS)
    p.addcdiv_(m, denom, value=-STEP_SIZE)


def softmax_numexpr(ne, x):
    e = ne.evaluate("exp(x - m)", local_dict={"x": x, "m": ne.evaluate("max(x, axis=1)")[:, None]})
    return ne.evaluate("e / s", local_dict={"e": e, "s": ne.evaluate("sum(e, axis=1)")[:, None]})


def adam_numexpr(ne, p, g, m, v):
    """adam() in three passes with out=; the scalars float32, as a Python float would make
    numexpr compute in float64."""
    import numpy as np

    scalars = dict(
        beta1=BETA1,
        rest1=1 - BETA1,
        beta2=BETA2,
        rest2=1 - BETA2,
        step_size=STEP_SIZE,
        bc2_sqrt=BIAS_CORRECTION2_SQRT,
        eps=EPS,
    )
    scalars = {key: np.float32(value) for key, value in scalars.items()}
    ne.evaluate("beta1 * m + rest1 * g", local_dict=dict(scalars, m=m, g=g), out=m)
    ne.evaluate("beta2 * v + rest2 * g * g", local_dict=dict(scalars, v=v, g=g), out=v)
    ne.evaluate(
        "p - step_size * m / (sqrt(v) / bc2_sqrt + eps)",
        local_dict=dict(scalars, p=p, m=m, v=v),
        out=p,
    )


def evaluate(expression):
    """A numexpr case: the expression over the case's arrays (named as the xp function's)."""
    return lambda ne, **arrays: ne.evaluate(expression, local_dict=arrays)


class Case(NamedTuple):
    name: str
    function: Callable  # function(xp, *inputs) for minitensor, numpy and torch
    shapes: dict  # input name -> shape
    nbytes: int  # the bytes it must move: inputs and outputs, once
    numexpr: Callable  # numexpr(ne, **inputs)
    low: float = -1.0  # inputs uniform in [low, 1)


CASES = (
    Case("a*b + c", mul_add, dict(a=N, b=N, c=N), 4 * N * FLOAT32, evaluate("a*b + c")),
    Case(
        "exp(-(a-b)**2) * c",
        gaussian,
        dict(a=N, b=N, c=N),
        4 * N * FLOAT32,
        evaluate("exp(-(a-b)**2) * c"),
    ),
    Case(
        "sigmoid(a*w + b)",
        sigmoid_affine,
        dict(a=N, w=N, b=N),
        4 * N * FLOAT32,
        evaluate("1 / (1 + exp(-(a*w + b)))"),
    ),
    # In [0, 1): a sum without cancellation, so that its relative error means something.
    Case("sum(a*b)", dot, dict(a=N, b=N), (2 * N + 1) * FLOAT32, evaluate("sum(a*b)"), 0.0),
    Case(
        "relu(a)*b + tanh(c)",
        relu_tanh,
        dict(a=N, b=N, c=N),
        4 * N * FLOAT32,
        evaluate("where(a > 0, a, 0)*b + tanh(c)"),
    ),
    Case("softmax rows", softmax, dict(x=(ROWS, N // ROWS)), 2 * N * FLOAT32, softmax_numexpr),
    Case(
        "Adam step 1M",
        adam,
        dict(p=PARAMS, g=PARAMS, m=PARAMS, v=PARAMS),
        7 * PARAMS * FLOAT32,  # reads p, g, m, v; writes p, m, v
        adam_numexpr,
        0.0,  # v, a second moment, is not negative
    ),
)


def inputs(case, np):
    """The case's float32 arrays, the same in every worker."""
    rng = np.random.default_rng(16)
    return {
        key: rng.random(shape, dtype=np.float32) * (1 - case.low) + case.low
        for key, shape in case.shapes.items()
    }


# --- the libraries -----------------------------------------------------------------------


def numpy_namespace(np):
    return types.SimpleNamespace(
        exp=np.exp,
        sqrt=np.sqrt,
        tanh=np.tanh,
        sigmoid=lambda x: 1 / (1 + np.exp(-x)),
        relu=lambda x: np.maximum(x, 0),
        sum=np.sum,
        row_max=lambda x: x.max(axis=1, keepdims=True),
        row_sum=lambda x: x.sum(axis=1, keepdims=True),
    )


def library(impl, threads, build, np):
    """(what runs, convert an array to the library's type, case -> work): the worker's library
    setting; work is None where the setting is not available."""
    if impl.startswith("mt_"):
        sys.path.insert(0, str(build / "bindings/python/dist"))
        import minitensor as mt

        xp = types.SimpleNamespace(
            exp=mt.Tensor.exp,
            sqrt=mt.Tensor.sqrt,
            tanh=mt.Tensor.tanh,
            sigmoid=mt.Tensor.sigmoid,
            relu=mt.Tensor.relu,
            sum=mt.Tensor.sum,
            row_max=lambda x: x.max(1, keepdim=True),
            row_sum=lambda x: x.sum(1, keepdim=True),
        )
        version = f"minitensor {mt.version()}, {mt.num_threads()} threads"
        if impl == "mt_eager":
            return version, mt.tensor, lambda case: partial(case.function, xp)
        if not hasattr(mt, "compile"):
            return version + ": no mt.compile yet", mt.tensor, None
        return version, mt.tensor, lambda case: mt.compile(partial(case.function, xp))
    if impl == "numpy":
        xp = numpy_namespace(np)
        scratch = np.empty(PARAMS, np.float32)

        def numpy_work(case):
            if case.function is adam:
                return lambda *args: adam_numpy(*args, scratch)
            return partial(case.function, xp)

        return f"numpy {np.__version__}", np.asarray, numpy_work
    if impl == "numexpr":
        try:
            import numexpr as ne
        except ImportError:
            return f"numexpr is not installed for {sys.executable}", np.asarray, None
        ne.set_num_threads(threads)
        return f"numexpr {ne.__version__}", np.asarray, lambda case: partial(case.numexpr, ne)
    import torch

    torch.set_num_threads(threads)
    xp = types.SimpleNamespace(
        exp=torch.exp,
        sqrt=torch.sqrt,
        tanh=torch.tanh,
        sigmoid=torch.sigmoid,
        relu=torch.relu,
        sum=torch.sum,
        row_max=lambda x: x.amax(1, keepdim=True),
        row_sum=lambda x: x.sum(1, keepdim=True),
    )
    version = f"torch {torch.__version__}, {torch.get_num_threads()} threads"
    return (
        version,
        torch.from_numpy,
        lambda case: (adam_torch if case.function is adam else partial(case.function, xp)),
    )


def bind(impl, work, arrays, convert):
    """work() on the case's inputs as the library takes them (numexpr by name), and them."""
    args = [convert(a) for a in arrays.values()]
    if impl == "numexpr":
        return partial(work, **dict(zip(arrays, args))), args
    return partial(work, *args), args


def reference_error(case, arrays, result, np):
    """max |result - numpy's float64 result| / max |that result| on the same inputs."""
    wide = {key: a.astype(np.float64) for key, a in arrays.items()}
    expected = case.function(numpy_namespace(np), **wide)
    if expected is None:  # in place (Adam): its first input
        expected = next(iter(wide.values()))
    error = np.max(np.abs(np.asarray(result, dtype=np.float64) - expected))
    return float(error / np.max(np.abs(expected)))


def copy_bandwidth(np):
    """GB/s of np.copyto over 2^24 float32 (bytes read + written / median time)."""
    src, dst = np.ones(N, np.float32), np.empty(N, np.float32)
    return 2 * N * FLOAT32 / measure(lambda: np.copyto(dst, src), MIN_RUNS)[0] / 1e6


def run_impl(impl, threads, build):
    """Worker: every case with one library setting, then what ran and the copy bandwidth
    before and after the cases; JSON lines."""
    import numpy as np

    version, convert, make_work = library(impl, threads, build, np)
    copy_before = copy_bandwidth(np)
    for case in CASES:
        record = {"case": case.name, "impl": impl, "bytes": case.nbytes}
        if make_work is None:
            print(json.dumps(dict(record, skipped=version)), flush=True)
            continue
        arrays = inputs(case, np)
        try:
            work = make_work(case)
            # One call on copies, checked; then the timed calls (in place ones too: Adam's
            # state drifts, its work stays the same).
            copies = {key: a.copy() for key, a in arrays.items()}
            check, checked_args = bind(impl, work, copies, convert)
            result = check()
            result = checked_args[0] if result is None else result
            record["error"] = reference_error(case, arrays, result, np)
            median_ms, min_ms, runs = measure(bind(impl, work, arrays, convert)[0], MIN_RUNS)
            record.update(median_ms=median_ms, min_ms=min_ms, runs=runs)
        except Exception as error:  # a case the library cannot run (yet): the others go on
            record["skipped"] = f"{type(error).__name__}: {error}"
        print(json.dumps(record), flush=True)
    copy = {"copy_gbps_before": copy_before, "copy_gbps_after": copy_bandwidth(np)}
    print(json.dumps(dict(copy, meta=version, impl=impl)), flush=True)


# --- the parent: the workers, then the table -----------------------------------------------


def with_floors(lines):
    """A worker's lines with each case's floor (ms) and its median over that floor. The copy
    bandwidth is the faster of the worker's two: a busy spell of the shared machine slows a
    copy as much as a case."""
    meta = next((line for line in lines if "meta" in line), None)
    if meta is None:  # it failed before its end: what it printed is not trusted
        return [
            dict(case=line["case"], impl=line["impl"], skipped="its worker failed")
            for line in lines
        ]
    meta["copy_gbps"] = max(meta["copy_gbps_before"], meta["copy_gbps_after"])
    for line in lines:
        if "bytes" in line:
            line["floor_ms"] = line["bytes"] / meta["copy_gbps"] / 1e6
            if "median_ms" in line:
                line["x_floor"] = line["median_ms"] / line["floor_ms"]
    return lines


def run_rounds(build, threads, rounds):
    """Every worker once per round, in an order that rotates by one each round."""
    records = []
    for round_index in range(rounds):
        order = IMPLS[round_index % len(IMPLS) :] + IMPLS[: round_index % len(IMPLS)]
        for impl in order:
            command = [sys.executable, __file__, str(build), "--impl", impl]
            env = dict(worker_env(impl, threads), MINITENSOR_NUM_THREADS=str(threads))
            lines = run_lines(command + ["--threads", str(threads)], env)
            if lines:
                records += [dict(line, round=round_index) for line in with_floors(lines)]
    return records


def summary(records):
    """{(impl, case): the medians over the rounds}, and {impl: (what ran, copy GB/s)}."""
    results, metas = {}, {}
    for impl in IMPLS:
        meta = [r for r in records if r["impl"] == impl and "meta" in r]
        if meta:
            metas[impl] = (meta[0]["meta"], statistics.median(r["copy_gbps"] for r in meta))
        for name in (case.name for case in CASES):
            rows = [r for r in records if r["impl"] == impl and r.get("case") == name]
            timed = [r for r in rows if "median_ms" in r]
            if timed:
                results[impl, name] = {
                    key: statistics.median(r[key] for r in timed)
                    for key in ("median_ms", "floor_ms", "x_floor", "error")
                }
            elif rows:
                results[impl, name] = {"skipped": rows[0]["skipped"]}
    return results, metas


def cell(result):
    if not result or "skipped" in result:
        return "n/a"
    return f"{result['median_ms']:.3g} ({result['x_floor']:.2f}x)"


def speedup(result, other):
    """other's time over result's, or None."""
    if result and other and "median_ms" in result and "median_ms" in other:
        return other["median_ms"] / result["median_ms"]
    return None


def table(results):
    lines = [
        "| case | floor ms | "
        + " | ".join(LABELS[impl] for impl in IMPLS)
        + " | compiled: speedup over numexpr | over torch |",
        "|---|---|" + "---|" * (len(IMPLS) + 2),
    ]
    for name in (case.name for case in CASES):
        row = [results.get((impl, name)) for impl in IMPLS]
        floors = [r["floor_ms"] for r in row if r and "floor_ms" in r]
        compiled = results.get(("mt_compiled", name))
        ratios = [speedup(compiled, results.get((impl, name))) for impl in ("numexpr", "torch")]
        cells = [name, f"{statistics.median(floors):.3g}" if floors else "n/a"]
        cells += [cell(r) for r in row] + ["n/a" if r is None else f"{r:.2f}" for r in ratios]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# The targets for the compiled path at 2 threads: x floor by case, and speedups.
FLOOR_TARGETS = {
    "a*b + c": 1.15,
    "sigmoid(a*w + b)": 1.15,
    "sum(a*b)": 1.15,
    "exp(-(a-b)**2) * c": 1.4,
    "relu(a)*b + tanh(c)": 1.4,
}
SPEEDUP_TARGETS = {"numexpr": 2.0, "torch": 2.5}
SUM_ERROR_TARGET = 1e-6


def verdicts(results):
    """The issue's targets for the compiled path, each met or missed (by how much)."""
    lines = []
    for name in (case.name for case in CASES):
        compiled = results.get(("mt_compiled", name))
        if not compiled or "skipped" in compiled:
            continue
        if name in FLOOR_TARGETS:
            target, got = FLOOR_TARGETS[name], compiled["x_floor"]
            lines.append(
                f"{name}: {got:.2f}x the floor, target {target}x: "
                + ("met" if got <= target else f"MISSED by {got - target:.2f}x")
            )
        for impl, target in SPEEDUP_TARGETS.items():
            got = speedup(compiled, results.get((impl, name)))
            if got is not None:
                lines.append(
                    f"{name}: {got:.2f}x faster than {impl}, target {target}x: "
                    + ("met" if got >= target else f"MISSED by {target - got:.2f}x")
                )
    compiled = results.get(("mt_compiled", "sum(a*b)"), {})
    if "error" in compiled:
        got = compiled["error"]
        lines.append(
            f"sum(a*b) relative error {got:.2e}, target {SUM_ERROR_TARGET:g}: "
            + ("met" if got <= SUM_ERROR_TARGET else "MISSED")
        )
    return lines or ["(no compiled results: the targets are not checked)"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", nargs="?", default=str(DEFAULT_BUILD), help="build directory")
    parser.add_argument("--threads", type=int, default=2, help="threads of every library")
    parser.add_argument("--rounds", type=int, default=1, help="times to run every worker")
    parser.add_argument("--json", help="write all results to this file")
    parser.add_argument("--impl", choices=IMPLS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    build = Path(args.build).resolve()
    if args.impl:
        return run_impl(args.impl, args.threads, build)

    records = run_rounds(build, args.threads, args.rounds)
    results, metas = summary(records)
    print(
        f"\n## Fusion: 2^24 float32 ({cpu_model()}, {args.threads} threads, "
        f"{datetime.date.today()}; ms median of >= {MIN_RUNS} runs, median over "
        f"{args.rounds} round(s); in brackets: x the floor)\n"
    )
    for impl, (meta, copy_gbps) in metas.items():
        print(f"- {LABELS[impl]}: {meta}; copy {copy_gbps:.1f} GB/s")
    print()
    print(table(results))
    errors = [
        f"{LABELS[impl]} {results[impl, 'sum(a*b)']['error']:.2e}"
        for impl in IMPLS
        if "error" in results.get((impl, "sum(a*b)"), {})
    ]
    print(f"\nsum(a*b) float32, relative error against the float64 sum: {', '.join(errors)}")
    for (impl, name), result in results.items():
        if result.get("error", 0) > 1e-4:
            print(f"WARNING: {LABELS[impl]} {name} is off numpy's float64 by {result['error']:.2e}")
    for reason in sorted(
        {f"{LABELS[i]}: {r['skipped']}" for (i, _), r in results.items() if "skipped" in r}
    ):
        print(f"n/a: {reason}")
    print("\nTargets (issue 16, compiled minitensor):")
    for line in verdicts(results):
        print(f"- {line}")
    if args.json:
        Path(args.json).write_text(
            json.dumps({"cpu": cpu_model(), "threads": args.threads, "records": records}, indent=1)
        )
        print(f"raw results: {args.json}")


if __name__ == "__main__":
    main()
