"""Random generators: mt.Generator(seed) and mt.manual_seed for the default one."""
from __future__ import annotations

from . import _minitensor_native as _c
from ._handle import Handle


class Generator(Handle):
    """A seeded random stream; the same seed gives the same numbers everywhere."""

    __slots__ = ()

    def __init__(self, seed: int = 0) -> None:
        """A generator started from `seed`."""
        super().__init__(_c.mt_generator_create(seed))

    def manual_seed(self, seed: int) -> Generator:
        """Restarts this generator from `seed`; returns it."""
        _c.mt_manual_seed(self._h, seed)
        return self


def manual_seed(seed: int) -> None:
    """Restarts the default generator (used when no generator is given) from `seed`."""
    _c.mt_manual_seed(None, seed)


def handle_of(generator):
    """The handle of a generator= argument: a Generator, or None for the default one."""
    if generator is None:
        return None
    if not isinstance(generator, Generator):
        raise TypeError(
            f"generator: expected a minitensor.Generator or None, not "
            f"{type(generator).__name__}"
        )
    return generator._h
