#!/usr/bin/env python3
"""Checks what the C demo (examples/c, mt_train_c) prints and draws.

Runs the demo with its defaults (and two other epoch counts) in a scratch directory and checks:
- the progress lines: after every N-th epoch and after the last, N by the documented rule (the
  smallest of 1, 2, 5, 10, 20, 50, ... with ceil(epochs / N) <= 20) or --every; the default
  run prints 10 to 20 of them, then the summary and the two plots' paths, nothing else;
- through a pseudo-terminal, the live line appears and is cleared: what stays on the screen is
  the same lines;
- both SVGs are well-formed XML; the curves hold the series "loss" and "accuracy" with one
  point per epoch, drawn where their values say, and those values are the printed ones; the
  decision boundary has its probability grid, one circle per data point and, after the default
  run's training, its contour.

Usage: demo_output.py PATH/TO/mt_train_c
"""
import math
import os
import pty
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
EPOCH_LINE = re.compile(r"^epoch +(\d+)  loss (\S+)  accuracy +(\S+)%  \S+ ms$")
HEADER = re.compile(r"^(\w+), (\d+) points, hidden \d+, .*, device cpu$")
DONE = re.compile(r"^done: (\d+) epochs, loss (\S+), accuracy (\S+)%, .* ms/epoch ")
BOUNDARY = "decision_boundary.svg"  # the defaults of --svg and --curves
CURVES = "training_curves.svg"


def fail(message):
    sys.exit(f"demo_output.py: FAIL: {message}")


def default_every(epochs):
    """The documented rule, written out independently of the demos."""
    scale = 1
    while True:
        for mantissa in (1, 2, 5):
            if math.ceil(epochs / (mantissa * scale)) <= 20:
                return mantissa * scale
        scale *= 10


def run(program, args, cwd):
    done = subprocess.run(
        [program] + args, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0 or done.stderr:
        fail(f"{args}: exit {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}")
    return done.stdout


def run_on_terminal(program, args, cwd):
    """stdout on a pseudo-terminal: the raw bytes written to it."""
    leader, follower = pty.openpty()
    with subprocess.Popen([program] + args, cwd=cwd, stdout=follower) as child:
        os.close(follower)
        raw = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the child closed its end
                break
            if not chunk:
                break
            raw += chunk
        os.close(leader)
        if child.wait(timeout=120) != 0:
            fail(f"{args} on a terminal: exit {child.returncode}")
    return raw.decode()


def check_lines(text, args):
    """The points, the epochs and the printed (loss, accuracy) texts by epoch, after checking
    the lines' shape."""
    lines = text.splitlines()
    header, progress, tail = lines[0], lines[1:-3], lines[-3:]
    epochs = int(DONE.match(tail[0])[1]) if DONE.match(tail[0]) else None
    if not HEADER.match(header) or epochs is None:
        fail(f"{args}: expected a header, progress lines and a summary:\n{text}")
    if tail[1:] != [
        f"decision boundary (50x50 grid): {BOUNDARY}",
        f"training curves " f"({epochs} epochs): {CURVES}",
    ]:
        fail(f"{args}: expected the two plots' paths last:\n{text}")
    every = int(args[args.index("--every") + 1]) if "--every" in args else default_every(epochs)
    expected = [e for e in range(1, epochs + 1) if e % every == 0 or e == epochs]
    matches = [EPOCH_LINE.match(line) for line in progress]
    if not all(matches) or [int(m[1]) for m in matches] != expected:
        fail(f"{args}: expected progress lines for epochs {expected}:\n{text}")
    done = DONE.match(tail[0])
    if (done[2], done[3].strip()) != (matches[-1][2], matches[-1][3].strip()):
        fail(f"{args}: the summary's loss and accuracy differ from the last epoch's:\n{text}")
    points = int(HEADER.match(header)[2])
    return points, epochs, {int(m[1]): (m[2], m[3].strip()) for m in matches}


def axis_scale(root, side):
    """The vertical axis on `side` as a function from a value to y, from its first and last
    tick and their labels."""
    group = next(g for g in root.iter(SVG + "g") if g.get("class") == f"axis {side}")
    ticks = [float(line.get("y1")) for line in group.findall(SVG + "line")]
    labels = [float(text.text) for text in group.findall(SVG + "text")[: len(ticks)]]
    if len(ticks) < 2 or labels[0] == labels[-1]:
        fail(f"{CURVES}: the {side} axis has fewer than two ticks")
    slope = (ticks[-1] - ticks[0]) / (labels[-1] - labels[0])
    return lambda value: ticks[0] + (value - labels[0]) * slope


def check_series(root, name, epochs, to_y):
    """The series' values, after checking it has one point per epoch, left to right, each
    where its value lies on the axis to_y (a function from the value to y)."""
    found = [p for p in root.iter(SVG + "polyline") if p.get("id") == name]
    if len(found) != 1 or "series" not in found[0].get("class", "").split():
        fail(f"{CURVES}: expected one <polyline id='{name}' class='series'>")
    values = [float(v) for v in found[0].get("data-values").split()]
    points = [tuple(map(float, p.split(","))) for p in found[0].get("points").split()]
    if len(values) != epochs or len(points) != epochs:
        fail(f"{CURVES}: {name} has {len(values)} values, {len(points)} points, not {epochs}")
    xs = [p[0] for p in points]
    if any(b <= a for a, b in zip(xs, xs[1:])):
        fail(f"{CURVES}: {name}'s points do not go left to right")
    for epoch, (value, (_, y)) in enumerate(zip(values, points), 1):
        if abs(to_y(value) - y) > 0.1:
            fail(
                f"{CURVES}: {name} at epoch {epoch} is {value!r}, drawn at y {y}, the axis "
                f"puts it at {to_y(value):.2f}"
            )
    return values


def check_curves(path, epochs, printed):
    root = ET.parse(path).getroot()
    left, right = axis_scale(root, "left"), axis_scale(root, "right")
    loss = check_series(root, "loss", epochs, left)
    accuracy = check_series(root, "accuracy", epochs, lambda a: right(100 * a))  # in %
    for epoch, (loss_text, accuracy_text) in printed.items():
        if (f"{loss[epoch - 1]:.6f}", f"{100 * accuracy[epoch - 1]:.1f}") != (
            loss_text,
            accuracy_text,
        ):
            fail(
                f"{path}: epoch {epoch} printed {loss_text} {accuracy_text}%, the plot has "
                f"{loss[epoch - 1]!r} {accuracy[epoch - 1]!r}"
            )
    legend = " ".join(t.text or "" for t in root.iter(SVG + "text"))
    if "loss" not in legend or "accuracy" not in legend or "epoch" not in legend:
        fail(f"{path}: expected the axis titles and the legend to name epoch, loss, accuracy")


def check_boundary(path, points, trained):
    """trained: the model separates the classes, so the contour is not empty."""
    root = ET.parse(path).getroot()
    groups = {g.get("class"): g for g in root.iter(SVG + "g") if g.get("class")}
    cells = groups.get("probability")
    if cells is None or len(cells.findall(SVG + "rect")) != 50 * 50:
        fail(f"{path}: expected a <g class='probability'> of 50x50 cells")
    circles = groups["points"].findall(SVG + "circle") if "points" in groups else []
    if len(circles) != points or {c.get("class") for c in circles} != {"class0", "class1"}:
        fail(f"{path}: expected {points} data points of both classes, got {len(circles)}")
    contour = [p for p in root.iter(SVG + "path") if p.get("class") == "boundary"]
    if len(contour) != 1 or trained and not contour[0].get("d", "").startswith("M"):
        fail(f"{path}: expected the p = 0.5 contour, a <path class='boundary'>")


def check_terminal(program, piped, scratch):
    raw = run_on_terminal(program, [], scratch)
    if "\r\x1b[Kepoch 1/" not in raw or " s left" not in raw:
        fail(f"on a terminal: no live line (epoch/total ... s left):\n{raw!r}")
    # What stays on the screen: on each line, what follows the last "erase the line".
    screen = [line.rstrip("\r").split("\r\x1b[K")[-1] for line in raw.split("\n")]
    strip_times = re.compile(r"[\d.]+ ms.*$")
    if [strip_times.sub("", s) for s in screen if s] != [
        strip_times.sub("", s) for s in piped.splitlines()
    ]:
        fail(f"on a terminal the lines that stay differ from a pipe's:\n{raw!r}\n{piped}")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: demo_output.py PATH/TO/mt_train_c")
    program = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as scratch:
        for args in ([], ["--epochs", "37"], ["--epochs", "15", "--every", "7"]):
            stdout = run(program, args, scratch)
            if "\r" in stdout or "\x1b" in stdout:
                fail(f"{args}: a live line went to a pipe:\n{stdout!r}")
            points, epochs, printed = check_lines(stdout, args)
            if not args and not 10 <= len(printed) <= 20:
                fail(f"the default run printed {len(printed)} progress lines, not 10 to 20")
            check_curves(os.path.join(scratch, CURVES), epochs, printed)
            check_boundary(os.path.join(scratch, BOUNDARY), points, not args)
            print(
                f"ok   {args or '(defaults)'}: {len(printed)} progress lines, plots checked",
                flush=True,
            )
            if not args:
                check_terminal(program, stdout, scratch)
                print("ok   on a terminal: the live line shows and is cleared", flush=True)


if __name__ == "__main__":
    main()
