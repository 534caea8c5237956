"""A small Azure Resource Manager fake over real HTTP, owned by the project.

No maintained ARM emulator exists, so the real azure-mgmt clients talk to this server on
``127.0.0.1:0`` (see ../shared/offline-testing.md §3). It behaves like ARM where the SDKs
and our adapter are sensitive:

- paths are matched unquoted and case-insensitively (the SDK sends ``Microsoft.Insights``
  where ARM ids often say ``microsoft.insights``; resource groups may hold spaces, parentheses
  and non-ASCII characters);
- lists are paged server-side with ``value``/``nextLink``; the nextLink points at this server
  and carries a percent-encoded ``$skiptoken`` containing ``+``, ``/`` and ``=``;
- errors use ARM's shape ``{"error": {"code", "message"}}``; a missing resource is a 404
  ``ResourceNotFound``, a collection nobody put anything into is an empty list;
- every request is recorded, so tests assert what was called (and that nothing else was).

Resources are added with :meth:`FakeArm.put`; failures with :meth:`FakeArm.fail`.
"""

from __future__ import annotations

import base64
import fnmatch
import json
import ssl
import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

_TOKEN_PREFIX = b"\xfb\xef\xbe"  # base64 "++++": every token exercises '+' encoding


@dataclass(frozen=True)
class Recorded:
    """One request as the fake received it (path unquoted, original casing)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass(frozen=True)
class _Failure:
    pattern: str
    status: int
    code: str
    message: str
    method: str | None


def _norm(path: str) -> str:
    return unquote(path).rstrip("/").lower()


def _is_collection(path: str) -> bool:
    """ARM paths alternate ``kind/name``; ``providers/<namespace>`` pairs do not count."""
    parts = [p for p in path.strip("/").split("/") if p]
    kept: list[str] = []
    skip = 0
    for part in parts:
        if skip:
            skip -= 1
            continue
        if part.lower() == "providers":
            skip = 1
            continue
        kept.append(part)
    return len(kept) % 2 == 1


def _token(offset: int) -> str:
    return base64.b64encode(_TOKEN_PREFIX + str(offset).encode()).decode()


def _offset(token: str) -> int:
    return int(base64.b64decode(token)[len(_TOKEN_PREFIX) :].decode())


class FakeArm:
    """The fake server: start with ``with FakeArm() as fake`` (or the ``fake_arm`` fixture)."""

    def __init__(self, *, page_size: int = 100, ssl_context: ssl.SSLContext | None = None):
        self.page_size = page_size
        self.requests: list[Recorded] = []
        self._items: dict[str, dict[str, Any]] = {}
        self._collections: dict[str, list[str]] = {}
        self._failures: list[_Failure] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self  # type: ignore[attr-defined]
        scheme = "http"
        if ssl_context is not None:
            self._server.socket = ssl_context.wrap_socket(self._server.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> FakeArm:
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeArm:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- fixtures --------------------------------------------------------------------------
    def put(self, resource_id: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """Serve ``body`` at ``resource_id`` and list it in its collections.

        The collections are the id without its last segment (``.../storageAccounts``) and, for a
        top-level resource in a resource group, ``/subscriptions/{s}/providers/{ns}/{type}``
        (the ListAll / ListBySubscription path). ``body`` gets ``id`` and ``name`` if it has none.
        Putting the same id again replaces the body in place.
        """
        item = dict(body or {})
        item.setdefault("id", resource_id)
        item.setdefault("name", resource_id.rstrip("/").rsplit("/", 1)[-1])
        key = _norm(resource_id)
        parts = resource_id.strip("/").split("/")
        collections = [resource_id.rstrip("/").rsplit("/", 1)[0] or "/"]
        if len(parts) == 8 and [parts[0].lower(), parts[2].lower(), parts[4].lower()] == [
            "subscriptions",
            "resourcegroups",
            "providers",
        ]:
            collections.append(f"/subscriptions/{parts[1]}/providers/{parts[5]}/{parts[6]}")
        with self._lock:
            self._items[key] = item
            for coll in collections:
                members = self._collections.setdefault(_norm(coll), [])
                if key not in members:
                    members.append(key)
        return item

    def add(self, *bodies: dict[str, Any]) -> None:
        """:meth:`put` each ARM body at its own ``id``."""
        for body in bodies:
            self.put(str(body["id"]), body)

    def fail(
        self,
        pattern: str,
        status: int = 403,
        code: str = "AuthorizationFailed",
        message: str | None = None,
        *,
        method: str | None = None,
    ) -> None:
        """Answer requests whose unquoted path matches the glob ``pattern`` (case-insensitive) with an ARM error."""
        text = message or f"fake ARM: {code} for {pattern}"
        with self._lock:
            self._failures.append(_Failure(pattern.lower(), status, code, text, method))

    def calls(self, fragment: str = "", method: str = "GET") -> list[Recorded]:
        """Recorded requests of ``method`` whose path contains ``fragment`` (case-insensitive)."""
        low = fragment.lower()
        return [r for r in self.requests if r.method == method and low in r.path.lower()]

    # -- the transport-agnostic core -------------------------------------------------------
    def respond(self, method: str, target: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(target)
        path = unquote(parts.path)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        with self._lock:
            self.requests.append(Recorded(method, path, query, dict(headers)))
            failures = list(self._failures)
        key = _norm(path)
        for failure in failures:
            if (failure.method is None or failure.method == method) and fnmatch.fnmatchcase(key, failure.pattern):
                return self._error(failure.status, failure.code, failure.message)
        if method != "GET":
            return self._error(405, "MethodNotAllowed", f"the fake ARM serves GET only, got {method}")
        with self._lock:
            item = self._items.get(key)
            members = list(self._collections.get(key, ()))
            page_items = [self._items[m] for m in members]
        if item is not None:
            return self._json(200, item)
        if members or _is_collection(path):
            return self._page(path, query, page_items)
        return self._error(404, "ResourceNotFound", f"The Resource '{path}' was not found.")

    def _page(self, path: str, query: dict[str, str], items: list[dict[str, Any]]) -> tuple[int, dict[str, str], bytes]:
        start = _offset(query["$skiptoken"]) if "$skiptoken" in query else 0
        end = start + self.page_size
        out: dict[str, Any] = {"value": items[start:end]}
        if end < len(items):
            rest = {k: v for k, v in query.items() if k not in ("$skiptoken", "api-version")}
            rest["$skiptoken"] = _token(end)
            out["nextLink"] = f"{self.url}{path}?{urlencode(rest)}"
        return self._json(200, out)

    def _json(self, status: int, body: Any) -> tuple[int, dict[str, str], bytes]:
        data = json.dumps(body, ensure_ascii=False).encode()
        return status, {"Content-Type": "application/json; charset=utf-8", "x-ms-request-id": str(uuid.uuid4())}, data

    def _error(self, status: int, code: str, message: str) -> tuple[int, dict[str, str], bytes]:
        status_, headers, data = self._json(status, {"error": {"code": code, "message": message}})
        if status == 403:
            headers["x-ms-failure-cause"] = "gateway"
        return status_, headers, data


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        fake: FakeArm = self.server.fake  # type: ignore[attr-defined]
        try:
            status, headers, body = fake.respond(
                self.command, self.path, {k.lower(): v for k, v in self.headers.items()}
            )
        except Exception as exc:  # a fake bug must surface as a readable 500, not a dropped connection
            status, headers, body = 500, {"Content-Type": "text/plain"}, f"fake ARM error: {exc!r}".encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request stderr log."""
