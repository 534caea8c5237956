"""The executor seam: where a scan's collection units run.

A scan is split into units — one collector in one account (for AWS: in one region). The local executor runs them
on this process's thread pool, where a unit writes straight into the scan's inventory. An executor that runs units
in other processes (a Dask cluster) cannot hand them the inventory, the sessions or the pools: it ships a
:class:`WorkUnit` — picklable inputs, never credentials or clients — and gets a :class:`UnitResult` back, plain data
that the driver writes into its one inventory before finalising each account exactly as a local scan does. So a
distributed scan still produces one inventory, one findings file and one evidence package.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ClassVar, Generic, Protocol, TypeVar, cast

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Completed(Generic[R]):
    """One finished item of :meth:`Executor.map_unordered`: its value, or what it raised."""

    index: int
    """Position of the item in the sequence given to ``map_unordered``."""
    value: R | None = None
    error: BaseException | None = None
    """The exception the item raised (on a worker: re-raised by the cluster client), None when it returned."""

    def result(self) -> R:
        """The value; raises the item's exception instead if it had one."""
        if self.error is not None:
            raise self.error
        return cast(R, self.value)


class Executor(ABC):
    """Runs a scan's units and hands each back as it finishes, in completion order.

    Used as a context manager by whoever opened it; :meth:`close` releases what the executor itself opened.
    """

    remote: ClassVar[bool] = False
    """True when units run in other processes: they are shipped as :class:`WorkUnit` s and return
    :class:`UnitResult` s, because the driver's inventory, sessions and pools cannot travel."""

    @abstractmethod
    def map_unordered(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[Completed[R]]:
        """Run ``fn(item)`` for every item and yield each as it completes.

        An item's exception is yielded in its :class:`Completed`, never raised here, so the caller decides what one
        failed unit means (a FAILED listing) and the other units carry on. Closing the iterator early cancels the
        items not yet started.
        """

    def close(self) -> None:  # noqa: B027 - most executors hold nothing of their own
        """Release what this executor opened (nothing, unless it says otherwise)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


@dataclass(frozen=True, slots=True)
class UnitResult:
    """What a unit run in another process sends back: plain data for the driver's one inventory."""

    ok: bool
    """False when the collector crashed; the types it had not listed are FAILED in ``listings``."""
    calls: int
    """API calls the unit made (the scan summary's count)."""
    resources: tuple[str, ...] = ()
    """The resources it built, one JSON document each, as the inventory stages them."""
    listings: tuple[dict[str, Any], ...] = ()
    """Its listing outcomes (LISTED with a count, or FAILED with the error), as ``raw/units.jsonl`` rows."""
    call_log: tuple[dict[str, Any], ...] = ()
    """Its API-call log entries, as ``logs/api-calls.jsonl`` rows."""


class WorkUnit(Protocol):
    """One collection unit as a remote executor ships it: picklable inputs only.

    The worker builds its own session (its own credentials, or a role it assumes itself), its own read-only guard and
    its own bounded pools from these inputs, runs the collector and returns a :class:`UnitResult`.
    """

    @property
    def provider(self) -> str: ...

    @property
    def account(self) -> str: ...

    @property
    def region(self) -> str: ...

    @property
    def service(self) -> str: ...

    @property
    def version(self) -> str:
        """The clearance version of the driver that made the unit; a worker running another one refuses it."""
        ...

    def run(self) -> UnitResult: ...


def run_unit(unit: WorkUnit) -> UnitResult:
    """What a remote executor calls on a worker (a module-level function, so it pickles by reference)."""
    from .. import __version__
    from ..errors import UsageError

    if unit.version != __version__:
        raise UsageError(
            f"this worker runs clearance {__version__} but the scan was planned by clearance {unit.version}: "
            "install the same version on the driver and every worker"
        )
    return unit.run()
