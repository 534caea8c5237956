"""A collection unit (account, region, service): the only way collectors touch AWS.

Every call goes through :meth:`AwsUnit.call` or :meth:`AwsUnit.pages`, which bound global
concurrency, log the call (operation, region, time, status, request id), strip transport
metadata, and turn every failure into a :class:`CollectionError` naming the missing IAM
permission when the call was denied.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor
from datetime import UTC, datetime
from typing import Any

from ...errors import ReadOnlyViolation
from ...inventory import TypeListing, TypeStatus
from ...model import CollectionError
from ..interface import Operation
from ..records import CallFailed, Fetched, ResourceBuilder
from ..unitbase import PooledUnit, UnitSink
from .session import GLOBAL_REGION, AccountSession

__all__ = [
    "DENIED_CODES",
    "AwsUnit",
    "CallFailed",
    "Fetched",
    "ResourceBuilder",
    "strip_metadata",
    "tags_from_list",
]

DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnauthorizedAccess",
        "AuthorizationError",
        "AuthorizationErrorException",
        "Forbidden",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
    }
)


def _xform(name: str) -> str:
    from botocore import xform_name

    return str(xform_name(name))


def strip_metadata(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


class AwsUnit(PooledUnit):
    """Context handed to a collector for one (account, region, service) unit."""

    def __init__(
        self,
        session: AccountSession,
        region: str,
        service: str,
        operations: dict[tuple[str, str], Operation],
        writer: UnitSink,
        limiter: threading.BoundedSemaphore,
        detail_pool: Executor,
        scan_regions: Sequence[str],
    ):
        self.session = session
        self.account = session.account
        self.partition = session.partition
        self.region = region
        self.service = service
        self.operations = operations
        self.writer = writer
        self.limiter = limiter
        self.detail_pool = detail_pool
        self.scan_regions = tuple(scan_regions)
        self.listed_types: set[tuple[str, str]] = set()
        self.calls = 0
        self._calls_lock = threading.Lock()

    # -- identity helpers ------------------------------------------------------------------
    def arn(self, service: str, resource: str, *, region: str | None = None, account: str | None = None) -> str:
        reg = self.region if region is None else region
        if reg == GLOBAL_REGION:
            reg = ""
        acct = self.account if account is None else account
        return f"arn:{self.partition}:{service}:{reg}:{acct}:{resource}"

    def builder(
        self,
        rtype: str,
        rid: str,
        name: str,
        *,
        tags: dict[str, str] | None = None,
        region: str | None = None,
    ) -> ResourceBuilder:
        return ResourceBuilder(
            "aws", self.account, region or self.region, self.service, rtype, rid, name, dict(tags or {})
        )

    # -- calls -----------------------------------------------------------------------------
    def _operation(self, service: str, op: str) -> Operation:
        try:
            return self.operations[(service, op)]
        except KeyError:
            raise ReadOnlyViolation(f"collector called undeclared operation {service}:{op}") from None

    def _log(self, service: str, op: str, region: str, started: float, status: str, meta: dict[str, Any]) -> None:
        with self._calls_lock:
            self.calls += 1
        self.writer.log_call(
            {
                "time": datetime.fromtimestamp(started, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "provider": "aws",
                "account": self.account,
                "region": region,
                "service": service,
                "operation": op,
                "status": status,
                "http_status": meta.get("HTTPStatusCode"),
                "request_id": meta.get("RequestId") or (meta.get("HTTPHeaders") or {}).get("x-amz-request-id"),
                "retries": meta.get("RetryAttempts", 0),
                "duration_ms": round((time.time() - started) * 1000, 1),
            }
        )

    def _error(self, spec: Operation, exc: Exception) -> tuple[CollectionError | None, str | None, dict[str, Any]]:
        """(error, absent_code, response metadata) for an exception raised by a call."""
        from botocore.exceptions import ClientError

        if isinstance(exc, ReadOnlyViolation):
            raise exc
        if isinstance(exc, ClientError):
            err = exc.response.get("Error", {})
            code = str(err.get("Code") or "Unknown")
            meta: dict[str, Any] = dict(exc.response.get("ResponseMetadata", {}))
            if code in spec.absent_codes:
                return None, code, meta
            denied = code in DENIED_CODES or meta.get("HTTPStatusCode") == 403
            return (
                CollectionError(spec.name, code, str(err.get("Message") or "")[:500], spec.permission, denied),
                None,
                meta,
            )
        name = type(exc).__name__
        code = "NotImplemented" if isinstance(exc, NotImplementedError) else name
        return CollectionError(spec.name, code, str(exc)[:500], spec.permission, False), None, {}

    def fetch(self, service: str, op: str, *, region: str | None = None, **params: Any) -> Fetched:
        """One call; never raises for provider errors (they are returned in the result)."""
        spec = self._operation(service, op)
        reg = region or self.region
        client = self.session.client(service, reg)
        started = time.time()
        with self.limiter:
            try:
                response = getattr(client, _xform(op))(**params)
            except Exception as exc:
                error, absent, meta = self._error(spec, exc)
                self._log(service, op, reg, started, absent or (error.code if error else "error"), meta)
                return Fetched(op, absent=absent, error=error)
        self._log(service, op, reg, started, "ok", response.get("ResponseMetadata", {}))
        return Fetched(op, value=strip_metadata(response))

    def call(self, service: str, op: str, *, region: str | None = None, **params: Any) -> dict[str, Any]:
        """One call whose failure aborts the caller (raises :class:`CallFailed`)."""
        result = self.fetch(service, op, region=region, **params)
        if result.error is not None:
            raise CallFailed(result.error)
        return result.value if isinstance(result.value, dict) else {}

    def pages(self, service: str, op: str, *, region: str | None = None, **params: Any) -> Iterator[dict[str, Any]]:
        """Every page of a paginated call; raises :class:`CallFailed` on the first failed page."""
        spec = self._operation(service, op)
        reg = region or self.region
        client = self.session.client(service, reg)
        if not client.can_paginate(_xform(op)):
            yield self.call(service, op, region=reg, **params)
            return
        iterator = iter(client.get_paginator(_xform(op)).paginate(**params))
        while True:
            started = time.time()
            with self.limiter:
                try:
                    page = next(iterator)
                except StopIteration:
                    return
                except Exception as exc:
                    error, absent, meta = self._error(spec, exc)
                    self._log(service, op, reg, started, absent or (error.code if error else "error"), meta)
                    if error is None:
                        return
                    raise CallFailed(error) from None
            self._log(service, op, reg, started, "ok", page.get("ResponseMetadata", {}))
            yield strip_metadata(page)

    def items(self, service: str, op: str, key: str, *, region: str | None = None, **params: Any) -> list[Any]:
        out: list[Any] = []
        for page in self.pages(service, op, region=region, **params):
            out.extend(page.get(key) or [])
        return out

    # -- listings --------------------------------------------------------------------------
    def listed(self, rtype: str, list_call: str, count: int, *, region: str | None = None) -> None:
        reg = region or self.region
        self.listed_types.add((rtype, reg))
        self.writer.listing(TypeListing("aws", self.account, reg, rtype, TypeStatus.LISTED, list_call, 0, count))

    def list_failed(self, rtype: str, list_call: str, error: CollectionError, *, region: str | None = None) -> None:
        reg = region or self.region
        self.listed_types.add((rtype, reg))
        self.writer.listing(TypeListing("aws", self.account, reg, rtype, TypeStatus.FAILED, list_call, 0, 0, error))

    def list_all(
        self, rtype: str, service: str, op: str, key: str, *, region: str | None = None, **params: Any
    ) -> list[Any] | None:
        """List every item of ``rtype``; on failure record the gap and return None."""
        try:
            found = self.items(service, op, key, region=region, **params)
        except CallFailed as failed:
            self.list_failed(rtype, op, failed.error, region=region)
            return None
        self.listed(rtype, op, len(found), region=region)
        return found


def tags_from_list(items: Sequence[dict[str, Any]] | None, key: str = "Key", value: str = "Value") -> dict[str, str]:
    """AWS's ``[{Key, Value}]`` tag lists as a plain mapping."""
    return {str(t[key]): str(t.get(value, "")) for t in items or [] if key in t}
