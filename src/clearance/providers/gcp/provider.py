"""The GCP provider: resolve projects from the scope, run (project, service) units, finalise each.

Projects come from the scope: explicit project ids, or every active project under the given
organizations/folders (``Scope.management_groups`` holds ``organizations/N`` and ``folders/N``),
or, when neither is given, every active project the credentials can see. A unit is one collector
in one project; regions are a property of the resources found, not a unit of work.
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
from .unit import ANY_REGION, Ancestry, CallFailed, GcpUnit

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


class _CallLog:
    """Thread-safe sink of the transport's call log: writes each entry and counts them."""

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
    project: str
    body: dict[str, Any] = field(default_factory=dict)
    error: CollectionError | None = None
    session: GcpSession | None = None
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
        calls = _CallLog(writer)
        channel = open_channel(settings, calls)
        collectors = self.collectors(scope.services)
        detail_pool = ThreadPoolExecutor(max_workers=scope.max_workers, thread_name_prefix="clearance-detail")
        unit_pool = ThreadPoolExecutor(max_workers=scope.max_workers, thread_name_prefix="clearance-unit")
        run = _Run(
            {(o.service, o.name): o for o in self.operations()},
            writer,
            threading.BoundedSemaphore(scope.max_workers),
            detail_pool,
            scope,
            Ancestry(),
        )
        try:
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
            jobs: list[tuple[_Plan, GcpCollector]] = []
            for plan in plans:
                if plan.error is not None:
                    self._record_failure(plan, collectors, writer)
                    continue
                plan.session = GcpSession(settings, channel, plan.project)
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
                    progress(Progress(done, len(jobs), f"{plan.project}/{collector.service}"))
                with plan.lock:
                    plan.failed_types.update(unit.failed_types)
                    plan.remaining -= 1
                    finished = plan.remaining == 0
                if finished:
                    self._finalize(plan, scope, writer)
        finally:
            unit_pool.shutdown(wait=True, cancel_futures=True)
            detail_pool.shutdown(wait=True, cancel_futures=True)
            channel.session.close()
        return CollectSummary(tuple(p.project for p in plans), tuple(sorted(regions)), len(jobs), failed, calls.count)

    def _plans(self, scope: Scope, bootstrap: GcpUnit) -> list[_Plan]:
        """The projects to scan; an explicit one that cannot be read is planned with its error."""
        found: dict[str, _Plan] = {}
        for project in scope.accounts:
            fetched = bootstrap.fetch("cloudresourcemanager", PROJECTS_GET.name, name=f"projects/{project}")
            body = fetched.value if isinstance(fetched.value, dict) else {}
            project_id = str(body.get("projectId") or project)
            found.setdefault(project_id, _Plan(project_id, body, fetched.error))
        for container in scope.management_groups:
            projects = self._under(container, bootstrap)
            if not projects:
                raise UsageError(f"{container} has no active project visible to these credentials")
            for body in projects:
                found.setdefault(str(body["projectId"]), _Plan(str(body["projectId"]), body))
        if not scope.accounts and not scope.management_groups:
            for body in _active(_must(bootstrap, "search projects", "Projects_Search")):
                found.setdefault(str(body["projectId"]), _Plan(str(body["projectId"]), body))
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

    def _record_failure(self, plan: _Plan, collectors: Sequence[GcpCollector], writer: InventoryWriter) -> None:
        for collector in collectors:
            for rtype in collector.resource_types:
                writer.listing(
                    TypeListing(
                        "gcp",
                        plan.project,
                        ANY_REGION,
                        rtype.name,
                        TypeStatus.FAILED,
                        PROJECTS_GET.name,
                        0,
                        0,
                        plan.error,
                    )
                )
        writer.finalize_account("gcp", plan.project, [])

    def _run_unit(self, plan: _Plan, collector: GcpCollector, run: _Run) -> tuple[GcpUnit, bool]:
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
        staged = list(writer.staged("gcp", plan.project))
        linked = link_project(staged, frozenset(plan.failed_types | skipped))
        resources = [r for r in linked if r.region not in scope.exclude_regions]
        writer.finalize_account("gcp", plan.project, apply_scope(resources, scope, self.account_level_types()))


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
