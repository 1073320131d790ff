"""mt.cuda: the CUDA devices (torch.cuda's names). CUDA comes from a plugin loaded on first use;
where it cannot be used, is_available() is False, unavailable_reason() says why, and the other
functions raise DeviceUnavailableError with that reason."""
from __future__ import annotations

from . import _minitensor_native as _c
from ._runtime import _code_of, _name_of

_MATMULS = {"kernel": _c.MT_CUDA_MATMUL_KERNEL, "cublas": _c.MT_CUDA_MATMUL_CUBLAS}


def device_count() -> int:
    """The number of CUDA devices (0 where CUDA is unavailable)."""
    return _c.mt_device_count(_c.MT_DEVICE_CUDA)


def is_available() -> bool:
    """Whether there is a CUDA device to use."""
    return device_count() > 0


def unavailable_reason() -> str:
    """Why CUDA cannot be used ("" when it can)."""
    return _c.mt_device_unavailable_reason(_c.MT_DEVICE_CUDA)


def device_name(index: int = 0) -> str:
    """The name of CUDA device `index` ("NVIDIA H100 80GB HBM3")."""
    return _c.mt_device_name(_c.MT_DEVICE_CUDA, index)


def set_matmul(which: str) -> None:
    """The GEMM of CUDA matmuls: "kernel" (minitensor's, the default) or "cublas"."""
    _c.mt_cuda_set_matmul(_code_of(_MATMULS, "CUDA matmul", which))


def get_matmul() -> str:
    """The GEMM of CUDA matmuls: "kernel" or "cublas"."""
    return _name_of(_MATMULS, _c.mt_cuda_get_matmul())


def synchronize() -> None:
    """Waits until every CUDA device has finished the work queued so far."""
    _c.mt_cuda_synchronize()


def memory_stats(index: int = 0) -> dict[str, int]:
    """{"in_use": bytes held by tensors, "cached": bytes kept for reuse} of device `index`."""
    in_use, cached = _c.mt_cuda_memory_stats(index)
    return {"in_use": in_use, "cached": cached}


def empty_cache() -> None:
    """Gives the cached blocks of every CUDA device back to the driver."""
    _c.mt_cuda_empty_cache()
