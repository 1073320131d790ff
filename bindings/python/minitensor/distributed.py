"""Data-parallel training across processes, as torch.distributed (no mpi4py needed).

Start the ranks with a launcher (`mpirun -np 2 python3 train.py`); without one the world is
this process alone and every collective leaves its tensor as it is.

    import minitensor.distributed as dist
    comm = dist.Communicator()
    sampler = dist.ShardedSampler(len(x), 64, comm, seed=1)
    ddp = dist.DataParallel(model.parameters(), comm)  # rank 0's parameters everywhere
    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        for indices in sampler:  # this rank's block of each global batch
            ...  # forward on the block, zero_grad, backward
            ddp.reduce_gradients()  # the average over the ranks, the bits of one process
            optimizer.step()

Collectives take CPU tensors that do not require grad. By default all_reduce folds the ranks'
tensors in rank order, so every rank holds the same bits and runs repeat; ordered=False uses
the engine's MPI_Allreduce. A collective that fails or times out (MINITENSOR_DIST_TIMEOUT
seconds, 300 by default) raises CollectiveFailedError; ranks that call different collectives
raise CollectiveMismatchError. Either breaks the communicator.
"""
from __future__ import annotations

import contextlib
from typing import Iterable, Iterator

from . import _minitensor_native as _c
from ._handle import Handle
from ._tensor import Tensor, _handle, _wrap

_REDUCE_OPS = {
    "sum": _c.MT_REDUCE_SUM,
    "prod": _c.MT_REDUCE_PROD,
    "max": _c.MT_REDUCE_MAX,
    "min": _c.MT_REDUCE_MIN,
}
_OVERLAP_MODES = {"auto": _c.MT_OVERLAP_AUTO, "off": _c.MT_OVERLAP_OFF, "on": _c.MT_OVERLAP_ON}


class Communicator(Handle):
    """This process's view of the launcher's world (joined once per process), or a world of
    one without a launcher."""

    __slots__ = ()

    def __init__(self) -> None:
        """Joins the world of the launcher in the environment (mpirun, srun)."""
        super().__init__(_c.mt_communicator_from_environment())

    @property
    def rank(self) -> int:
        """This process's rank, 0 .. size - 1."""
        return _c.mt_communicator_rank(self._h)

    @property
    def size(self) -> int:
        """The number of ranks."""
        return _c.mt_communicator_size(self._h)

    @property
    def local_rank(self) -> int:
        """This rank's place among the ranks on its machine (to choose a GPU)."""
        return _c.mt_communicator_local_rank(self._h)

    @property
    def engine(self) -> str:
        """The engine's name: "mpi", "nccl", or "none" for a world of one."""
        return _c.mt_communicator_engine(self._h)

    @property
    def timeout(self) -> float:
        """Seconds this communicator's collectives wait for every rank before failing
        (MINITENSOR_DIST_TIMEOUT, 300 by default); settable, for this communicator only."""
        return _c.mt_communicator_timeout(self._h)

    @timeout.setter
    def timeout(self, seconds: float) -> None:
        _c.mt_communicator_set_timeout(self._h, seconds)

    def all_reduce(self, tensor: Tensor, op: str = "sum", ordered: bool = True) -> Tensor:
        """tensor = op ("sum", "prod", "max" or "min") over every rank's tensor, in place;
        returns it."""
        if op not in _REDUCE_OPS:
            raise ValueError(f"all_reduce: op must be one of {sorted(_REDUCE_OPS)}, not {op!r}")
        mode = _c.MT_ALL_REDUCE_ORDERED if ordered else _c.MT_ALL_REDUCE_ENGINE
        _c.mt_all_reduce(self._h, _handle(tensor, "all_reduce"), _REDUCE_OPS[op], mode)
        return tensor

    def broadcast(self, tensor: Tensor, root: int = 0) -> Tensor:
        """tensor = rank root's tensor, in place; returns it."""
        _c.mt_broadcast(self._h, _handle(tensor, "broadcast"), root)
        return tensor

    def all_gather(self, tensor: Tensor) -> Tensor:
        """A new tensor of shape (size, *tensor.shape) whose row r is rank r's tensor."""
        return _wrap(_c.mt_all_gather(self._h, _handle(tensor, "all_gather")))

    def barrier(self) -> None:
        """Returns once every rank has entered it."""
        _c.mt_barrier(self._h)


_world: Communicator | None = None


def world() -> Communicator:
    """The communicator the module's functions use by default (made on the first call)."""
    global _world
    if _world is None:
        _world = Communicator()
    return _world


def all_reduce(
    tensor: Tensor, op: str = "sum", ordered: bool = True, comm: Communicator | None = None
) -> Tensor:
    """Communicator.all_reduce over `comm` (default: world())."""
    return (comm or world()).all_reduce(tensor, op, ordered)


def broadcast(tensor: Tensor, root: int = 0, comm: Communicator | None = None) -> Tensor:
    """Communicator.broadcast over `comm` (default: world())."""
    return (comm or world()).broadcast(tensor, root)


def all_gather(tensor: Tensor, comm: Communicator | None = None) -> Tensor:
    """Communicator.all_gather over `comm` (default: world())."""
    return (comm or world()).all_gather(tensor)


def barrier(comm: Communicator | None = None) -> None:
    """Communicator.barrier over `comm` (default: world())."""
    (comm or world()).barrier()


class ShardedSampler(Handle):
    """This rank's share of a data set: every epoch, a permutation of range(dataset_size)
    drawn from seed + epoch is cut into global batches of `global_batch` indices (the
    remainder is left out), and each global batch into one contiguous block per rank."""

    __slots__ = ()

    def __init__(
        self,
        dataset_size: int,
        global_batch: int,
        comm: Communicator | None = None,
        seed: int = 0,
    ) -> None:
        """Shards for `comm`'s rank (default: world()); global_batch must be a multiple of the
        world size and at most dataset_size."""
        comm = comm or world()
        super().__init__(
            _c.mt_sampler_create(dataset_size, global_batch, comm.size, comm.rank, seed)
        )

    @property
    def steps(self) -> int:
        """The global batches of an epoch."""
        return _c.mt_sampler_steps(self._h)

    @property
    def local_batch(self) -> int:
        """This rank's share of each global batch."""
        return _c.mt_sampler_local_batch(self._h)

    def set_epoch(self, epoch: int) -> None:
        """Draws the permutation of `epoch` (>= 0; a new sampler starts at 0)."""
        _c.mt_sampler_set_epoch(self._h, epoch)

    def indices(self, step: int) -> list[int]:
        """This rank's indices of step `step` (0 .. steps - 1) of the current epoch."""
        return _c.mt_sampler_indices(self._h, step, self.local_batch)

    def __len__(self) -> int:
        return self.steps

    def __iter__(self) -> Iterator[list[int]]:
        return (self.indices(step) for step in range(self.steps))


class DataParallel(Handle):
    """Averages the gradients of `params` over the ranks, in buckets, so that every rank
    steps like one process trained on the whole global batch (torch's DistributedDataParallel,
    called explicitly between backward and the optimizer step)."""

    __slots__ = ()

    def __init__(
        self, params: Iterable[Tensor], comm: Communicator | None = None, bucket_bytes: int = 0
    ) -> None:
        """A collective over `comm` (default: world()): every rank passes parameters of the
        same shapes and dtypes, which then take rank 0's values. Buckets of at most
        bucket_bytes (0: 2 MiB, 25 MiB with NCCL)."""
        handles = [_handle(p, "DataParallel parameter") for p in params]
        super().__init__(_c.mt_data_parallel_create((comm or world())._h, handles, bucket_bytes))

    @property
    def bucket_count(self) -> int:
        """The number of gradient buckets."""
        return _c.mt_data_parallel_bucket_count(self._h)

    def reduce_gradients(self) -> None:
        """Replaces every gradient by its average over the ranks (a collective; nothing inside
        no_sync())."""
        _c.mt_data_parallel_reduce_gradients(self._h)

    @property
    def overlap(self) -> bool:
        """Whether buckets are reduced during backward, on a communication thread (see
        set_overlap)."""
        return bool(_c.mt_data_parallel_overlap(self._h))

    def set_overlap(self, mode: str = "auto") -> None:
        """Whether buckets are reduced during backward: with "on", each as soon as its
        gradients are final, on a communication thread ("off": in reduce_gradients); the
        gradients have the same bits either way. "auto": on for NCCL, and on CPU with several
        ranks where the affinity mask leaves a CPU beyond minitensor's threads."""
        if mode not in _OVERLAP_MODES:
            raise ValueError(
                f"set_overlap: mode must be one of {sorted(_OVERLAP_MODES)}, not {mode!r}"
            )
        _c.mt_data_parallel_set_overlap(self._h, _OVERLAP_MODES[mode])

    @contextlib.contextmanager
    def no_sync(self) -> Iterator[None]:
        """Inside it reduce_gradients does nothing, so backward accumulates local gradients
        (gradient accumulation); reduce after the block."""
        _c.mt_data_parallel_set_no_sync(self._h, True)
        try:
            yield
        finally:
            _c.mt_data_parallel_set_no_sync(self._h, False)
