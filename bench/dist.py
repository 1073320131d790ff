#!/usr/bin/python3
"""The distributed benchmark: minitensor's collectives against raw MPI, and a data-parallel step.

    /usr/bin/python3 bench/dist.py [BUILD_DIR/bench] [--ranks 2,4] [--rounds 15]
                                   [--train-rounds 5] [--json out.json]

1. `mpirun -np N mt_bench_dist_collectives` for each N of --ranks: MPI_Allreduce against
   mt_all_reduce (engine and ordered modes) and a memcpy floor, float32 in place, 1 KiB - 64 MiB,
   and MPI_Bcast against mt_broadcast at 1 MiB, all in the same run (see dist_collectives.c).
   Times and GB/s are medians over the rounds; the differences and ratios are paired: the
   median over the rounds of that round's, whose samples were taken back to back.
2. `mt_bench_dist_train` (an MLP 2-256-256-1, global batch 8192, float32, SGD; see
   dist_train.c) three ways: one process with 1 thread, one process with 2 threads
   (MINITENSOR_NUM_THREADS), and `mpirun -np 2` ranks with 1 thread each (DDP). Each round runs
   the three in a rotating order; a ratio is the median over the rounds of that round's ratio
   (paired, so that a busy spell of the shared machine tilts both sides alike).
Prints markdown tables and the issue's targets, met or missed by how much.
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "build/bench/bench"
TRAIN_CONFIGURATIONS = (
    ("1 process x 1 thread", 1, 1),
    ("1 process x 2 threads", 1, 2),
    ("2 ranks x 1 thread", 2, 1),
)


def cpu_model():
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


def run_json(command, ranks, threads=None):
    """Runs command (under mpirun when ranks > 1) and returns its JSON lines."""
    env = dict(os.environ)
    if os.geteuid() == 0:  # Open MPI refuses root without both
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    if ranks > (os.cpu_count() or 1):
        env["OMPI_MCA_rmaps_base_oversubscribe"] = "1"
    if threads is not None:
        env["MINITENSOR_NUM_THREADS"] = str(threads)
    if ranks > 1:
        command = ["mpirun", "-np", str(ranks)] + command
    out = subprocess.run(command, env=env, check=True, stdout=subprocess.PIPE, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def paired(a, b, compare):
    """The median over the rounds of compare(a[round], b[round])."""
    return statistics.median(compare(x, y) for x, y in zip(a, b))


def verdict(met, by):
    return "met" if met else f"MISSED by {by}"


def collectives(program, ranks, rounds):
    lines = run_json([str(program), "--rounds", str(rounds)], ranks)
    meta = lines[0]["meta"]
    rows, samples = {}, {}
    for line in lines[1:]:
        rows.setdefault((line["op"], line["bytes"]), {})[line["impl"]] = line["median_us"]
        samples.setdefault((line["op"], line["bytes"]), {})[line["impl"]] = line["samples_us"]
    print(
        f"\n### Collectives, {ranks} ranks ({meta['mpi']}, {meta['threads']} thread(s) per rank, "
        f"medians over {rounds} rounds)\n"
    )
    print(
        "| size | MPI us | engine us | ordered us | MPI GB/s | engine GB/s | ordered GB/s "
        "| memcpy GB/s | engine - MPI us | engine / MPI GB/s | ordered / engine time |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    targets = []
    for (op, size), t in rows.items():
        if op != "all_reduce":
            continue
        gbps = {impl: size / us / 1e3 for impl, us in t.items()}
        round_samples = samples[(op, size)]
        extra = paired(round_samples["engine"], round_samples["mpi"], lambda a, b: a - b)
        bandwidth = paired(round_samples["mpi"], round_samples["engine"], lambda a, b: a / b)
        ordered = paired(round_samples["ordered"], round_samples["engine"], lambda a, b: a / b)
        print(
            f"| {label(size)} | {t['mpi']:.4g} | {t['engine']:.4g} | {t['ordered']:.4g} "
            f"| {gbps['mpi']:.3g} | {gbps['engine']:.3g} | {gbps['ordered']:.3g} "
            f"| {gbps['memcpy']:.3g} | {extra:+.3g} | {bandwidth:.2f} | {ordered:.2f} |"
        )
        if size == 1024:
            targets.append(
                f"1 KiB: engine - MPI = {extra:+.2f} us (target <= +1 us): "
                + verdict(extra <= 1, f"{extra - 1:.2f} us")
            )
        if 1 << 20 <= size <= 4 << 20:
            targets.append(
                f"{label(size)}: engine / MPI bandwidth = {bandwidth:.3f} (target >= "
                "0.9): " + verdict(bandwidth >= 0.9, f"{0.9 - bandwidth:.3f}")
            )
        if size <= 4 << 20:
            targets.append(
                f"{label(size)}: ordered / engine time = {ordered:.3f} (target <= 1.1): "
                + verdict(ordered <= 1.1, f"{ordered - 1.1:.3f}")
            )
    b = rows[("broadcast", 1 << 20)]
    print(
        f"\nBroadcast 1 MiB: MPI_Bcast {b['mpi']:.4g} us, mt_broadcast {b['minitensor']:.4g} us "
        f"(mt / MPI {b['minitensor'] / b['mpi']:.2f}).\n"
    )
    print("Targets at {} ranks:\n".format(ranks) + "\n".join(f"- {t}" for t in targets))
    return lines


def label(size):
    return f"{size >> 20} MiB" if size >= 1 << 20 else f"{size >> 10} KiB"


def train(program, rounds):
    runs = {name: [] for name, _, _ in TRAIN_CONFIGURATIONS}
    for r in range(rounds):
        for k in range(len(TRAIN_CONFIGURATIONS)):
            name, ranks, threads = TRAIN_CONFIGURATIONS[(r + k) % len(TRAIN_CONFIGURATIONS)]
            runs[name].append(run_json([str(program)], ranks, threads)[0])
    base, two_threads, ddp = (runs[name] for name, _, _ in TRAIN_CONFIGURATIONS)
    first = base[0]
    print(
        f"\n### Data-parallel step: MLP 2-{first['hidden']}-{first['hidden']}-1, global batch "
        f"{first['global_batch']}, {first['dtype']}, SGD (median step of {first['steps']} after "
        f"warm-up, then the median over {rounds} rounds)\n"
    )
    print("| configuration | step ms | samples/s | vs 1 process x 1 thread | DDP overlap |")
    print("|---|---|---|---|---|")

    def rate_ratio(runs, over):
        return paired(runs, over, lambda a, b: a["samples_per_s"] / b["samples_per_s"])

    for name, _, _ in TRAIN_CONFIGURATIONS:
        ms = statistics.median(run["median_ms"] for run in runs[name])
        rate = statistics.median(run["samples_per_s"] for run in runs[name])
        overlap = (
            "-" if runs[name][0]["ranks"] == 1 else "on" if runs[name][0]["overlap"] else "off"
        )
        print(
            f"| {name} | {ms:.4g} | {rate:.4g} | {rate_ratio(runs[name], base):.2f} | {overlap} |"
        )
    speedup, versus_threads = rate_ratio(ddp, base), rate_ratio(ddp, two_threads)
    print(
        "\nTargets:\n"
        f"- 2 ranks x 1 thread / 1 process x 1 thread = {speedup:.2f} (target >= 1.8): "
        + verdict(speedup >= 1.8, f"{1.8 - speedup:.2f}")
        + "\n"
        f"- 2 ranks x 1 thread / 1 process x 2 threads = {versus_threads:.2f} (target >= 1): "
        + verdict(versus_threads >= 1, f"{1 - versus_threads:.2f}")
    )
    return runs


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "bench_dir",
        nargs="?",
        type=Path,
        default=DEFAULT_DIR,
        help="where mt_bench_dist_collectives and mt_bench_dist_train are",
    )
    parser.add_argument("--ranks", default="2", help="comma-separated rank counts (default 2)")
    parser.add_argument("--rounds", type=int, default=15, help="collectives' rounds (default 15)")
    parser.add_argument(
        "--train-rounds",
        type=int,
        default=5,
        help="rounds of the three training configurations (default 5; 0 skips)",
    )
    parser.add_argument("--json", type=Path, help="write the raw results here")
    args = parser.parse_args()
    # The machine is shared: the load average before and after says how quiet it was.
    load = os.getloadavg()[0]
    print(
        f"## Distributed, {datetime.date.today()}, {cpu_model()}, {os.cpu_count()} CPUs, "
        f"load average {load:.2f} before"
    )
    results = {
        "cpu": cpu_model(),
        "date": str(datetime.date.today()),
        "load_before": load,
        "collectives": {},
    }
    for ranks in (int(n) for n in args.ranks.split(",")):
        results["collectives"][ranks] = collectives(
            args.bench_dir / "mt_bench_dist_collectives", ranks, args.rounds
        )
    if args.train_rounds > 0:
        results["train"] = train(args.bench_dir / "mt_bench_dist_train", args.train_rounds)
    results["load_after"] = os.getloadavg()[0]
    print(f"\nLoad average {results['load_after']:.2f} after.")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
