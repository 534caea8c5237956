"""A collection unit (project, service): the only way GCP collectors touch Google APIs.

Collectors name calls by operation (``Buckets_List``); the unit finds the discovery method behind
it, refuses undeclared operations, bounds global concurrency, follows ``nextPageToken`` with the
client's own ``*_next`` helpers, and keeps every answer **as received** (the JSON body). Every
failure becomes a :class:`CollectionError` naming the GCP IAM permission the call needs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from ...errors import ReadOnlyViolation
from ...inventory import InventoryWriter
from ...model import CollectionError
from ..interface import Operation
from ..records import CallFailed, Fetched, ResourceBuilder
from ..unitbase import ANY_REGION, AccountWideUnit
from . import ids
from .operations import GcpOperation
from .session import GcpSession

__all__ = ["ANY_REGION", "Ancestry", "CallFailed", "Fetched", "GcpUnit", "ResourceBuilder", "map_error"]


def map_error(spec: GcpOperation, exc: Exception) -> tuple[CollectionError | None, str | None]:
    """(error, absent code) for an exception raised while executing ``spec``."""
    from googleapiclient.errors import HttpError

    from .transport import error_code, error_message

    if isinstance(exc, ReadOnlyViolation):
        raise exc
    if isinstance(exc, HttpError):
        status = int(exc.resp.status)
        code = error_code(status, exc.content)
        if code in spec.absent_codes:
            return None, code
        message = error_message(exc.content) or str(exc.reason or "")
        denied = status in (401, 403) and code != "SERVICE_DISABLED"
        return CollectionError(spec.name, code, message[:500], spec.permission, denied), None
    return CollectionError(spec.name, type(exc).__name__, str(exc)[:500], spec.permission, False), None


@dataclass
class Ancestry:
    """The organization above each project, found by walking folder parents once per scan (shared by units)."""

    folders: dict[str, str | None] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


class GcpUnit(AccountWideUnit):
    """Context handed to a collector for one (project, service) unit."""

    provider = "gcp"

    def __init__(
        self,
        session: GcpSession,
        project: Mapping[str, Any],
        service: str,
        operations: Mapping[tuple[str, str], Operation],
        writer: InventoryWriter,
        limiter: threading.BoundedSemaphore,
        detail_pool: Executor,
        scan_regions: Sequence[str] = (),
        exclude_regions: Sequence[str] = (),
        ancestry: Ancestry | None = None,
    ):
        super().__init__(
            session.project, service, operations, writer, limiter, detail_pool, scan_regions, exclude_regions
        )
        self.session = session
        self.project = dict(project)
        """The project as Resource Manager v3 answered when the scan was planned (name, projectId, parent)."""
        self.ancestry = ancestry or Ancestry()

    @property
    def number(self) -> str:
        """The project number (``projects/NUMBER`` is how IAM, Vertex AI and perimeters name projects)."""
        return ids.last(self.project.get("name")) or self.account

    # -- calls -----------------------------------------------------------------------------
    def _operation(self, api: str, op: str) -> GcpOperation:
        spec = self.operations.get((api, op))
        if not isinstance(spec, GcpOperation):
            raise ReadOnlyViolation(f"collector called undeclared operation {api}:{op}")
        return spec

    def _request(self, spec: GcpOperation, region: str | None, params: dict[str, Any]) -> tuple[Any, Any, str]:
        """The discovery request for ``spec`` and the collection object its ``*_next`` helper lives on."""
        node = self.session.client(spec.service, region)
        *path, method = spec.method.split(".")[1:]
        for part in path:
            node = getattr(node, part)()
        return node, getattr(node, method)(**params), method

    def _invoke(self, spec: GcpOperation, region: str | None, params: dict[str, Any]) -> Any:
        """Execute one operation; a list answers the items of every page (flattened for aggregated lists)."""
        collection, request, method = self._request(spec, region, params)
        http = self.session.http(spec.service)
        retries = self.session.settings.num_retries
        if spec.items is None:
            return request.execute(http=http.bound(spec, region or "global"), num_retries=retries)
        found: list[Any] = []
        advance = getattr(collection, f"{method}_next", None)  # absent for unpaged lists (service-account keys)
        while request is not None:
            page = request.execute(http=http.bound(spec, region or "global"), num_retries=retries)
            body = page if isinstance(page, dict) else {}
            if spec.aggregated:  # {"items": {"zones/z": {"instances": [...]}, "regions/r": {"warning": ...}}}
                for group in (body.get("items") or {}).values():
                    found.extend((group or {}).get(spec.items) or [])
            else:
                found.extend(body.get(spec.items) or [])
            request = advance(request, page) if advance else None
        return found

    def fetch(
        self, api: str, op: str, *, key: str | None = None, endpoint_region: str | None = None, **params: Any
    ) -> Fetched:
        """One call (a list: every page); the value is the raw JSON answer or the raw items. Never raises
        for provider errors. ``key`` names the data key (default: ``op``); ``endpoint_region`` selects the
        regional endpoint of regional APIs (Vertex AI). Everything else is a parameter of the method."""
        spec = self._operation(api, op)
        with self.limiter:
            try:
                value = self._invoke(spec, endpoint_region, params)
            except Exception as exc:
                error, absent = map_error(spec, exc)
                return Fetched(key or op, absent=absent, error=error)
        return Fetched(key or op, value=value)

    def items(self, api: str, op: str, **params: Any) -> list[dict[str, Any]]:
        """A list whose failure aborts the caller (raises :class:`CallFailed`)."""
        return self._items_of(self.fetch(api, op, **params))

    # -- listings --------------------------------------------------------------------------
    def list_all(
        self,
        rtype: str,
        api: str,
        op: str,
        region_of: Callable[[dict[str, Any]], str],
        *,
        regional: bool = True,
        **params: Any,
    ) -> list[dict[str, Any]] | None:
        """List every item of a project-wide ``rtype``; on failure record the gap and return None."""
        try:
            found = self.items(api, op, **params)
        except CallFailed as failed:
            self.list_failed(rtype, op, failed.error)
            return None
        self.listed(rtype, op, [region_of(i) for i in found], regional=regional)
        return found

    def locations(self, rtypes: Sequence[str], api: str, op: str) -> list[str] | None:
        """The locations a per-location API reports for this project, minus excluded regions.

        When the location list itself fails every type in ``rtypes`` is FAILED and None is returned.
        """
        try:
            found = self.items(api, op, name=f"projects/{self.account}")
        except CallFailed as failed:
            for rtype in rtypes:
                self.list_failed(rtype, op, failed.error)
            return None
        names = [str(i.get("locationId") or ids.last(i.get("name"))).lower() for i in found]
        return [n for n in dict.fromkeys(names) if n and n not in self.exclude_regions]

    # -- resources -------------------------------------------------------------------------
    def builder(self, rtype: str, rid: str, name: str, region: str, labels: Any = None) -> ResourceBuilder:
        return ResourceBuilder("gcp", self.account, region, self.service, rtype, rid, name, ids.labels(labels))

    # -- hierarchy -------------------------------------------------------------------------
    def organization(self) -> tuple[str | None, CollectionError | None]:
        """``organizations/N`` above this project (None for a project outside any organization).

        Folder parents are read with ``Folders_Get`` and remembered for the whole scan.
        """
        parent = ids.text(self.project.get("parent"))
        seen: set[str] = set()
        while parent and parent.startswith("folders/") and parent not in seen:
            seen.add(parent)
            with self.ancestry.lock:
                known = parent in self.ancestry.folders
                above = self.ancestry.folders.get(parent)
            if not known:
                fetched = self.fetch("cloudresourcemanager", "Folders_Get", name=parent)
                if fetched.error is not None:
                    return None, fetched.error
                above = ids.text((fetched.value or {}).get("parent"))
                with self.ancestry.lock:
                    self.ancestry.folders[parent] = above
            parent = above
        return (parent if parent and parent.startswith("organizations/") else None), None
