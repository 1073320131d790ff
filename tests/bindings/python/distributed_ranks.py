"""minitensor.distributed under a launcher: mpirun -np N python3 distributed_ranks.py N
(ctest BindingsPythonDistributed; not a pytest module: it needs the ranks).

The collectives give the expected values on every rank; then G1 by parameter hashes: every rank
starts from another random MLP (the hashes differ), DataParallel gives them rank 0's, and after
two epochs of the sharded sampler and SGD every rank's parameters hash the same (G1), and the
same as one process that runs backward on every rank's block in rank order, divides the
gradients by N and steps (G3), and within rounding of one process that steps on each whole
global batch. Last, ranks
that call different collectives get CollectiveMismatchError, and the communicator is broken.
"""
import hashlib
import struct
import sys

import minitensor as mt
import minitensor.distributed as dist

POINTS, GLOBAL_BATCH = 48, 8


def digest(params):
    """The SHA-256 of the parameters' float32 bits."""
    h = hashlib.sha256()
    for p in params:
        values = p.reshape(-1).tolist()
        h.update(struct.pack(f"<{len(values)}f", *values))
    return h.digest()


def gathered_digests(comm, params):
    """Every rank's digest, gathered: 16-bit chunks fit float64 exactly."""
    chunks = [float(c) for c in struct.unpack("<16H", digest(params))]
    rows = comm.all_gather(mt.tensor(chunks, dtype=mt.float64)).tolist()
    return [struct.pack("<16H", *(int(c) for c in row)) for row in rows]


def collectives(comm, n):
    t = mt.tensor([float(comm.rank + 1)] * 3)
    assert dist.all_reduce(t, comm=comm) is t and t.tolist() == [n * (n + 1) / 2] * 3
    t = mt.tensor([float(comm.rank)])
    assert comm.all_reduce(t, op="max", ordered=False).tolist() == [n - 1]
    b = mt.tensor([float(comm.rank), 7.0])
    assert dist.broadcast(b, root=n - 1, comm=comm).tolist() == [n - 1, 7.0]
    g = comm.all_gather(mt.tensor([[float(comm.rank)]]))
    assert g.shape == (n, 1, 1) and g.reshape(-1).tolist() == [float(r) for r in range(n)]
    comm.barrier()


def mlp(seed):
    return mt.nn.MLP([2, 8, 1], generator=mt.Generator(seed))


def reference_step(model, sgd, x, y, blocks):
    """One process's step on every rank's block in rank order, the gradients divided by N."""
    sgd.zero_grad()
    for block in blocks:
        xb = mt.tensor([x[int(i)] for i in block])
        yb = mt.tensor([y[int(i)] for i in block])
        mt.nn.mse_loss(model(xb), yb).backward()
    for p in model.parameters():
        grad = p.grad
        grad /= len(blocks)
    sgd.step()


def full_batch_step(model, sgd, x, y, blocks):
    """One process's step on the whole global batch (the blocks in rank order) at once."""
    indices = [int(i) for block in blocks for i in block]
    sgd.zero_grad()
    xb = mt.tensor([x[i] for i in indices])
    mt.nn.mse_loss(model(xb), mt.tensor([y[i] for i in indices])).backward()
    sgd.step()


def values(params):
    return [v for p in params for v in p.reshape(-1).tolist()]


def g1_g3(comm):
    model = mlp(10 + comm.rank)
    params = model.parameters()
    assert len(set(gathered_digests(comm, params))) == comm.size, "the inits should differ"
    ddp = dist.DataParallel(params, comm, bucket_bytes=64)
    assert ddp.bucket_count > 1
    ddp.set_overlap("on")  # G3 below holds with the communication thread too
    assert ddp.overlap
    assert len(set(gathered_digests(comm, params))) == 1, "rank 0's parameters everywhere"
    x = mt.randn(POINTS, 2, generator=mt.Generator(1)).tolist()
    y = mt.randn(POINTS, 1, generator=mt.Generator(2)).tolist()
    sampler = dist.ShardedSampler(POINTS, GLOBAL_BATCH, comm, seed=5)
    assert len(sampler) == POINTS // GLOBAL_BATCH and sampler.local_batch == 8 // comm.size
    sgd = mt.optim.SGD(params, lr=0.1)
    reference = mlp(10)
    reference_sgd = mt.optim.SGD(reference.parameters(), lr=0.1)
    full = mlp(10)
    full_sgd = mt.optim.SGD(full.parameters(), lr=0.1)
    for epoch in range(2):
        sampler.set_epoch(epoch)
        for indices in sampler:
            xb = mt.tensor([x[i] for i in indices])
            yb = mt.tensor([y[i] for i in indices])
            sgd.zero_grad()
            mt.nn.mse_loss(model(xb), yb).backward()
            ddp.reduce_gradients()
            sgd.step()
            blocks = comm.all_gather(mt.tensor(indices, dtype=mt.float64)).tolist()
            reference_step(reference, reference_sgd, x, y, blocks)
            full_batch_step(full, full_sgd, x, y, blocks)
    digests = gathered_digests(comm, params)
    assert len(set(digests)) == 1, f"G1: the ranks' parameters differ: {digests}"
    assert digest(params) == digest(reference.parameters()), "G3: not one process's bits"
    ours, whole = values(params), values(full.parameters())
    worst = max(abs(a - b) / (1 + abs(b)) for a, b in zip(ours, whole))
    assert worst < 1e-5, f"the whole batch's training differs by {worst} (relative)"
    return digests[0].hex()[:16]


def mismatch(comm):
    t = mt.zeros(2 if comm.rank == 1 else 3)
    try:
        comm.all_reduce(t)
    except mt.CollectiveMismatchError as e:
        assert "rank 1" in str(e), str(e)
    else:
        raise AssertionError("a mismatched all_reduce did not raise")
    try:
        comm.barrier()
    except mt.CollectiveFailedError:
        pass
    else:
        raise AssertionError("a broken communicator did not refuse a barrier")


def main():
    n = int(sys.argv[1])
    comm = dist.Communicator()
    assert comm.size == n and comm.engine == "mpi" and 0 <= comm.rank < n
    collectives(comm, n)
    parameters_hash = g1_g3(comm)
    mismatch(comm)
    print(f"rank {comm.rank} of {n}: ok, parameters {parameters_hash}")


if __name__ == "__main__":
    main()
