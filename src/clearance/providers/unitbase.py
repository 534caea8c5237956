"""What every provider's collection unit does the same way: emit resources, fan out detail calls, record listings.

:class:`PooledUnit` is shared by all adapters. :class:`AccountWideUnit` serves the clouds whose list calls
cover a whole account (an Azure subscription, a GCP project) and whose regions are found on the resources:
its listing rules (a zero count in every scope region, FAILED per region whose list failed, excluded regions
dropped) must read the same for every such cloud, so they live here once.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, Future
from typing import Any, ClassVar, Protocol, TypeVar

from ..inventory import InventoryWriter, TypeListing, TypeStatus
from ..model import CollectionError, Resource
from .interface import Operation
from .records import CallFailed, Fetched, ResourceBuilder

T = TypeVar("T")
R = TypeVar("R")

ANY_REGION = "*"
"""Listing region of account-wide list calls that failed or found nothing."""

GLOBAL_REGION = "global"
"""Listing region of types that belong to no region."""


class UnitSink(Protocol):
    """Where a unit's resources, listings and call log go: the scan's inventory writer, or on a remote worker a
    recorder whose contents travel back to the driver (:class:`~clearance.providers.orchestration.RecordingSink`)."""

    def add(self, resource: Resource) -> None: ...

    def listing(self, listing: TypeListing) -> None: ...

    def log_call(self, entry: dict[str, Any]) -> None: ...


class PooledUnit:
    """Emitting and per-resource fan-out, given a ``writer`` and the scan's shared ``detail_pool``."""

    writer: UnitSink
    detail_pool: Executor

    def emit(self, resource: Resource | ResourceBuilder) -> None:
        self.writer.add(resource.build() if isinstance(resource, ResourceBuilder) else resource)

    def parallel(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """Run per-resource work on the shared detail pool (API concurrency stays bounded), in order.

        At most a quarter of the pool per unit is in flight: a unit with hundreds of per-resource calls
        waiting on one API's rate limit must not occupy every worker while other units' APIs sit idle.
        """
        if len(items) <= 1:
            return [fn(item) for item in items]
        window = max(2, int(getattr(self.detail_pool, "_max_workers", 8)) // 4)
        out: list[R] = []
        pending: deque[Future[R]] = deque()
        for item in items:
            pending.append(self.detail_pool.submit(fn, item))
            if len(pending) >= window:
                out.append(pending.popleft().result())
        out.extend(f.result() for f in pending)
        return out


class AccountWideUnit(PooledUnit):
    """A unit whose list calls span one account; subclasses set ``provider`` and make the calls."""

    provider: ClassVar[str]

    def __init__(
        self,
        account: str,
        service: str,
        operations: Mapping[tuple[str, str], Operation],
        writer: InventoryWriter,
        limiter: threading.BoundedSemaphore,
        detail_pool: Executor,
        scan_regions: Sequence[str],
        exclude_regions: Sequence[str],
    ):
        self.account = account
        self.service = service
        self.operations = operations
        self.writer = writer
        self.limiter = limiter
        self.detail_pool = detail_pool
        self.scan_regions = tuple(scan_regions)
        self.exclude_regions = frozenset(exclude_regions)
        self.listed_types: set[str] = set()
        self.failed_types: set[str] = set()
        self.regions: set[str] = set()

    @staticmethod
    def _items_of(fetched: Fetched) -> list[dict[str, Any]]:
        """The dict items of a list answer; its failure aborts the caller (raises :class:`CallFailed`)."""
        if fetched.error is not None:
            raise CallFailed(fetched.error)
        return [i for i in fetched.value or [] if isinstance(i, dict)]

    def listed(
        self,
        rtype: str,
        list_call: str,
        regions: Iterable[str],
        failures: Mapping[str, CollectionError] | None = None,
        *,
        regional: bool = True,
    ) -> None:
        """Record an account-wide listing: a count per region, FAILED where a parent's or location's list failed.

        Regional types also get a zero count in every scope region (proving "no resources" there);
        non-regional ones (subscriptions, role assignments, firewalls, sinks) are counted under ``global``.
        """
        counts: dict[str, int] = dict.fromkeys(self.scan_regions if regional else (), 0)
        for region in regions:
            counts[region] = counts.get(region, 0) + 1
        failed = {r: e for r, e in (failures or {}).items() if r not in self.exclude_regions}
        for region in (*self.exclude_regions, *failed):
            counts.pop(region, None)
        if not counts and not failed:
            counts[ANY_REGION if regional else GLOBAL_REGION] = 0
        self.listed_types.add(rtype)
        self.regions.update(r for r in (*counts, *failed) if r != ANY_REGION)
        for region, count in sorted(counts.items()):
            self._listing(region, rtype, TypeStatus.LISTED, list_call, count)
        if failed:
            self.failed_types.add(rtype)
        for region, error in sorted(failed.items()):
            self._listing(region, rtype, TypeStatus.FAILED, list_call, 0, error)

    def list_failed(self, rtype: str, list_call: str, error: CollectionError) -> None:
        self.listed_types.add(rtype)
        self.failed_types.add(rtype)
        self._listing(ANY_REGION, rtype, TypeStatus.FAILED, list_call, 0, error)

    def _listing(
        self,
        region: str,
        rtype: str,
        status: TypeStatus,
        list_call: str,
        count: int,
        error: CollectionError | None = None,
    ) -> None:
        self.writer.listing(TypeListing(self.provider, self.account, region, rtype, status, list_call, 0, count, error))
