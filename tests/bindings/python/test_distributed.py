"""minitensor.distributed in the world of one that a process without a launcher is (the
ranks' behaviour is tested under mpirun by distributed_ranks.py)."""

import math

import pytest

import minitensor as mt
import minitensor.distributed as dist


def test_world_of_one():
    comm = dist.Communicator()
    assert (comm.rank, comm.size, comm.local_rank, comm.engine) == (0, 1, 0, "none")
    t = mt.tensor([1.0, -2.0, 3.0])
    assert comm.all_reduce(t, op="max").tolist() == [1.0, -2.0, 3.0]
    assert comm.all_gather(t).shape == (1, 3)


def test_timeout_is_the_communicators():
    comm, other = dist.Communicator(), dist.Communicator()
    assert comm.timeout == 300
    comm.timeout = 2.5
    assert comm.timeout == 2.5 and other.timeout == 300
    for bad in (0, -1, math.inf, math.nan):
        with pytest.raises(ValueError, match="is not a positive number of seconds"):
            comm.timeout = bad
    assert comm.timeout == 2.5
