#!/usr/bin/env python3
"""Checks that the training demos of every language print the same losses.

The library is deterministic, so the C demo and the Python, Java and C# examples, which make
the same calls in the same order, must print bitwise the same loss for every epoch. Each demo
runs with --exact (losses printed so that they read back to the same double) on a few
configurations; the losses are parsed as floats and compared exactly with the C demo's, and
the accuracies as printed. Every demo must print its progress after the same epochs (--every's
default follows one rule in all four), and after the last one; up to 20 epochs that is every
epoch.

Usage: same_losses.py [OPTIONS] -- c CMD... -- python CMD... [-- java CMD...] [-- csharp CMD...]
Each group names a demo and gives the command that runs it when options are appended (a
command may carry options of its own, such as --device cuda); the first group is the
reference. The demo named "c" also gets --svg and --curves (it always draws its plots); a name
may carry a label after a slash, as "c/cuda" or "java/compile" (the same demo, another command:
with --compile each demo trains through plans of its captured step, bitwise eager's losses).
OPTIONS: --epochs N (default 15); --configurations K, the first K configurations only; --rtol R,
losses equal to R relative rather than bitwise (a run on a device, which sums in another order,
against one on the CPU).
"""
import argparse
import glob
import math
import os
import re
import subprocess
import sys
import tempfile

# (options, epochs): defaults (xor, float64, cpu_par), a float32 spiral with a ragged last
# minibatch, and the sequential backend on another dataset and seed.
CONFIGURATIONS = [
    [],
    [
        "--dataset",
        "spiral",
        "--dtype",
        "float32",
        "--points",
        "60",
        "--hidden",
        "12",
        "--batch",
        "7",
        "--lr",
        "0.1",
        "--seed",
        "11",
    ],
    ["--dataset", "circle", "--backend", "cpu_seq", "--seed", "5", "--points", "40"],
]
EPOCH_LINE = re.compile(r"^epoch\s+(\d+)\s+loss\s+(\S+)\s+accuracy\s+(\S+)%")


def parse_options(argv):
    """The options before the first "--" and the groups after it."""
    split = argv.index("--") if "--" in argv else len(argv)
    parser = argparse.ArgumentParser(
        prog="same_losses.py", usage="%(prog)s [OPTIONS] -- NAME CMD... [-- NAME CMD...]"
    )
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--configurations", type=int, default=len(CONFIGURATIONS))
    parser.add_argument("--rtol", type=float, default=0.0)
    return parser.parse_args(argv[:split]), parse_groups(argv[split:])


def parse_groups(argv):
    if not argv:
        sys.exit("usage: same_losses.py [OPTIONS] -- NAME CMD... [-- NAME CMD...]")
    groups, current = [], None
    for arg in argv:
        if arg == "--":
            current = []
            groups.append(current)
        else:
            current.append(arg)
    if len(groups) < 2 or any(len(g) < 2 for g in groups):
        sys.exit("same_losses.py: need at least two groups, each a name and a command")
    return [(g[0], g[1:]) for g in groups]


def launched(args, out_dir):
    """The output of `args`, a command run directly or under mpirun (mpiexec). mpirun interleaves
    the ranks' writes at any byte, so each rank's stdout goes to a file of its own: the result is
    rank 0's, and every rank must print the same final loss (G1)."""
    launcher = os.path.basename(args[0]) in ("mpirun", "mpiexec")
    if launcher:
        args = args[:1] + ["--output-filename", out_dir] + args[1:]
    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    if done.returncode != 0 or not launcher:
        return done, done.stdout
    ranks = sorted(glob.glob(os.path.join(out_dir, "*", "rank.*", "stdout")))
    outputs = [open(path).read() for path in ranks]
    finals = {m for text in outputs for m in re.findall(r"final loss (\S+)", text)}
    if len(ranks) < 2 or len(finals) != 1:
        sys.exit(f"{args}: ranks {ranks} printed final losses {finals}, not one for all")
    return done, next(text for path, text in zip(ranks, outputs) if "rank.0" in path)


def run(name, command, options, epochs, svg_dir):
    args = command + options + ["--epochs", str(epochs), "--exact"]
    if name.split("/")[0] == "c":
        args += ["--svg", os.path.join(svg_dir, "boundary.svg")]
        args += ["--curves", os.path.join(svg_dir, "curves.svg")]
    with tempfile.TemporaryDirectory() as out_dir:
        done, stdout = launched(args, out_dir)
    if done.returncode != 0:
        sys.exit(
            f"{name}: exit {done.returncode} from {args}\nstdout:\n{done.stdout}\n"
            f"stderr:\n{done.stderr}"
        )
    lines = []
    # Under mpirun (--distributed) rank 0's stdout is Open MPI's pseudo-terminal, so it also
    # draws its live line ("\r\x1b[K" then the line): a progress line may follow a "\r" or an
    # erase.
    for line in re.split(r"[\r\n]", stdout):
        match = EPOCH_LINE.match(line.removeprefix("\x1b[K"))
        if match:
            lines.append((int(match[1]), float(match[2]), match[3]))
    printed = [e[0] for e in lines]
    every_one = epochs > 20 or printed == list(range(1, epochs + 1))  # the default rule
    if not printed or printed[-1] != epochs or not every_one:
        sys.exit(
            f"{name}: expected epoch lines up to {epochs} (every one up to 20), got {printed} "
            f"from {args}\nstdout:\n{stdout}"
        )
    return lines


def main():
    opt, groups = parse_options(sys.argv[1:])
    failures = 0
    with tempfile.TemporaryDirectory() as svg_dir:
        for options in CONFIGURATIONS[: opt.configurations]:
            label = " ".join(options) or "(defaults)"
            (ref_name, ref_command), others = groups[0], groups[1:]
            reference = run(ref_name, ref_command, options, opt.epochs, svg_dir)
            for name, command in others:
                epochs = run(name, command, options, opt.epochs, svg_dir)
                if [e[0] for e in epochs] != [e[0] for e in reference]:
                    print(
                        f"FAIL {label}: {name} printed epochs {[e[0] for e in epochs]}, "
                        f"{ref_name} {[e[0] for e in reference]}"
                    )
                    failures += 1
                    continue
                worst = 0.0  # the largest relative difference of a loss
                for (epoch, ref_loss, ref_acc), (_, loss, acc) in zip(reference, epochs):
                    if not math.isclose(loss, ref_loss, rel_tol=opt.rtol) or acc != ref_acc:
                        print(
                            f"FAIL {label}: {name} epoch {epoch}: loss {loss!r} accuracy "
                            f"{acc}%, {ref_name} has {ref_loss!r} {ref_acc}%"
                        )
                        failures += 1
                        break
                    if loss != ref_loss:
                        worst = max(worst, abs(loss - ref_loss) / abs(ref_loss))
                else:
                    print(
                        f"ok   {label}: {name} = {ref_name} over {opt.epochs} epochs "
                        f"(last loss {reference[-1][1]!r}, largest relative difference "
                        f"{worst:.3g})"
                    )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
