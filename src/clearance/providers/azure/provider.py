"""The Azure provider: resolve subscriptions from the scope, run (subscription, service) units, finalise each.

Subscriptions come from the scope (explicit ids, or every subscription under the given management
groups) or, when neither is given, from every subscription the credential can see. ARM lists are
subscription-wide, so a unit is one collector in one subscription; regions are a property of the
resources found, not a unit of work.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ...errors import CredentialsError, ReadOnlyViolation, UsageError
from ...inventory import InventoryWriter, TypeListing, TypeStatus
from ...model import CollectionError
from ...scope import Scope, apply_scope
from ..interface import CollectorProvider, CollectSummary, Operation, Progress, ProgressFn
from .collectors import all_collectors
from .collectors.base import AzureCollector
from .linker import link_subscription
from .session import AzureSession, ClientSettings, check_credential, default_credential
from .unit import ANY_REGION, AzureUnit, CallFailed

CORE_OPERATIONS = (
    Operation("subscriptions", "Subscriptions_List", "Microsoft.Resources/subscriptions/read"),
    Operation("subscriptions", "Subscriptions_Get", "Microsoft.Resources/subscriptions/read"),
    Operation(
        "managementgroups",
        "ManagementGroups_GetDescendants",
        "Microsoft.Management/managementGroups/descendants/read",
    ),
)


@cache
def _collectors() -> tuple[AzureCollector, ...]:
    return tuple(all_collectors())


class _CallLog:
    """Thread-safe sink of the call-log policy: writes each entry and counts them."""

    def __init__(self, writer: InventoryWriter):
        self.writer = writer
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self.count += 1
        self.writer.log_call(entry)


@dataclass
class _Plan:
    subscription: str
    error: CollectionError | None = None
    session: AzureSession | None = None
    remaining: int = 0
    failed_types: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class _Run:
    """What every unit of one scan shares."""

    operations: Mapping[tuple[str, str], Operation]
    writer: InventoryWriter
    limiter: threading.BoundedSemaphore
    detail_pool: Executor
    scope: Scope


class AzureProvider(CollectorProvider[AzureCollector]):
    """Azure adapter. ``credential``, ``base_url`` and ``client_kwargs`` are the test/endpoint seam:
    production leaves them unset (``DefaultAzureCredential`` against ``management.azure.com``)."""

    name = "azure"

    def __init__(
        self,
        credential: Any = None,
        base_url: str | None = None,
        client_kwargs: Mapping[str, Any] | None = None,
    ):
        self.credential = credential
        self.base_url = base_url
        self.client_kwargs = dict(client_kwargs or {})

    display_name = "Azure"
    core_operations = CORE_OPERATIONS

    def all_collectors(self) -> tuple[AzureCollector, ...]:
        return _collectors()

    def settings(self, credential: Any, max_connections: int = 16) -> ClientSettings:
        posts = frozenset(o.name for o in self.operations() if o.non_read_reason)
        return ClientSettings(credential, self.base_url, dict(self.client_kwargs), posts, max_connections)

    # -- collection ---------------------------------------------------------------------------
    def collect(self, scope: Scope, writer: InventoryWriter, progress: ProgressFn | None = None) -> CollectSummary:
        try:
            import azure.mgmt.core  # noqa: F401
        except ImportError:
            raise UsageError("Azure scanning needs the 'azure' extra: pip install 'clearance[azure]'") from None
        if scope.role_name:
            raise UsageError("--role-name applies to AWS only: Azure scans use the credential's own role assignments")
        credential = self.credential if self.credential is not None else default_credential()
        check_credential(credential)
        settings = self.settings(credential, scope.max_workers)
        calls = _CallLog(writer)
        collectors = self.collectors(scope.services)
        detail_pool = ThreadPoolExecutor(max_workers=scope.max_workers, thread_name_prefix="clearance-detail")
        unit_pool = ThreadPoolExecutor(max_workers=scope.max_workers, thread_name_prefix="clearance-unit")
        run = _Run(
            {(o.service, o.name): o for o in self.operations()},
            writer,
            threading.BoundedSemaphore(scope.max_workers),
            detail_pool,
            scope,
        )
        try:
            bootstrap = AzureUnit(
                AzureSession(settings, "", calls), "subscriptions", run.operations, writer, run.limiter, detail_pool, ()
            )
            plans = self._plans(scope, bootstrap)
            jobs: list[tuple[_Plan, AzureCollector]] = []
            for plan in plans:
                if plan.error is not None:
                    self._record_failure(plan, collectors, writer)
                    continue
                plan.session = AzureSession(settings, plan.subscription, calls)
                plan.remaining = len(collectors)
                jobs.extend((plan, c) for c in collectors)
            regions: set[str] = set()
            failed = 0
            futures = {unit_pool.submit(self._run_unit, plan, c, run): (plan, c) for plan, c in jobs}
            for done, future in enumerate(as_completed(futures), start=1):
                plan, collector = futures[future]
                unit, ok = future.result()
                regions.update(unit.regions)
                failed += 0 if ok else 1
                if progress:
                    progress(Progress(done, len(jobs), f"{plan.subscription}/{collector.service}"))
                with plan.lock:
                    plan.failed_types.update(unit.failed_types)
                    plan.remaining -= 1
                    finished = plan.remaining == 0
                if finished:
                    self._finalize(plan, scope, writer)
        finally:
            unit_pool.shutdown(wait=True, cancel_futures=True)
            detail_pool.shutdown(wait=True, cancel_futures=True)
        return CollectSummary(
            tuple(p.subscription for p in plans), tuple(sorted(regions)), len(jobs), failed, calls.count
        )

    def _plans(self, scope: Scope, bootstrap: AzureUnit) -> list[_Plan]:
        """The subscriptions to scan; an explicit one that cannot be read is planned with its error."""
        found: dict[str, CollectionError | None] = {}
        for sub in scope.accounts:
            found[sub] = bootstrap.fetch("subscriptions", "Subscriptions_Get", sub).error
        for group in scope.management_groups:
            items = _must(
                bootstrap,
                f"list the subscriptions under management group {group}",
                "managementgroups",
                "ManagementGroups_GetDescendants",
                group,
            )
            subs = [str(i["name"]) for i in items if str(i.get("type", "")).lower().endswith("/subscriptions")]
            if not subs:
                raise UsageError(f"management group {group} has no subscription visible to this credential")
            for sub in subs:
                found.setdefault(sub, None)
        if not scope.accounts and not scope.management_groups:
            items = _must(bootstrap, "list subscriptions", "subscriptions", "Subscriptions_List")
            for item in items:
                found.setdefault(str(item["subscriptionId"]), None)
            if not found:
                raise CredentialsError(
                    "the Azure credential sees no subscription (it needs a role with "
                    "Microsoft.Resources/subscriptions/read on at least one subscription)"
                )
        return [_Plan(sub, error) for sub, error in found.items()]

    def _record_failure(self, plan: _Plan, collectors: Sequence[AzureCollector], writer: InventoryWriter) -> None:
        for collector in collectors:
            for rtype in collector.resource_types:
                writer.listing(
                    TypeListing(
                        "azure",
                        plan.subscription,
                        ANY_REGION,
                        rtype.name,
                        TypeStatus.FAILED,
                        "Subscriptions_Get",
                        0,
                        0,
                        plan.error,
                    )
                )
        writer.finalize_account("azure", plan.subscription, [])

    def _run_unit(self, plan: _Plan, collector: AzureCollector, run: _Run) -> tuple[AzureUnit, bool]:
        assert plan.session is not None
        unit = AzureUnit(
            plan.session,
            collector.service,
            run.operations,
            run.writer,
            run.limiter,
            run.detail_pool,
            run.scope.regions,
            run.scope.exclude_regions,
        )
        ok = True
        try:
            collector.collect(unit)
        except ReadOnlyViolation:
            raise
        except Exception as exc:  # a collector bug or an unexpected answer: record the gap, keep going
            ok = False
            error = CollectionError(f"{collector.service} collector", type(exc).__name__, str(exc)[:500])
            for rtype in collector.resource_types:
                if rtype.name not in unit.listed_types:
                    unit.list_failed(rtype.name, rtype.list_call, error)
        return unit, ok

    def _finalize(self, plan: _Plan, scope: Scope, writer: InventoryWriter) -> None:
        skipped = {t.name for t in self.resource_types()} - {
            t.name for c in self.collectors(scope.services) for t in c.resource_types
        }
        staged = list(writer.staged("azure", plan.subscription))
        linked = link_subscription(staged, frozenset(plan.failed_types | skipped))
        resources = [r for r in linked if r.region not in scope.exclude_regions]
        writer.finalize_account("azure", plan.subscription, apply_scope(resources, scope, self.account_level_types()))


def _must(unit: AzureUnit, what: str, service: str, op: str, *args: Any) -> list[dict[str, Any]]:
    """A planning call whose failure stops the scan (nothing to scan is known without it)."""
    try:
        return unit.items(service, op, *args)
    except CallFailed as failed:
        raise CredentialsError(f"cannot {what}: {failed.error.describe()}") from None
