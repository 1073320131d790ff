"""Process-wide settings: backends, threads, diagnostics, versions."""
from __future__ import annotations

from . import _minitensor_native as _c

_DIAGNOSTICS = {
    "off": _c.MT_DIAGNOSTICS_OFF,
    "collect": _c.MT_DIAGNOSTICS_COLLECT,
    "print": _c.MT_DIAGNOSTICS_PRINT,
}


def _code_of(choices, what, name):
    """The C value of `name` among `choices` (name -> value); ValueError naming `what` (a
    TypeError for anything but a str)."""
    if isinstance(name, str) and name in choices:
        return choices[name]
    error = ValueError if isinstance(name, str) else TypeError
    raise error(f"{what} {name!r} is not one of {sorted(choices)}")


def _name_of(choices, code):
    return next(name for name, value in choices.items() if value == code)


def version() -> str:
    """The library's version, "MAJOR.MINOR.PATCH" (mt.__version__)."""
    return _c.mt_version()


def abi_version() -> int:
    """The running library's MT_ABI_VERSION, which counts the C API's additions."""
    return _c.mt_abi_version()


def backends() -> tuple[str, ...]:
    """The backend names, e.g. ('cpu_par', 'cpu_seq')."""
    return tuple(_c.mt_backend_name(i) for i in range(_c.mt_backend_count()))


def set_backend(name: str) -> None:
    """Runs every later op on the backend named `name` (one of backends())."""
    _c.mt_set_backend(name)


def current_backend() -> str:
    """The name of the backend that runs the ops ("cpu_par" by default)."""
    return _c.mt_current_backend()


def num_threads() -> int:
    """The number of threads of the parallel backend."""
    count = _c.mt_num_threads()
    if count < 0:
        raise ValueError(_c.mt_last_error())
    return count


def set_num_threads(threads: int) -> None:
    """1 to 4096 threads for the parallel backend, or 0 for the default."""
    _c.mt_set_num_threads(threads)


def set_diagnostics(mode: str) -> None:
    """'off', 'collect' (keep a report per op) or 'print' (also print it to stderr)."""
    _c.mt_set_diagnostics(_code_of(_DIAGNOSTICS, "diagnostics mode", mode))


def diagnostics() -> str:
    """The diagnostics mode: 'off', 'collect' or 'print'."""
    return _name_of(_DIAGNOSTICS, _c.mt_diagnostics())


def take_diagnostics() -> list[str]:
    """The reports kept since the last call, one line per op, oldest first; clears them."""
    return _c.mt_take_diagnostics().splitlines()
