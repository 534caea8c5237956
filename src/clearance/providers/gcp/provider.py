"""The GCP provider: resolve projects from the scope, run (project, service) units, finalise each.

Projects come from the scope: explicit project ids, or every active project under the given
organizations/folders (``Scope.management_groups`` holds ``organizations/N`` and ``folders/N``),
or, when neither is given, every active project the credentials can see. A unit is one collector
in one project; regions are a property of the resources found, not a unit of work.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from functools import cache, partial
from typing import Any

from ...errors import CredentialsError, UsageError
from ...inventory import InventoryWriter
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
from .collectors.base import GcpCollector
from .collectors.resourcemanager import PROJECTS_GET
from .linker import link_project
from .operations import gcp_op
from .session import (
    EXTRA_HINT,
    ClientSettings,
    GcpSession,
    check_credentials,
    client_settings,
    default_credentials,
    open_channel,
)
from .unit import Ancestry, CallFailed, GcpUnit

CORE_OPERATIONS = (
    PROJECTS_GET,
    gcp_op(
        "cloudresourcemanager", "cloudresourcemanager.projects.search", "resourcemanager.projects.get", items="projects"
    ),
    gcp_op(
        "cloudresourcemanager", "cloudresourcemanager.projects.list", "resourcemanager.projects.list", items="projects"
    ),
    gcp_op(
        "cloudresourcemanager", "cloudresourcemanager.folders.list", "resourcemanager.folders.list", items="folders"
    ),
)
CONTAINER_PREFIXES = ("organizations/", "folders/")


@cache
def _collectors() -> tuple[GcpCollector, ...]:
    return tuple(all_collectors())


@dataclass
class _Plan(AccountPlan[GcpSession]):
    body: dict[str, Any] = field(default_factory=dict)
    """The project as Resource Manager answered (name, projectId, parent)."""


@dataclass(frozen=True)
class _Run:
    """What every unit of one scan shares."""

    operations: Mapping[tuple[str, str], Operation]
    writer: InventoryWriter
    limiter: threading.BoundedSemaphore
    detail_pool: Executor
    scope: Scope
    ancestry: Ancestry


class GcpProvider(CollectorProvider[GcpCollector]):
    """GCP adapter. ``credentials``, ``api_endpoint`` and ``client_options`` are the test/endpoint seam:
    production leaves them unset (Application Default Credentials against Google's endpoints).

    ``api_endpoint`` is a URL template containing ``{host}`` (the production host of each API);
    ``client_options`` may set ``num_retries``, ``timeout``, ``verify`` (a CA bundle path) and ``trust_env``
    (False: no proxy settings from the environment).
    """

    name = "gcp"
    display_name = "GCP"
    core_operations = CORE_OPERATIONS

    def __init__(
        self,
        credentials: Any = None,
        api_endpoint: str | None = None,
        client_options: Mapping[str, Any] | None = None,
    ):
        self.credentials = credentials
        self.api_endpoint = api_endpoint
        self.client_options = dict(client_options or {})

    def all_collectors(self) -> tuple[GcpCollector, ...]:
        return _collectors()

    def settings(self, credentials: Any, max_connections: int = 16) -> ClientSettings:
        posts = frozenset(getattr(o, "method", o.name) for o in self.operations() if o.non_read_reason)
        return client_settings(credentials, self.api_endpoint, self.client_options, posts, max_connections)

    # -- collection ---------------------------------------------------------------------------
    def collect(self, scope: Scope, writer: InventoryWriter, progress: ProgressFn | None = None) -> CollectSummary:
        try:
            import google.auth  # noqa: F401
            import googleapiclient  # noqa: F401
        except ImportError:
            raise UsageError(EXTRA_HINT) from None
        if scope.role_name:
            raise UsageError("--role-name applies to AWS only: GCP scans use the credentials' own IAM roles")
        self.settings(None, scope.max_workers)  # bad client options are a usage error, before any credential lookup
        credentials = self.credentials if self.credentials is not None else default_credentials()
        check_credentials(credentials)
        settings = self.settings(credentials, scope.max_workers)
        calls = CallLog(writer)
        channel = open_channel(settings, calls)
        collectors = self.collectors(scope.services)
        try:
            with bounded_pools(scope.max_workers) as (unit_pool, detail_pool):
                run = _Run(
                    {(o.service, o.name): o for o in self.operations()},
                    writer,
                    threading.BoundedSemaphore(scope.max_workers),
                    detail_pool,
                    scope,
                    Ancestry(),
                )
                bootstrap = GcpUnit(
                    GcpSession(settings, channel, ""),
                    {},
                    "resourcemanager",
                    run.operations,
                    writer,
                    run.limiter,
                    detail_pool,
                )
                plans = self._plans(scope, bootstrap)
                jobs: list[Job[_Plan]] = []
                for plan in plans:
                    if plan.error is not None:
                        record_account_failure("gcp", plan.account, plan.error, collectors, writer, PROJECTS_GET.name)
                        continue
                    plan.session = GcpSession(settings, channel, plan.account)
                    plan.remaining = len(collectors)
                    jobs.extend(
                        Job(plan, f"{plan.account}/{c.service}", partial(self._run_unit, plan, c, run))
                        for c in collectors
                    )
                tally = run_jobs(unit_pool, jobs, partial(self._finalize, scope=scope, writer=writer), progress)
        finally:
            channel.session.close()
        return CollectSummary(
            tuple(p.account for p in plans), tuple(sorted(tally.regions)), len(jobs), tally.failed, calls.count
        )

    def _plans(self, scope: Scope, bootstrap: GcpUnit) -> list[_Plan]:
        """The projects to scan; an explicit one that cannot be read is planned with its error."""
        found: dict[str, _Plan] = {}
        for project in scope.accounts:
            fetched = bootstrap.fetch("cloudresourcemanager", PROJECTS_GET.name, name=f"projects/{project}")
            body = fetched.value if isinstance(fetched.value, dict) else {}
            project_id = str(body.get("projectId") or project)
            found.setdefault(project_id, _Plan(project_id, error=fetched.error, body=body))
        for container in scope.management_groups:
            projects = self._under(container, bootstrap)
            if not projects:
                raise UsageError(f"{container} has no active project visible to these credentials")
            for body in projects:
                found.setdefault(str(body["projectId"]), _Plan(str(body["projectId"]), body=body))
        if not scope.accounts and not scope.management_groups:
            for body in _active(_must(bootstrap, "search projects", "Projects_Search")):
                found.setdefault(str(body["projectId"]), _Plan(str(body["projectId"]), body=body))
            if not found:
                raise CredentialsError(
                    "the GCP credentials see no active project (they need resourcemanager.projects.get "
                    "on at least one project)"
                )
        return list(found.values())

    def _under(self, container: str, bootstrap: GcpUnit) -> list[dict[str, Any]]:
        """Every active project below an organization or folder, through nested folders."""
        if not container.startswith(CONTAINER_PREFIXES) or not container.split("/", 1)[1]:
            raise UsageError(f"{container!r}: expected organizations/ID or folders/ID")
        projects: list[dict[str, Any]] = []
        pending, seen = [container], set()
        while pending:
            parent = pending.pop()
            if parent in seen:
                continue
            seen.add(parent)
            projects.extend(_active(_must(bootstrap, f"list the projects in {parent}", "Projects_List", parent)))
            folders = _must(bootstrap, f"list the folders in {parent}", "Folders_List", parent)
            pending.extend(str(f["name"]) for f in _active(folders, key="name"))
        return projects

    def _run_unit(self, plan: _Plan, collector: GcpCollector, run: _Run) -> UnitOutcome:
        assert plan.session is not None
        unit = GcpUnit(
            plan.session,
            plan.body,
            collector.service,
            run.operations,
            run.writer,
            run.limiter,
            run.detail_pool,
            run.scope.regions,
            run.scope.exclude_regions,
            run.ancestry,
        )
        return run_account_wide(collector, unit, partial(collector.collect, unit))

    def _finalize(self, plan: _Plan, scope: Scope, writer: InventoryWriter) -> None:
        finalize_linked(self, plan, scope, writer, link_project)


def _active(items: list[dict[str, Any]], key: str = "projectId") -> list[dict[str, Any]]:
    """Items in state ACTIVE (deleted projects and folders linger for 30 days) that carry ``key``."""
    return [i for i in items if i.get(key) and str(i.get("state", "ACTIVE")).upper() == "ACTIVE"]


def _must(unit: GcpUnit, what: str, op: str, parent: str | None = None) -> list[dict[str, Any]]:
    """A planning call whose failure stops the scan (nothing to scan is known without it)."""
    params = {"parent": parent} if parent is not None else {}
    try:
        return unit.items("cloudresourcemanager", op, **params)
    except CallFailed as failed:
        raise CredentialsError(f"cannot {what}: {failed.error.describe()}") from None
