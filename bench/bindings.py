#!/usr/bin/python3
"""What the bindings cost: minitensor from Python against numpy and PyTorch, and the training
demo in C, Python, Java and C#.

    /usr/bin/python3 bench/bindings.py [BUILD_DIR]    (default build/bench; bench/run.sh)

1. Ops called from Python, the three libraries in this one process at the same thread count
   (minitensor: MINITENSOR_NUM_THREADS or all cores; torch.set_num_threads to match; numpy's
   elementwise ops are single-threaded; OpenBLAS gets that many threads and its own kernels,
   as in compare.py). The small cases measure the cost of one call, the
   large ones that the bindings add nothing to the work. Timing as compare.py's measure();
   ratios are other/minitensor medians (> 1: minitensor is faster).
2. The training demo of each language (the C demo's loop, train_small's setup: split,
   50 points, H = 100, batch 10, float64, 300 epochs): the median ms per epoch each prints, and
   its ratio to the C demo's.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

from compare import measure, worker_env

ROOT = Path(__file__).resolve().parent.parent


def op_cases(mt, np, torch):
    """(name, {library: work}) for each case; inputs are made once, outside the timing."""
    rng = np.random.default_rng(7)

    def binary(name, op, *shape):
        """The case `name`: op(a, b) on the same random float32 arrays in each library."""
        a, b = (rng.random(shape, dtype=np.float32) for _ in range(2))
        ma, mb, ta, tb = mt.tensor(a), mt.tensor(b), torch.from_numpy(a), torch.from_numpy(b)
        return name, {"minitensor": lambda: op(ma, mb), "numpy": lambda: op(a, b),
                      "torch": lambda: op(ta, tb)}

    cases = []
    for size in (8, 1024, 4_000_000):
        cases.append(binary(f"add f32 {size}", lambda x, y: x + y, size))
        cases.append(binary(f"sum f32 {size}", lambda x, _: x.sum(), size))
    for n in (4, 512):
        cases.append(binary(f"matmul f32 {n}", lambda x, y: x @ y, n, n))
    x = rng.random((64, 64))
    mx, tx = mt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    cases.append(("backward of sum(relu(x @ x)) f64 64",
                  {"minitensor": lambda: (mx @ mx).relu().sum().backward(),
                   "torch": lambda: (tx @ tx).relu().sum().backward()}))
    return cases


def bench_ops(build):
    sys.path.insert(0, str(build / "bindings/python/dist"))
    import minitensor as mt
    import numpy as np
    import torch
    torch.set_num_threads(mt.num_threads())
    print(f"## Ops from Python ({mt.num_threads()} threads; ms, median)\n")
    print("| case | minitensor | numpy | torch | numpy/mt | torch/mt |")
    print("|---|---|---|---|---|---|")
    for name, works in op_cases(mt, np, torch):
        ms = {lib: measure(work)[0] for lib, work in works.items()}
        row = [f"{ms[lib]:.4f}" if lib in ms else "-" for lib in ("minitensor", "numpy", "torch")]
        ratios = [f"{ms[lib] / ms['minitensor']:.2f}" if lib in ms else "-"
                  for lib in ("numpy", "torch")]
        print(f"| {name} | " + " | ".join(row + ratios) + " |")


def bench_demos(build):
    bindings = build / "bindings"
    demos = {
        "C": [build / "examples/c/mt_train_c", "--svg", os.devnull, "--curves", os.devnull],
        "Python": ["/usr/bin/python3", "-B", ROOT / "examples/python/train.py"],
        "Java": ["java", "-cp", f"{bindings / 'java/minitensor.jar'}:{bindings / 'java/train.jar'}",
                 "org.minitensor.examples.Train"],
        "C#": ["mono", bindings / "csharp/Train.exe"],
    }
    options = ["--dataset", "split", "--hidden", "100", "--epochs", "300", "--quiet"]
    env = dict(os.environ, PYTHONPATH=str(bindings / "python/dist"))
    print("\n## The training demo, train_small's setup (ms per epoch, median of 300)\n")
    print("| language | ms/epoch | / C |")
    print("|---|---|---|")
    c_ms = None
    for language, command in demos.items():
        out = subprocess.run([str(part) for part in command] + options, env=env, check=True,
                             capture_output=True, text=True).stdout
        ms = float(re.search(r"([0-9.]+) ms/epoch \(median", out)[1])
        c_ms = c_ms or ms
        print(f"| {language} | {ms:.3f} | {ms / c_ms:.2f} |")


if __name__ == "__main__":
    if "OPENBLAS_CORETYPE" in os.environ:  # the machine's presets: restart without them
        threads = os.environ.get("MINITENSOR_NUM_THREADS", str(os.cpu_count()))
        os.execve(sys.executable, [sys.executable] + sys.argv, worker_env("numpy", threads))
    build_dir = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "build/bench").resolve()
    bench_ops(build_dir)
    bench_demos(build_dir)
