"""A collection unit (subscription, service): the only way Azure collectors touch ARM.

Collectors name calls by their REST operation id (``StorageAccounts_List``); the unit maps it to
the azure-mgmt method (``storage_accounts.list``), refuses undeclared operations, bounds global
concurrency, and keeps each ARM response body **as received** (captured with azure-core's
``raw_response_hook``, so checks read ARM's camelCase JSON, not SDK models). Every failure becomes
a :class:`CollectionError` naming the Azure RBAC action the call needs.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from typing import Any

from ...errors import ReadOnlyViolation
from ...inventory import InventoryWriter
from ...model import CollectionError
from ..interface import Operation
from ..records import CallFailed, Fetched, ResourceBuilder
from ..unitbase import ANY_REGION, AccountWideUnit
from . import ids
from .session import OPERATION_KEY, AzureSession

__all__ = [
    "ANY_REGION",
    "DENIED_CODES",
    "AzureUnit",
    "CallFailed",
    "EmptyBody",
    "Fetched",
    "ResourceBuilder",
    "map_error",
    "sdk_method_name",
]

DENIED_CODES = frozenset(
    {
        "AuthorizationFailed",
        "LinkedAuthorizationFailed",
        "AuthorizationPermissionMismatch",
        "Forbidden",
        "InvalidAuthenticationToken",
        "InvalidAuthenticationTokenTenant",
    }
)


def sdk_method_name(operation_id: str) -> tuple[str, str]:
    """``BlobServices_GetServiceProperties`` -> (``blob_services``, ``get_service_properties``)."""
    group, _, method = operation_id.partition("_")

    def snake(text: str) -> str:
        return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", text).lower()

    return snake(group), snake(method)


def map_error(spec: Operation, exc: Exception) -> tuple[CollectionError | None, str | None]:
    """(error, absent code) for an exception raised by an azure-mgmt call."""
    from azure.core.exceptions import HttpResponseError

    if isinstance(exc, ReadOnlyViolation):
        raise exc
    if isinstance(exc, HttpResponseError) and exc.status_code is not None:
        error = exc.error
        code = str(getattr(error, "code", None) or f"HTTP{exc.status_code}")
        if code in spec.absent_codes:
            return None, code
        message = str(getattr(error, "message", None) or exc.message or "")
        denied = exc.status_code in (401, 403) or code in DENIED_CODES
        return CollectionError(spec.name, code, message[:500], spec.permission, denied), None
    return CollectionError(spec.name, type(exc).__name__, str(exc)[:500], spec.permission, False), None


class EmptyBody(Exception):
    """ARM answered a GET with success but no JSON body."""


class AzureUnit(AccountWideUnit):
    """Context handed to a collector for one (subscription, service) unit."""

    provider = "azure"

    def __init__(
        self,
        session: AzureSession,
        service: str,
        operations: Mapping[tuple[str, str], Operation],
        writer: InventoryWriter,
        limiter: threading.BoundedSemaphore,
        detail_pool: Executor,
        scan_regions: Sequence[str],
        exclude_regions: Sequence[str] = (),
    ):
        super().__init__(
            session.subscription, service, operations, writer, limiter, detail_pool, scan_regions, exclude_regions
        )
        self.session = session

    # -- calls -----------------------------------------------------------------------------
    def _operation(self, service: str, op: str) -> Operation:
        try:
            return self.operations[(service, op)]
        except KeyError:
            raise ReadOnlyViolation(f"collector called undeclared operation {service}:{op}") from None

    def _invoke(self, service: str, op: str, args: tuple[Any, ...], params: dict[str, Any], paged: bool) -> Any:
        """Run one SDK operation; returns the raw JSON body (single) or the concatenated ``value`` items (paged)."""
        group, method = sdk_method_name(op)
        bound = getattr(getattr(self.session.client(service), group), method)
        bodies: list[bytes] = []

        def hook(pipeline_response: Any) -> None:
            http = pipeline_response.http_response
            if 200 <= http.status_code < 300:
                bodies.append(http.body())

        result = bound(*args, raw_response_hook=hook, **{OPERATION_KEY: op}, **params)
        if not paged:
            if not bodies or not bodies[-1]:
                raise EmptyBody(f"{op} answered without a body")
            return json.loads(bodies[-1])
        for _ in result:  # drive the pager: one request per page, each captured by the hook
            pass
        return [item for body in bodies for item in (json.loads(body).get("value") or [])]

    def _call(
        self, service: str, op: str, args: tuple[Any, ...], params: dict[str, Any], paged: bool, key: str | None
    ) -> Fetched:
        spec = self._operation(service, op)
        with self.limiter:
            try:
                value = self._invoke(service, op, args, params, paged)
            except Exception as exc:
                error, absent = map_error(spec, exc)
                return Fetched(key or op, absent=absent, error=error)
        return Fetched(key or op, value=value)

    def fetch(self, service: str, op: str, *args: Any, key: str | None = None, **params: Any) -> Fetched:
        """One GET; the value is the raw JSON body. Never raises for provider errors."""
        return self._call(service, op, args, params, False, key)

    def fetch_list(self, service: str, op: str, *args: Any, key: str | None = None, **params: Any) -> Fetched:
        """A paged list; the value is the list of raw items of every page. Never raises for provider errors."""
        return self._call(service, op, args, params, True, key)

    def items(self, service: str, op: str, *args: Any, **params: Any) -> list[dict[str, Any]]:
        """A paged list whose failure aborts the caller (raises :class:`CallFailed`)."""
        return self._items_of(self.fetch_list(service, op, *args, **params))

    # -- listings --------------------------------------------------------------------------
    def list_all(
        self, rtype: str, service: str, op: str, *args: Any, children: Sequence[str] = (), **params: Any
    ) -> list[dict[str, Any]] | None:
        """List every item of a top-level ``rtype``; on failure record the gap and return None.

        ``children`` are types listed per item (subnets of a VNet): when the parent list fails,
        their listing fails with the same error.
        """
        try:
            found = [i for i in self.items(service, op, *args, **params) if i.get("id")]
        except CallFailed as failed:
            for failed_type in (rtype, *children):
                self.list_failed(failed_type, op, failed.error)
            return None
        self.listed(rtype, op, [ids.region(i.get("location")) for i in found])
        return found

    # -- resources -------------------------------------------------------------------------
    def builder(self, rtype: str, item: Mapping[str, Any], *, region: str | None = None) -> ResourceBuilder:
        """A builder for the ARM resource ``item``: id, name, tags and region from its envelope."""
        rid = str(item["id"])
        tags = item.get("tags") if isinstance(item.get("tags"), dict) else {}
        location = item.get("location")
        return ResourceBuilder(
            "azure",
            self.account,
            ids.region(location) if location or region is None else region,
            self.service,
            rtype,
            rid,
            str(item.get("name") or rid.rsplit("/", 1)[-1]),
            {str(k): str(v) for k, v in (tags or {}).items()},
        )
