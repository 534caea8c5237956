"""The Azure provider: resolve subscriptions from the scope, run (subscription, service) units, finalise each.

Subscriptions come from the scope (explicit ids, or every subscription under the given management
groups) or, when neither is given, from every subscription the credential can see. ARM lists are
subscription-wide, so a unit is one collector in one subscription; regions are a property of the
resources found, not a unit of work.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

from ...errors import CredentialsError, UsageError
from ...inventory import InventoryWriter
from ...model import CollectionError
from ...scope import Scope
from ..interface import CollectorProvider, CollectSummary, Operation, ProgressFn
from ..orchestration import (
    AccountPlan,
    CallLog,
    Job,
    UnitOutcome,
    bounded_pools,
    finalize_linked,
    record_account_failure,
    run_account_wide,
    run_jobs,
)
from .collectors import all_collectors
from .collectors.base import AzureCollector
from .linker import link_subscription
from .session import AzureSession, ClientSettings, check_credential, default_credential
from .unit import AzureUnit, CallFailed

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


@dataclass(frozen=True)
class _Run:
    """What every unit of one scan shares."""

    operations: Mapping[tuple[str, str], Operation]
    writer: InventoryWriter
    limiter: threading.BoundedSemaphore
    detail_pool: Executor
    scope: Scope


_Plan = AccountPlan[AzureSession]


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
        calls = CallLog(writer)
        collectors = self.collectors(scope.services)
        with bounded_pools(scope.max_workers) as (unit_pool, detail_pool):
            run = _Run(
                {(o.service, o.name): o for o in self.operations()},
                writer,
                threading.BoundedSemaphore(scope.max_workers),
                detail_pool,
                scope,
            )
            bootstrap = AzureUnit(
                AzureSession(settings, "", calls), "subscriptions", run.operations, writer, run.limiter, detail_pool, ()
            )
            plans = self._plans(scope, bootstrap)
            jobs: list[Job[_Plan]] = []
            for plan in plans:
                if plan.error is not None:
                    record_account_failure("azure", plan.account, plan.error, collectors, writer, "Subscriptions_Get")
                    continue
                plan.session = AzureSession(settings, plan.account, calls)
                plan.remaining = len(collectors)
                jobs.extend(
                    Job(plan, f"{plan.account}/{c.service}", partial(self._run_unit, plan, c, run)) for c in collectors
                )
            tally = run_jobs(unit_pool, jobs, partial(self._finalize, scope=scope, writer=writer), progress)
        return CollectSummary(
            tuple(p.account for p in plans), tuple(sorted(tally.regions)), len(jobs), tally.failed, calls.count
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
        return [_Plan(sub, error=error) for sub, error in found.items()]

    def _run_unit(self, plan: _Plan, collector: AzureCollector, run: _Run) -> UnitOutcome:
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
        return run_account_wide(collector, unit, partial(collector.collect, unit))

    def _finalize(self, plan: _Plan, scope: Scope, writer: InventoryWriter) -> None:
        finalize_linked(self, plan, scope, writer, link_subscription)


def _must(unit: AzureUnit, what: str, service: str, op: str, *args: Any) -> list[dict[str, Any]]:
    """A planning call whose failure stops the scan (nothing to scan is known without it)."""
    try:
        return unit.items(service, op, *args)
    except CallFailed as failed:
        raise CredentialsError(f"cannot {what}: {failed.error.describe()}") from None
