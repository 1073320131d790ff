"""minitensor: a strided tensor library with broadcasting, autodiff and small nn pieces.

    import minitensor as mt
    a = mt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    loss = (a @ a).sum()
    loss.backward()
    print(loss.item(), a.grad.tolist())

Errors raise subclasses of both mt.Error and a builtin type (ValueError, IndexError,
TypeError, MemoryError, RuntimeError) carrying the library's message.

Devices, as in torch: mt.zeros(3, device="cuda"), t.to("cuda:0"), t.cuda(), t.cpu(),
model.to("cuda"); mt.cuda.is_available() and mt.cuda.unavailable_reason() say whether CUDA can
be used here and why not.

Data-parallel training under mpirun: mt.distributed (Communicator, all_reduce, ShardedSampler,
DataParallel).

Capture and plans: @mt.compile on a function of tensors, or `with mt.capture() as cap:`, records
its ops once and replays them as a plan whose element-wise chains run fused (mt.Plan: run,
stats, report).
"""
from . import cuda, datasets, distributed, nn, optim
from ._autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from ._capture import (
    Capture,
    Plan,
    capture,
    clear_plan_cache,
    compile,
    plan_cache_stats,
    set_plan_cache_max_entries,
)
from ._creation import (
    arange,
    empty,
    from_dlpack,
    from_numpy,
    full,
    matmul,
    ones,
    ones_like,
    rand,
    randn,
    scalar,
    tensor,
    zeros,
    zeros_like,
)
from ._device import device
from ._dtypes import DType, float32, float64
from ._minitensor_native import (
    CaptureError,
    CollectiveFailedError,
    CollectiveMismatchError,
    DeviceMismatchError,
    DeviceUnavailableError,
    DtypeMismatchError,
    Error,
    IndexOutOfRangeError,
    InternalError,
    InvalidArgumentError,
    OutOfMemoryError,
    ShapeMismatchError,
    SizeOverflowError,
    UnsupportedError,
)
from ._random import Generator, manual_seed
from ._runtime import (
    abi_version,
    backends,
    current_backend,
    diagnostics,
    num_threads,
    set_backend,
    set_diagnostics,
    set_num_threads,
    take_diagnostics,
    version,
)
from ._tensor import Tensor

__version__ = version()

__all__ = [
    "cuda",
    "datasets",
    "distributed",
    "nn",
    "optim",
    "enable_grad",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
    "Capture",
    "Plan",
    "capture",
    "clear_plan_cache",
    "compile",
    "plan_cache_stats",
    "set_plan_cache_max_entries",
    "arange",
    "empty",
    "from_dlpack",
    "from_numpy",
    "full",
    "matmul",
    "ones",
    "ones_like",
    "rand",
    "randn",
    "scalar",
    "tensor",
    "zeros",
    "zeros_like",
    "device",
    "DType",
    "float32",
    "float64",
    "CaptureError",
    "CollectiveFailedError",
    "CollectiveMismatchError",
    "DeviceMismatchError",
    "DeviceUnavailableError",
    "DtypeMismatchError",
    "Error",
    "IndexOutOfRangeError",
    "InternalError",
    "InvalidArgumentError",
    "OutOfMemoryError",
    "ShapeMismatchError",
    "SizeOverflowError",
    "UnsupportedError",
    "Generator",
    "manual_seed",
    "abi_version",
    "backends",
    "current_backend",
    "diagnostics",
    "num_threads",
    "set_backend",
    "set_diagnostics",
    "set_num_threads",
    "take_diagnostics",
    "version",
    "Tensor",
]
