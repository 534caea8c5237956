"""azure-core pipeline policies every clearance client carries: read-only guard and call log.

Imported only by :mod:`.session` when a client is built (azure-core is a heavy, optional import).

The adapter passes the REST operation id of each call as the keyword ``clearance_operation``;
the guard pops it from the pipeline options (azure-core would hand unknown options to the
transport) and keeps it in the request context, where the call log reads it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from azure.core.pipeline import PipelineRequest, PipelineResponse
from azure.core.pipeline.policies import HTTPPolicy, SansIOHTTPPolicy
from azure.core.rest import HttpRequest, HttpResponse

from ...errors import ReadOnlyViolation
from .session import OPERATION_KEY

CallSink = Callable[[dict[str, Any]], None]


class ReadOnlyPolicy(SansIOHTTPPolicy[HttpRequest, HttpResponse]):
    """Refuse, before anything is sent, every request that is not a GET or a named read-only POST."""

    def __init__(self, read_only_posts: frozenset[str]):
        self.read_only_posts = read_only_posts

    def on_request(self, request: PipelineRequest[HttpRequest]) -> None:
        operation = request.context.options.pop(OPERATION_KEY, None)
        request.context[OPERATION_KEY] = operation
        method = request.http_request.method.upper()
        if method == "GET" or (method == "POST" and operation in self.read_only_posts):
            return
        path = urlsplit(request.http_request.url).path
        raise ReadOnlyViolation(
            f"refused {method} {unquote(path)} ({operation or 'undeclared call'}): "
            "not in clearance's read-only allow-list (nothing was sent)"
        )


def _error_code(response: Any) -> str:
    """ARM's ``error.code`` from an error response body, else ``HTTP <status>``."""
    try:
        body = json.loads(response.body() or b"{}")
        code = body.get("error", {}).get("code")
    except (ValueError, AttributeError):
        code = None
    return str(code) if code else f"HTTP {response.status_code}"


class CallLogPolicy(HTTPPolicy[HttpRequest, HttpResponse]):
    """Record every logical request (retries included): operation, path, status, request id, duration."""

    def __init__(self, account: str, service: str, sink: CallSink):
        super().__init__()
        self.account = account
        self.service = service
        self.sink = sink

    def send(self, request: PipelineRequest[HttpRequest]) -> PipelineResponse[HttpRequest, HttpResponse]:
        started = time.time()
        url = urlsplit(request.http_request.url)
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(started, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "provider": "azure",
            "account": self.account,
            "region": "global",
            "service": self.service,
            "operation": request.context.get(OPERATION_KEY),
            "method": request.http_request.method,
            "path": unquote(url.path),
            "api_version": next(iter(parse_qs(url.query).get("api-version", [])), None),
        }
        try:
            response = self.next.send(request)
        except Exception as exc:
            entry.update(status=type(exc).__name__, http_status=None, request_id=None)
            self._emit(entry, request, started)
            raise
        http = response.http_response
        status = "ok" if 200 <= http.status_code < 300 else _error_code(http)
        entry.update(status=status, http_status=http.status_code, request_id=http.headers.get("x-ms-request-id"))
        self._emit(entry, request, started)
        return response

    def _emit(self, entry: dict[str, Any], request: PipelineRequest[HttpRequest], started: float) -> None:
        entry["retries"] = request.context.get("retry_count", 0)
        entry["duration_ms"] = round((time.time() - started) * 1000, 1)
        self.sink(entry)
