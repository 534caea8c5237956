"""Provider-neutral scan orchestration: bounded pools, unit scheduling, progress and per-account finalisation.

Every adapter splits a scan into units (one collector in one account, and for AWS one region) that run on a
bounded pool; an account is finalised as soon as its last unit ends. The rules that make coverage honest live
here once, so no provider can drift: a collector that crashes marks every type it had not listed yet as FAILED,
and an account that cannot be planned gets a FAILED listing for every type instead of silently vanishing.

Units run on an :class:`~clearance.executors.Executor`: by default the local unit pool; on a remote executor (a Dask
cluster) each unit travels as its :class:`RemoteUnit`'s picklable task and its results are written here, on the
driver, into the one inventory — a unit that crashed on a worker is FAILED like a crashed collector.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from ..errors import ReadOnlyViolation, UsageError
from ..executors import Completed, Executor, LocalExecutor, UnitResult, WorkUnit, run_unit
from ..inventory import InventoryWriter, TypeListing, TypeStatus, dumps
from ..model import CollectionError, Resource
from ..scope import Scope, apply_scope
from .interface import CollectorProvider, CollectorSpec, Progress, ProgressFn
from .unitbase import ANY_REGION, AccountWideUnit, UnitSink

S = TypeVar("S")
P = TypeVar("P", bound="AccountPlan[Any]")


class CallLog:
    """Thread-safe sink of a transport's call log: writes each entry and counts them."""

    def __init__(self, writer: InventoryWriter):
        self.writer = writer
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self.count += 1
        self.writer.log_call(entry)


@dataclass
class AccountPlan(Generic[S]):
    """One account (subscription, project) of a scan: its session, or the error that keeps it from being scanned."""

    account: str
    session: S | None = None
    error: CollectionError | None = None
    remaining: int = 0
    failed_types: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def unit_done(self, failed_types: Iterable[str]) -> bool:
        """Count one finished unit; True when it was the account's last (time to finalise)."""
        with self.lock:
            self.failed_types.update(failed_types)
            self.remaining -= 1
            return self.remaining == 0


@dataclass(frozen=True)
class UnitOutcome:
    """What a finished unit reports back to the scheduler."""

    ok: bool
    calls: int = 0
    regions: frozenset[str] = frozenset()
    failed_types: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RemoteUnit:
    """A unit in the form a remote executor runs it: a picklable task out, plain data back."""

    task: WorkUnit
    """Shipped to a worker, which builds its own session from it and returns a :class:`UnitResult`."""
    collector: CollectorSpec
    """Driver side: whose types a unit that crashed on its worker marks FAILED."""
    writer: UnitSink
    """Driver side: the scan's inventory, where the unit's results are written."""


@dataclass(frozen=True)
class Job(Generic[P]):
    """One unit to run: the account it belongs to, its progress label and the work itself."""

    plan: P
    label: str
    run: Callable[[], UnitOutcome]
    remote: RemoteUnit | None = None
    """The same unit for a remote executor; None where the provider runs units only in this process."""


@dataclass
class Tally:
    """Totals over every unit of a scan, for the :class:`~clearance.providers.interface.CollectSummary`."""

    regions: set[str] = field(default_factory=set)
    failed: int = 0
    calls: int = 0


@contextmanager
def bounded_pools(workers: int) -> Iterator[tuple[ThreadPoolExecutor, ThreadPoolExecutor]]:
    """(unit pool, detail pool), both ``workers`` wide, shut down (pending work cancelled) on exit."""
    detail_pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="clearance-detail")
    unit_pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="clearance-unit")
    try:
        yield unit_pool, detail_pool
    finally:
        unit_pool.shutdown(wait=True, cancel_futures=True)
        detail_pool.shutdown(wait=True, cancel_futures=True)


def run_jobs(
    units: Executor | ThreadPoolExecutor,
    jobs: Sequence[Job[P]],
    finalize: Callable[[P], None],
    progress: ProgressFn | None,
) -> Tally:
    """Run every job on ``units`` (a bare pool is the local executor), reporting progress and finalising each
    account after its last unit."""
    executor = units if isinstance(units, Executor) else LocalExecutor(units)
    tally = Tally()
    for done, (job, outcome) in enumerate(_outcomes(executor, jobs), start=1):
        tally.regions.update(outcome.regions)
        tally.calls += outcome.calls
        tally.failed += 0 if outcome.ok else 1
        if progress:
            progress(Progress(done, len(jobs), job.label))
        if job.plan.unit_done(outcome.failed_types):
            finalize(job.plan)
    return tally


def _outcomes(executor: Executor, jobs: Sequence[Job[P]]) -> Iterator[tuple[Job[P], UnitOutcome]]:
    """Each job with its outcome, in completion order; a local unit's exception propagates as it always has."""
    if not executor.remote:
        for completed in executor.map_unordered(_run_job, jobs):
            yield jobs[completed.index], completed.result()
        return
    remotes = [job.remote for job in jobs if job.remote is not None]
    if len(remotes) != len(jobs):
        raise UsageError("this provider's units cannot run on a remote executor yet; use the local executor")
    for finished in executor.map_unordered(run_unit, [remote.task for remote in remotes]):
        yield jobs[finished.index], absorb(remotes[finished.index], finished)


def _run_job(job: Job[Any]) -> UnitOutcome:
    return job.run()


class RecordingSink:
    """A unit's sink on a worker: keeps what the unit emits, to travel back to the driver as a :class:`UnitResult`."""

    def __init__(self) -> None:
        self._resources: list[str] = []
        self._listings: list[dict[str, Any]] = []
        self._calls: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def add(self, resource: Resource) -> None:
        line = dumps(resource.to_json())
        with self._lock:
            self._resources.append(line)

    def listing(self, listing: TypeListing) -> None:
        row = listing.to_json()
        with self._lock:
            self._listings.append(row)

    def log_call(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._calls.append(dict(entry))

    def result(self, ok: bool, calls: int) -> UnitResult:
        with self._lock:
            return UnitResult(ok, calls, tuple(self._resources), tuple(self._listings), tuple(self._calls))


def absorb(remote: RemoteUnit, completed: Completed[UnitResult]) -> UnitOutcome:
    """Write a remote unit's results into the driver's inventory, or record the unit that crashed on its worker.

    A crash (the worker died, could not build its session, runs another clearance version) marks every type of the
    unit FAILED in its region: a gap in coverage, never "no resources". A read-only violation stops the scan.
    """
    if isinstance(completed.error, ReadOnlyViolation):
        raise completed.error
    if completed.error is not None:
        return _crashed(remote, completed.error)
    result = completed.result()
    for line in result.resources:
        remote.writer.add(Resource.from_json(json.loads(line)))
    listings = [TypeListing.from_json(row) for row in result.listings]
    for listing in listings:
        remote.writer.listing(listing)
    for entry in result.call_log:
        remote.writer.log_call(entry)
    failed = frozenset(x.type for x in listings if x.status is TypeStatus.FAILED)
    return UnitOutcome(result.ok, calls=result.calls, failed_types=failed)


def _crashed(remote: RemoteUnit, exc: BaseException) -> UnitOutcome:
    task = remote.task
    error = CollectionError(f"{task.service} unit on a worker", type(exc).__name__, str(exc)[:500])
    for rtype in remote.collector.resource_types:
        remote.writer.listing(
            TypeListing(
                task.provider, task.account, task.region, rtype.name, TypeStatus.FAILED, rtype.list_call, 0, 0, error
            )
        )
    return UnitOutcome(False, failed_types=frozenset(t.name for t in remote.collector.resource_types))


class FailureSink(Protocol):
    """The part of a unit that records a failed type listing."""

    def list_failed(self, rtype: str, list_call: str, error: CollectionError) -> None: ...


def run_collector(
    collector: CollectorSpec,
    unit: FailureSink,
    collect: Callable[[], object],
    listed: Callable[[], Collection[str]],
) -> bool:
    """Run ``collect``; if the collector crashes, every type it had not ``listed`` yet becomes FAILED.

    A collector bug or an unexpected answer must leave a gap in coverage, never an empty "no resources"
    listing, and must not stop the other units. A read-only violation is a guard breach and stops the scan.
    """
    try:
        collect()
    except ReadOnlyViolation:
        raise
    except Exception as exc:
        error = CollectionError(f"{collector.service} collector", type(exc).__name__, str(exc)[:500])
        done = listed()
        for rtype in collector.resource_types:
            if rtype.name not in done:
                unit.list_failed(rtype.name, rtype.list_call, error)
        return False
    return True


def run_account_wide(collector: CollectorSpec, unit: AccountWideUnit, collect: Callable[[], object]) -> UnitOutcome:
    """Run an account-wide unit's collector (see :func:`run_collector`) and report what it listed."""
    ok = run_collector(collector, unit, collect, lambda: unit.listed_types)
    return UnitOutcome(ok, regions=frozenset(unit.regions), failed_types=frozenset(unit.failed_types))


def record_account_failure(
    provider: str,
    account: str,
    error: CollectionError | None,
    collectors: Sequence[CollectorSpec],
    writer: InventoryWriter,
    call: str | None = None,
) -> None:
    """Finalise an account that could not be scanned: every type FAILED with ``error``.

    ``call`` is the call that failed for the whole account; None names each type's own list call.
    """
    for collector in collectors:
        for rtype in collector.resource_types:
            writer.listing(
                TypeListing(
                    provider,
                    account,
                    ANY_REGION,
                    rtype.name,
                    TypeStatus.FAILED,
                    call or rtype.list_call,
                    0,
                    0,
                    error,
                )
            )
    writer.finalize_account(provider, account, [])


def finalize_linked(
    provider: CollectorProvider[Any],
    plan: AccountPlan[Any],
    scope: Scope,
    writer: InventoryWriter,
    link: Callable[[list[Resource], frozenset[str]], list[Resource]],
) -> None:
    """Link an account's staged resources and write those in scope.

    Types not collected (filtered services) or whose listing failed are passed to ``link`` as unavailable,
    so relations to them read "not collected" rather than "none".
    """
    collected = {t.name for c in provider.collectors(scope.services) for t in c.resource_types}
    skipped = {t.name for t in provider.resource_types()} - collected
    staged = list(writer.staged(provider.name, plan.account))
    linked = link(staged, frozenset(plan.failed_types | skipped))
    resources = [r for r in linked if r.region not in scope.exclude_regions]
    writer.finalize_account(provider.name, plan.account, apply_scope(resources, scope, provider.account_level_types()))
