"""The one HTTP path of every GCP call: read-only guard and call log in front of google-auth's session.

The discovery clients accept any object with httplib2's ``request(uri, method, body, headers)``.
:class:`GuardedHttp` is that object: it refuses, before anything is sent, every request that is
not a GET or a POST the calling operation declared read-only, logs each attempt, and sends through
one shared ``google.auth.transport.requests.AuthorizedSession`` (thread-safe, pooled, refreshing
tokens), unlike ``httplib2.Http``, which must not be shared between threads.

Imported only when a client is built (httplib2 and google-auth are optional, heavy imports).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

import httplib2

from ...errors import ReadOnlyViolation
from .operations import GcpOperation

CallSink = Callable[[dict[str, Any]], None]


def error_code(status: int, body: bytes | str | None) -> str:
    """The most specific code of a Google error body.

    ``SERVICE_DISABLED`` when the API is off in the project (a 403 that is no permission problem);
    else ``error.status`` (``PERMISSION_DENIED``); else, for APIs whose errors carry no status
    (Storage JSON, Compute), ``error.errors[0].reason`` (``forbidden``); else ``HTTP<status>``.
    """
    try:
        error = json.loads(body or b"{}").get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    if not isinstance(error, dict):
        error = {}
    reasons = [d.get("reason") for d in error.get("details") or [] if isinstance(d, dict)]
    reasons += [e.get("reason") for e in error.get("errors") or [] if isinstance(e, dict)]
    if {"SERVICE_DISABLED", "accessNotConfigured"} & set(reasons):
        return "SERVICE_DISABLED"
    code = error.get("status") or next((r for r in reasons if isinstance(r, str) and r), None)
    return str(code) if code else f"HTTP{status}"


def error_message(body: bytes | str | None) -> str:
    try:
        error = json.loads(body or b"{}").get("error") or {}
        return str(error.get("message") or "") if isinstance(error, dict) else ""
    except (ValueError, AttributeError):
        return ""


@dataclass(frozen=True)
class Channel:
    """What every client of one scan shares: the authorized session, its limits and the call-log sink."""

    session: Any
    """``google.auth.transport.requests.AuthorizedSession``."""
    read_only_posts: frozenset[str]
    """Discovery method ids of the POSTs that only read; every other non-GET is refused."""
    sink: CallSink
    timeout: float
    verify: bool | str = True
    """Passed on every request: a session-level ``verify`` loses to ``REQUESTS_CA_BUNDLE`` in requests."""


class GuardedHttp:
    """httplib2-compatible ``request`` for one project's client, bound per call to the operation it serves."""

    def __init__(
        self,
        channel: Channel,
        account: str,
        api: str,
        version: str,
        operation: GcpOperation | None = None,
        region: str = "global",
    ):
        self.channel = channel
        self.account = account
        self.api = api
        self.version = version
        self.operation = operation
        self.region = region
        self.attempts = 0

    def bound(self, operation: GcpOperation, region: str = "global") -> GuardedHttp:
        """A fresh instance for one logical call (it counts that call's attempts)."""
        return GuardedHttp(self.channel, self.account, self.api, self.version, operation, region)

    def _check(self, method: str, path: str, headers: dict[str, str]) -> None:
        if method == "POST" and headers.get("x-http-method-override", "").upper() == "GET":
            return  # a long GET the client turned into a POST carrying its query
        op = self.operation
        if method == "GET":
            return
        if method == "POST" and op is not None and op.method in self.channel.read_only_posts:
            verb = op.method.rsplit(".", 1)[-1]
            if path.endswith(f":{verb}"):  # the named method's own custom-verb URL, not any POST under it
                return
        raise ReadOnlyViolation(
            f"refused {method} {path} ({op.method if op else 'undeclared call'}): "
            "not in clearance's read-only allow-list (nothing was sent)"
        )

    def request(
        self,
        uri: str,
        method: str = "GET",
        body: Any = None,
        headers: dict[str, str] | None = None,
        **_: Any,
    ) -> tuple[httplib2.Response, bytes]:
        method = method.upper()
        sent = {k.lower(): str(v) for k, v in (headers or {}).items()}
        url = urlsplit(uri)
        path = unquote(url.path)
        self._check(method, path, sent)
        started = time.time()
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(started, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "provider": "gcp",
            "account": self.account,
            "region": self.region,
            "service": self.api,
            "operation": self.operation.name if self.operation else None,
            "method": method,
            "host": url.netloc,
            "path": path,
            "api_version": self.version,
            "retries": self.attempts,
        }
        self.attempts += 1
        try:
            answer = self.channel.session.request(
                method, uri, data=body, headers=sent, timeout=self.channel.timeout, verify=self.channel.verify
            )
        except Exception as exc:
            entry.update(status=type(exc).__name__, http_status=None, request_id=None)
            self._emit(entry, started)
            raise
        content: bytes = answer.content
        ok = 200 <= answer.status_code < 300
        entry.update(
            status="ok" if ok else error_code(answer.status_code, content),
            http_status=answer.status_code,
            request_id=answer.headers.get("x-goog-request-id") or answer.headers.get("x-request-id"),
        )
        self._emit(entry, started)
        info = {k.lower(): v for k, v in answer.headers.items()}
        info["status"] = str(answer.status_code)
        response = httplib2.Response(info)
        response.reason = answer.reason or ""
        return response, content

    def _emit(self, entry: dict[str, Any], started: float) -> None:
        entry["duration_ms"] = round((time.time() - started) * 1000, 1)
        self.channel.sink(entry)
