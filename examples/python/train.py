#!/usr/bin/env python3
"""Trains MiniTorch's classifier on a toy dataset with minitensor's Python package.

The same computation, op for op, as the C demo (examples/c/classifier.c): an MLP
2 -> H -> H -> 1 (relu, relu, sigmoid on the logit), binary cross-entropy, plain SGD over
minibatches of consecutive points, on the CPU or a CUDA device (--device cuda); or, with
--distributed under mpirun -np N, data-parallel (examples/c/distributed.c); with --compile,
each minibatch runs a compiled plan of the training step (mt.compile). The same seed prints the
same losses as mt_train_c (with --exact, bit for bit).
    train.py [--dataset xor] [--hidden 10] [--epochs 500] ... (--help lists them)
Exit status: 0 done, 1 a failed call (the library's message is printed) or --device cuda where
CUDA is unavailable (the reason is printed), 2 bad options.
Progress: a line after every N-th epoch and after the last (N: --every, or by default the C
demo's rule, default_every) and, when stdout is a terminal, a live line rewritten in place.
"""
import argparse
import statistics
import sys
import time

import minitensor as mt
import minitensor.distributed as dist


def int_in(low, high=2**63 - 1):
    """An option type: an integer in [low, high], as the C demo's ranges."""

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"'{text}' is not an integer in [{low}, {high}]")
        return value

    return parse


def default_every(epochs):
    """--every's default, the C demo's rule: the smallest of 1, 2, 5, 10, 20, 50, ... that
    prints at most 20 progress lines."""
    scale = 1
    while True:
        for every in (scale, 2 * scale, 5 * scale):
            if epochs <= 20 * every:
                return every
        scale *= 10


def positive_real(text):
    value = float(text)
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"'{text}' is not a positive number")
    return value


def device(text):
    """An option type: cpu, cuda or cuda:N, as the C demo's --device."""
    try:
        return mt.device(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not cpu, cuda or cuda:N") from None


def parse_options(argv):
    parser = argparse.ArgumentParser(
        prog="train.py",
        description="Trains MiniTorch's classifier (MLP 2 -> H -> H -> 1, "
        "relu, sigmoid, binary cross-entropy, SGD over minibatches in order) on a toy dataset "
        "and prints its progress.",
    )
    parser.add_argument("--dataset", default="xor", choices=mt.datasets.names())
    parser.add_argument("--points", type=int_in(1, 10_000_000), default=50, help="dataset size")
    parser.add_argument(
        "--hidden", type=int_in(1, 100_000), default=10, help="width of the two hidden layers"
    )
    parser.add_argument("--epochs", type=int_in(1, 100_000_000), default=500)
    parser.add_argument("--lr", type=positive_real, default=0.05, help="SGD learning rate")
    parser.add_argument("--batch", type=int_in(1), default=10, help="points per minibatch")
    parser.add_argument("--dtype", default="float64", choices=("float32", "float64"))
    parser.add_argument(
        "--seed",
        type=int_in(0, 2**63 - 2),
        default=3,
        help="initial weights from seed S, data points from S + 1",
    )
    parser.add_argument("--backend", choices=mt.backends(), help="default: the library's")
    parser.add_argument(
        "--threads",
        type=int_in(0, 1024),
        default=0,
        help="threads of cpu_par (0: MINITENSOR_NUM_THREADS or all)",
    )
    parser.add_argument(
        "--device",
        type=device,
        default=mt.device("cpu"),
        help="cpu, cuda or cuda:N: where the model, the data and the training "
        "live (default cpu)",
    )
    parser.add_argument(
        "--every",
        type=int_in(1),
        help="a progress line every N epochs and after the last (default: the smallest of 1, 2, "
        "5, 10, 20, 50, ... giving at most 20 lines)",
    )
    parser.add_argument(
        "--quiet",
        action="store_const",
        const=0,
        dest="every",
        help="no progress lines, only the summary",
    )
    parser.add_argument(
        "--exact", action="store_true", help="print the loss so that it reads back exactly (repr)"
    )
    parser.add_argument(
        "--distributed",
        action="store_true",
        help="data-parallel over the ranks of mpirun -np N (CPU only): each rank trains on its "
        "share of every shuffled batch of --batch points (a multiple of N); rank 0 prints the "
        "progress, every rank its final loss",
    )
    parser.add_argument(
        "--compile",
        action="store_true",
        help="capture the training step once per minibatch shape and run each minibatch as its "
        "compiled plan (fused kernels; the same losses as eager); CPU only, not with "
        "--distributed",
    )
    opt = parser.parse_args(argv)
    # Plans run on the CPU, and a capture cannot record --distributed's collectives.
    if opt.compile and opt.device.type != "cpu":
        parser.error("--compile runs plans on the CPU only, not with --device cuda")
    if opt.compile and opt.distributed:
        parser.error("--compile does not combine with --distributed")
    if opt.every is None:
        opt.every = default_every(opt.epochs)
    return opt


class LiveLine:
    """On a terminal, one line rewritten in place with the epoch, loss, accuracy and the time
    left, redrawn at most every 0.1 s; clear() erases it before anything else is printed."""

    PERIOD = 0.1

    def __init__(self, opt):
        self.on = bool(opt.every) and sys.stdout.isatty()
        self.epochs, self.start, self.shown = opt.epochs, time.perf_counter(), False
        self.drawn = self.start - self.PERIOD  # draw after the first epoch

    def due(self, epoch):
        """Whether to redraw after `epoch`."""
        return self.on and epoch < self.epochs and time.perf_counter() - self.drawn >= self.PERIOD

    def draw(self, epoch, loss, accuracy):
        self.drawn = time.perf_counter()
        elapsed = self.drawn - self.start
        left = elapsed / epoch * (self.epochs - epoch)
        print(
            f"\r\x1b[Kepoch {epoch}/{self.epochs}  loss {loss:.6f}  accuracy {100 * accuracy:5.1f}%"
            f"  {elapsed:.1f} s, {left:.1f} s left",
            end="",
            flush=True,
        )
        self.shown = True

    def clear(self):
        if self.shown:
            print("\r\x1b[K", end="", flush=True)
            self.shown = False


class Classifier:
    """The model, its optimizer and the data, on opt.device (classifier_create in the C demo)."""

    def __init__(self, opt):
        self.dtype = getattr(mt, opt.dtype)
        self.x, self.y = (
            data.to(opt.device)
            for data in mt.datasets.make(opt.dataset, opt.points, opt.seed + 1, self.dtype)
        )
        self.points, self.batch = opt.points, opt.batch
        # On the device before the optimizer takes the parameters.
        self.model = mt.nn.MLP(
            [2, opt.hidden, opt.hidden, 1], self.dtype, mt.Generator(opt.seed)
        ).to(opt.device)
        self.optimizer = mt.optim.SGD(self.model.parameters(), lr=opt.lr)
        # --compile: the step captured once per minibatch shape (a ragged last minibatch is a
        # second one), each minibatch running its plan.
        self.step = mt.compile(self.eager_step) if opt.compile else self.eager_step

    def eager_step(self, x, y, ddp=None):
        """One SGD step on the points x and labels y, the gradients reduced through ddp if
        given; the batch's mean loss as a tensor."""
        probs = self.model(x).sigmoid()
        loss = mt.nn.binary_cross_entropy(probs, y.view(y.shape[0], 1))
        self.optimizer.zero_grad()
        loss.backward()
        if ddp:
            ddp.reduce_gradients()
        self.optimizer.step()
        return loss

    def train_batch(self, x, y, ddp=None):
        """The step on x and y (ddp: as eager_step's); the batch's mean loss."""
        return self.step(x, y, ddp).item()

    def plans(self):
        """One line per compiled plan (--compile): its minibatch length and what fused."""
        # A signature's first entry is x's: (Tensor, its shape, its dtype).
        return [
            f"plan for minibatches of {key[0][1][0]}: {plan.stats.ops} ops -> "
            f"{plan.stats.kernels} kernels, {plan.stats.fused_kernels} fused"
            for key, plan in getattr(self.step, "plans", {}).items()
        ]

    def train_epoch(self):
        """One pass over the minibatches in order; the mean loss per point."""
        total = 0.0
        for first in range(0, self.points, self.batch):
            length = min(self.batch, self.points - first)
            x, y = self.x.narrow(0, first, length), self.y.narrow(0, first, length)
            total += self.train_batch(x, y) * length
        return total / self.points

    def accuracy(self):
        """The fraction of points whose logit has the label's sign."""
        with mt.no_grad():
            logits = self.model(self.x).view(self.points)
            right = (logits > mt.scalar(0, self.dtype)) == self.y
            return right.mean().item()


class DataParallel:
    """--distributed (distributed.c in the C demo): the ranks of mpirun each train on their
    block of every shuffled global batch of opt.batch points, with the gradients averaged over
    the ranks before each step, so every rank holds rank 0's parameters."""

    def __init__(self, model, opt):
        self.comm = dist.Communicator()
        self.sampler = dist.ShardedSampler(opt.points, opt.batch, self.comm, seed=opt.seed)
        self.ddp = dist.DataParallel(model.model.parameters(), self.comm)
        self.xy, self.labels = model.x.tolist(), model.y.tolist()

    def train_epoch(self, model, epoch):
        """Epoch `epoch` (0, 1, ...) of this rank's blocks; the mean loss per point of the
        epoch's global batches: the ranks' sums, added in rank order (the same bits on every
        rank)."""
        self.sampler.set_epoch(epoch)
        local = 0.0
        for indices in self.sampler:
            x = mt.tensor([self.xy[i] for i in indices], dtype=model.dtype)
            y = mt.tensor([self.labels[i] for i in indices], dtype=model.dtype)
            local += model.train_batch(x, y, self.ddp) * len(indices)
        total = self.comm.all_reduce(mt.scalar(local, mt.float64)).item()
        return total / (self.sampler.steps * self.sampler.local_batch * self.comm.size)


def main(argv):
    opt = parse_options(argv)
    if opt.device.type == "cuda" and not mt.cuda.is_available():
        print(f"train.py: CUDA is unavailable: {mt.cuda.unavailable_reason()}", file=sys.stderr)
        return 1
    try:
        if opt.backend:
            mt.set_backend(opt.backend)
        mt.set_num_threads(opt.threads)
        model = Classifier(opt)
        world = DataParallel(model, opt) if opt.distributed else None
        rank = world.comm.rank if world else 0
        if rank != 0:
            opt.every = 0  # rank 0 shows the progress
        header = (
            f"{opt.dataset}, {opt.points} points, hidden {opt.hidden}, lr {opt.lr:g}, "
            f"batch {opt.batch}, {opt.dtype}, seed {opt.seed}, "
            f"backend {mt.current_backend()}"
        )
        if mt.current_backend() == "cpu_par":  # the thread count applies to it only
            header += f" ({mt.num_threads()} threads)"
        header += f", device {opt.device}" + (", distributed" if world else "")
        header += ", compiled" if opt.compile else ""
        if rank == 0:
            print(header)
        times, width, live = [], len(str(opt.epochs)), LiveLine(opt)
        for epoch in range(1, opt.epochs + 1):
            start = time.perf_counter()
            loss = world.train_epoch(model, epoch - 1) if world else model.train_epoch()
            times.append((time.perf_counter() - start) * 1e3)
            printed = opt.every and (epoch % opt.every == 0 or epoch == opt.epochs)
            redraw = live.due(epoch)
            if printed or redraw:
                accuracy = model.accuracy()
            if printed:
                live.clear()
                loss_text = repr(loss) if opt.exact else f"{loss:.6f}"
                print(
                    f"epoch {epoch:{width}d}  loss {loss_text}  "
                    f"accuracy {100 * accuracy:5.1f}%  {times[-1]:.3f} ms"
                )
            if redraw:
                live.draw(epoch, loss, accuracy)
        live.clear()
        if world:
            print(f"rank {rank} of {world.comm.size}: final loss {loss:.17g}")
        if rank != 0:
            return 0
        print(
            f"done: {opt.epochs} epochs, loss {loss:.6f}, accuracy "
            f"{100 * model.accuracy():.1f}%, {statistics.median(times):.3f} ms/epoch "
            f"(median; mean {statistics.fmean(times):.3f})"
        )
        for line in model.plans():
            print(line)
    except mt.Error as error:
        print(f"train.py: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
