"""Provider-neutral scan orchestration: bounded pools, unit scheduling, progress and per-account finalisation.

Every adapter splits a scan into units (one collector in one account, and for AWS one region) that run on a
bounded pool; an account is finalised as soon as its last unit ends. The rules that make coverage honest live
here once, so no provider can drift: a collector that crashes marks every type it had not listed yet as FAILED,
and an account that cannot be planned gets a FAILED listing for every type instead of silently vanishing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from ..errors import ReadOnlyViolation
from ..inventory import InventoryWriter, TypeListing, TypeStatus
from ..model import CollectionError, Resource
from ..scope import Scope, apply_scope
from .interface import CollectorProvider, CollectorSpec, Progress, ProgressFn
from .unitbase import ANY_REGION, AccountWideUnit

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
class Job(Generic[P]):
    """One unit to run: the account it belongs to, its progress label and the work itself."""

    plan: P
    label: str
    run: Callable[[], UnitOutcome]


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
    pool: ThreadPoolExecutor, jobs: Sequence[Job[P]], finalize: Callable[[P], None], progress: ProgressFn | None
) -> Tally:
    """Run every job on ``pool``, reporting progress and finalising each account after its last unit."""
    tally = Tally()
    futures = {pool.submit(job.run): job for job in jobs}
    for done, future in enumerate(as_completed(futures), start=1):
        job = futures[future]
        outcome = future.result()
        tally.regions.update(outcome.regions)
        tally.calls += outcome.calls
        tally.failed += 0 if outcome.ok else 1
        if progress:
            progress(Progress(done, len(jobs), job.label))
        if job.plan.unit_done(outcome.failed_types):
            finalize(job.plan)
    return tally


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
