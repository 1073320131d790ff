#!/usr/bin/python3
"""Runs minitensor's benchmark cases with numpy and PyTorch too and tabulates the ratios.

    /usr/bin/python3 bench/compare.py [build/bench/bench/mt_bench] --threads 2 --json out.json

Each library runs in its own subprocess (this script with --impl numpy|torch) under the
environment that is fair to it: numpy and torch with OPENBLAS_NUM_THREADS=threads and without
the machine's OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE presets (OpenBLAS picks its own kernels);
torch also with torch.set_num_threads(threads) and glibc malloc tuned for large buffers.
Timing matches mt_bench: warm-up runs for 50 ms (at least one), then timed runs until 0.3 s (at
least 3, at most 50); a first run over 1 s is the only sample. Ratios are other/minitensor
medians: > 1 means minitensor is faster. The training cases (train_*: one run is one epoch of
an MLP classifier, float64) run with torch only; numpy has no autodiff.

With --capi (default: mt_bench_capi next to mt_bench, when it exists), the C API's overhead
follows: mt_bench_capi times train_small's epoch through libminitensor's C API (the C demo's
loop, examples/c/classifier.c) and through the C++ core, interleaved in one process, and checks
that both give the same losses.
"""
import argparse
import contextlib
import ctypes
import io
import json
import os
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BINARY = ROOT / "build/bench/bench/mt_bench"
TORCH_GLIBC_TUNABLES = ("glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432:"
                        "glibc.malloc.trim_threshold=1073741824")
MIN_TIME, MIN_REPS, MAX_REPS, SLOW_TIME, WARMUP_TIME = 0.3, 3, 50, 1.0, 0.05


def measure(work, min_reps=MIN_REPS):
    """(median ms, min ms, reps) as mt_bench's measure(); min_reps raises the least number of
    timed runs (a first run over SLOW_TIME is still the only sample)."""
    start = time.perf_counter()
    work()
    warm = time.perf_counter() - start
    for _ in range(MAX_REPS):
        if time.perf_counter() - start >= WARMUP_TIME:
            break
        work()
    if warm > SLOW_TIME:
        samples = [warm]
    else:
        samples = []
        while len(samples) < MAX_REPS and (len(samples) < min_reps or sum(samples) < MIN_TIME):
            start = time.perf_counter()
            work()
            samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1e3, min(samples) * 1e3, len(samples)


def numpy_ops(dtype):
    import numpy as np
    dt = {"f32": np.float32, "f64": np.float64}[dtype]
    rng = np.random.default_rng(42)

    def sigmoid_out(a, out):  # numpy has no sigmoid: the usual in-place chain
        np.negative(a, out=out)
        np.exp(out, out=out)
        out += 1
        np.reciprocal(out, out=out)

    return types.SimpleNamespace(
        itemsize=np.dtype(dt).itemsize,
        rand=lambda *shape: rng.random(shape, dtype=dt) * 2 - 1,
        empty=lambda *shape: np.empty(shape, dt),
        T=lambda a: a.T,
        add=np.add, add_out=lambda a, b, out: np.add(a, b, out=out),
        exp=np.exp, exp_out=lambda a, out: np.exp(a, out=out),
        sigmoid=lambda a: 1 / (1 + np.exp(-a)), sigmoid_out=sigmoid_out,
        sum=lambda a, dim: a.sum(axis=dim), matmul=np.matmul)


def torch_ops(dtype):
    import torch
    dt = {"f32": torch.float32, "f64": torch.float64}[dtype]
    gen = torch.Generator().manual_seed(42)
    return types.SimpleNamespace(
        itemsize=torch.finfo(dt).bits // 8,
        rand=lambda *shape: torch.rand(shape, dtype=dt, generator=gen) * 2 - 1,
        empty=lambda *shape: torch.empty(shape, dtype=dt),
        T=lambda a: a.t(),
        add=torch.add, add_out=lambda a, b, out: torch.add(a, b, out=out),
        exp=torch.exp, exp_out=lambda a, out: torch.exp(a, out=out),
        sigmoid=torch.sigmoid, sigmoid_out=lambda a, out: torch.sigmoid(a, out=out),
        sum=lambda a, dim: a.sum(dim=dim), matmul=torch.matmul)


def cases(ops):
    """(name, bytes, flops, make inputs, work): the cases of mt_bench.cpp, same byte counts."""
    s, r, e = ops.itemsize, ops.rand, ops.empty
    n1, n16, m = 1 << 20, 1 << 24, 4096
    table = []
    for n, size in ((n1, "1M"), (n16, "16M")):
        table += [(f"add_{size}", 3 * n * s, 0, lambda n=n: (r(n), r(n)), ops.add),
                  (f"add_{size}_out", 3 * n * s, 0, lambda n=n: (r(n), r(n), e(n)), ops.add_out)]
    for name in ("exp", "sigmoid"):
        table += [(f"{name}_16M", 2 * n16 * s, 0, lambda: (r(n16),), getattr(ops, name)),
                  (f"{name}_16M_out", 2 * n16 * s, 0, lambda: (r(n16), e(n16)),
                   getattr(ops, name + "_out"))]
    table += [
        ("bcast_add", m * m * s + 2 * m * s, 0, lambda: (r(m, 1), r(1, m)), ops.add),
        ("transpose_add", 3 * m * m * s, 0, lambda: (ops.T(r(m, m)), r(m, m)), ops.add),
        ("sum_last", m * m * s + m * s, 0, lambda: (r(m, m),), lambda a: ops.sum(a, -1)),
        ("sum_first", m * m * s + m * s, 0, lambda: (r(m, m),), lambda a: ops.sum(a, 0)),
    ]
    table += [(f"matmul_{n}", 0, 2 * n**3, lambda n=n: (r(n, n), r(n, n)), ops.matmul)
              for n in (128, 512, 1024, 2048)]
    table.append(("bmm_64x256", 0, 2 * 64 * 256**3,
                  lambda: (r(64, 256, 256), r(64, 256, 256)), ops.matmul))
    return table


TRAIN_CASES = (("train_small", 50, 10, 100), ("train_large", 5000, 500, 1000))  # n, batch, H


def torch_train_cases():
    """The training cases of train_cases.cpp (float64, torch only): MLP 2-H-H-1 (relu, relu,
    sigmoid), binary cross-entropy, SGD lr 0.05 on the "split" points; one run is one epoch."""
    import torch
    import torch.nn.functional as F
    dt = torch.float64

    def make(n, batch, h):
        torch.manual_seed(42)
        x = torch.rand(n, 2, dtype=dt)
        y = ((x[:, 0] < 0.2) | (x[:, 0] > 0.8)).to(dt)
        layers = [torch.nn.Linear(a, b, dtype=dt) for a, b in ((2, h), (h, h), (h, 1))]
        opt = torch.optim.SGD([p for layer in layers for p in layer.parameters()], lr=0.05)
        return x, y, batch, layers, opt

    def epoch(x, y, batch, layers, opt):
        l1, l2, l3 = layers
        for start in range(0, len(x), batch):
            xb, yb = x[start:start + batch], y[start:start + batch].view(-1, 1)
            p = torch.sigmoid(l3(torch.relu(l2(torch.relu(l1(xb))))))
            loss = F.binary_cross_entropy(p, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()

    # Matmul flops per point as train_cases.cpp counts them: forward, weight gradients, and the
    # input gradients of layers 2 and 3.
    return [(name, 0, 2 * n * (2 * (3 * h + h * h) + h * h + h),
             lambda n=n, b=b, h=h: make(n, b, h), epoch) for name, n, b, h in TRAIN_CASES]


def loaded_blas():
    """The BLAS libraries this process has mapped, with OpenBLAS's own config where it is one."""
    libs = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if "blas" in Path(path).name:
                libs.add(os.path.realpath(path))
    info = {}  # config -> paths
    for path in sorted(libs):
        config = "unknown"
        with contextlib.suppress(OSError, AttributeError):
            lib = ctypes.CDLL(path)
            lib.openblas_get_config.restype = lib.openblas_get_corename.restype = ctypes.c_char_p
            config = (f"{lib.openblas_get_config().decode()}, kernels for "
                      f"{lib.openblas_get_corename().decode()}, "
                      f"{lib.openblas_get_num_threads()} threads")
        info.setdefault(config, []).append(path)
    return "; ".join(f"{c} ({', '.join(p)})" for c, p in info.items()) or "none loaded"


def run_impl(impl, threads, name_filter):
    """Worker: benchmarks one library at one thread count, printing JSON lines."""
    if impl == "torch":
        import torch
        torch.set_num_threads(threads)
        meta = {"version": torch.__version__, "torch_threads": torch.get_num_threads()}
        make_ops = torch_ops
    else:
        import numpy
        meta = {"version": numpy.__version__}
        make_ops = numpy_ops
    records = []
    for dtype in ("f32", "f64"):
        ops = make_ops(dtype)
        train = torch_train_cases() if impl == "torch" and dtype == "f64" else []
        for name, nbytes, flops, make, work in cases(ops) + train:
            if name_filter not in name:
                continue
            args = make()
            median_ms, min_ms, reps = measure(lambda: work(*args))
            rate = (nbytes or flops) / (median_ms * 1e-3) / 1e9
            records.append({"case": name, "dtype": dtype, "impl": impl, "threads": threads,
                            "median_ms": median_ms, "min_ms": min_ms, "reps": reps,
                            "gbps" if nbytes else "gflops": rate})
            args = None  # frees the inputs before the next case makes its own
    # After the matmuls, so that the BLAS library is loaded.
    try:
        import threadpoolctl
        meta["blas"] = "; ".join(
            f"{p['internal_api']} {p['version']}, kernels for {p.get('architecture')}, "
            f"{p['num_threads']} threads ({p['filepath']})"
            for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas")
    except ImportError:
        meta["blas"] = loaded_blas()
        if impl == "numpy":
            import numpy
            with contextlib.redirect_stdout(io.StringIO()) as text:
                numpy.show_config()
            section, found = "", []
            for line in text.getvalue().splitlines():
                if line.rstrip().endswith(":"):
                    section = line.strip()
                elif "libraries" in line:
                    found.append(f"{section} {line.strip()}")
            meta["show_config"] = "; ".join(found)
    print(json.dumps({"meta": meta, "impl": impl, "threads": threads}), flush=True)
    for record in records:
        print(json.dumps(record), flush=True)


def run_lines(command, env=None):
    """Runs a command that prints JSON lines; returns the parsed lines ([] when it fails)."""
    print("+", " ".join(map(str, command)), file=sys.stderr, flush=True)
    done = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        print(f"warning: exit status {done.returncode}; its results are missing", file=sys.stderr)
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def worker_env(impl, threads):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads))
    for preset in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(preset, None)
    if impl == "torch":
        env["GLIBC_TUNABLES"] = TORCH_GLIBC_TUNABLES
    return env


def fmt(value, digits=3):
    if value is None:
        return "—"
    return f"{value:.{digits}g}" if value < 1000 else f"{value:.0f}"


def table(records, stream):
    """The markdown table, one row per minitensor case, dtype and thread count."""
    index = {(r["impl"], r["case"], r["dtype"], r["threads"]): r for r in records}
    lines = ["| case | dtype | threads | minitensor ms | numpy ms | torch ms | numpy/minitensor "
             "| torch/minitensor | unit | minitensor | numpy | torch | minitensor % STREAM |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for mt in (r for r in records if r["impl"] == "minitensor"):
        key = (mt["case"], mt["dtype"], mt["threads"])
        np_, th = index.get(("numpy",) + key, {}), index.get(("torch",) + key, {})
        unit = next((k for r in (mt, np_, th) for k in ("gbps", "gflops") if k in r), "gflops")
        mt_ms = mt.get("median_ms")

        def ratio(other):
            return fmt(other["median_ms"] / mt_ms, 2) if other and mt_ms else "—"

        share = "—"
        if unit == "gbps" and mt_ms and stream.get(mt["threads"]):
            share = f"{100 * mt[unit] / stream[mt['threads']]:.0f}%"
        mt_text = fmt(mt_ms) if mt_ms else "skipped: " + mt.get("skipped", "?").split(" (")[0]
        lines.append("| " + " | ".join([
            mt["case"], mt["dtype"], str(mt["threads"]), mt_text, fmt(np_.get("median_ms")),
            fmt(th.get("median_ms")), ratio(np_), ratio(th),
            "GB/s" if unit == "gbps" else "GFLOP/s",
            fmt(mt.get(unit)), fmt(np_.get(unit)), fmt(th.get(unit)), share]) + " |")
    return "\n".join(lines)


def capi_table(records):
    """The C API overhead table from mt_bench_capi's lines, one row per case and thread count."""
    index = {(r["impl"], r["case"], r["threads"]): r for r in records if "case" in r}
    lines = ["| case | threads | C++ ms/epoch | C API ms/epoch | C API / C++ | quartiles "
             "| losses identical |", "|---|---|---|---|---|---|---|"]
    for ratio in (r for r in records if r.get("impl") == "c_over_cpp"):
        key = (ratio["case"], ratio["threads"])
        cpp, c = index[("minitensor_cpp",) + key], index[("minitensor_c",) + key]
        q1, q3 = ratio["ratio_quartiles"]
        lines.append(f"| {ratio['case']} | {ratio['threads']} | {fmt(cpp['median_ms'])} | "
                     f"{fmt(c['median_ms'])} | {ratio['ratio']:.3f} | {q1:.3f}..{q3:.3f} | "
                     f"{'yes' if ratio['losses_identical'] else 'NO'} "
                     f"({ratio['epochs_compared']} epochs) |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary", nargs="?", default=str(DEFAULT_BINARY), help="mt_bench path")
    parser.add_argument("--threads", type=int, default=2, help="run at 1..THREADS threads")
    parser.add_argument("--json", help="write all results to this file")
    parser.add_argument("--filter", default="", help="only cases whose name contains this")
    parser.add_argument("--capi", help="mt_bench_capi path (default: next to mt_bench)")
    parser.add_argument("--impl", choices=("numpy", "torch"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.impl:
        return run_impl(args.impl, args.threads, args.filter)

    records = run_lines([args.binary, "--threads", str(args.threads), "--filter", args.filter])
    capi = Path(args.capi) if args.capi else Path(args.binary).with_name("mt_bench_capi")
    capi_records = []
    if args.capi or capi.exists():
        capi_records = run_lines([capi, "--threads", str(args.threads), "--filter", args.filter])
    metas = [r for r in records if "meta" in r]
    for threads in range(1, args.threads + 1):
        for impl in ("numpy", "torch"):
            command = [sys.executable, __file__, "--impl", impl, "--threads", str(threads),
                       "--filter", args.filter]
            records += run_lines(command, worker_env(impl, threads))
    metas += [r for r in records if "meta" in r and r not in metas]
    records = [r for r in records if "case" in r]

    # STREAM: the best 'add' rate (2 reads + 1 write) over both array sizes, per thread count.
    stream = {}
    for r in records:
        if r["case"] == "stream_add":
            stream[r["threads"]] = max(stream.get(r["threads"], 0), r["gbps"])

    print()
    if metas:
        print(f"minitensor backend: {metas[0]['meta'].get('backend')} "
              f"(known: {', '.join(metas[0]['meta'].get('backends', []))}; "
              f"ISA {metas[0]['meta'].get('isa')})")
    for meta in metas[1:]:
        m = meta["meta"]
        print(f"{meta['impl']} {m['version']} at {meta['threads']} thread(s): BLAS {m['blas']}")
    shown = next((m["meta"]["show_config"] for m in metas if "show_config" in m["meta"]), None)
    if shown:
        print(f"numpy.show_config() (no threadpoolctl): {shown}")
    print("STREAM add (C++ std::thread, f64, best of 10 runs over 2^24 and 2^25 elements): " +
          ", ".join(f"{gbps:.1f} GB/s at {t} thread(s)" for t, gbps in sorted(stream.items())))
    print()
    print(table(records, stream))
    print("\nRatios: numpy or torch median / minitensor median (> 1: minitensor is faster). "
          "numpy's sigmoid is 1/(1+exp(-x)) (out=: an in-place chain). % STREAM: GB/s over "
          "the STREAM add figure at the same thread count; add_1M fits in cache, so it exceeds "
          "100%. train_*: ms per epoch of an MLP 2-H-H-1 classifier (forward, binary "
          "cross-entropy, backward, SGD step per batch; torch only), GFLOP/s from its matmul "
          "flops.")
    capi_meta = next((r["meta"] for r in capi_records if "meta" in r), None)
    if any(r.get("impl") == "c_over_cpp" for r in capi_records):
        print(f"\nC API overhead (mt_bench_capi): train_small's epoch through libminitensor's C "
              f"API (the C demo's loop) and the C++ train_classifier_epoch, interleaved in one "
              f"process ({capi_meta['warmup_epochs']} warm-up epochs, then "
              f"{capi_meta['rounds']} rounds of {capi_meta['epochs_per_round']} epochs per "
              f"side). ms/epoch: medians over all timed epochs; C API / C++: the median over "
              f"the rounds of the ratio of the two sides' medians in that round, with its "
              f"quartiles.\n")
        print(capi_table(capi_records))
    if args.json:
        Path(args.json).write_text(json.dumps({"meta": metas, "stream_add_gbps": stream,
                                               "results": records, "capi": capi_records},
                                              indent=1))
        print(f"raw results: {args.json}")


if __name__ == "__main__":
    main()
