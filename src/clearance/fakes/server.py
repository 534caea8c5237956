"""The provider-neutral core of the project's HTTP fakes (ARM today, GCP next).

A provider fake subclasses :class:`FakeServer` and supplies the provider-specific parts: its error
body (:meth:`FakeServer.error`), its path normalisation (:meth:`FakeServer.normalize`, e.g. ARM is
case-insensitive) and its fallback answer (:meth:`FakeServer.handle`). Everything else lives here:

- lifecycle: ``FakeServer()`` binds ``127.0.0.1:0`` at once (``url`` is known before start);
  :meth:`start` serves in a daemon thread, :meth:`stop` shuts down; also a context manager.
  An ``ssl_context`` wraps the socket for HTTPS.
- route table: :meth:`route` ``(method, glob, handler)``; the first route whose method and glob
  (matched on the normalised path) fit answers; otherwise :meth:`handle` does.
- JSON responses: :meth:`json` builds a :class:`Response`; handlers may also raise
  :class:`FakeError`, which becomes the provider's error body via :meth:`error`.
- paging: :meth:`paginate` slices a list and returns an opaque next-page token (base64 with
  ``+``/``/``/``=`` so clients must percent-encode it); the token name and page shape are the
  provider's (``$skiptoken``/``nextLink`` for ARM, ``pageToken``/``nextPageToken`` for GCP).
- request log: every request is appended to :attr:`requests` as a :class:`Recorded` before it is
  answered; :meth:`calls` filters it.
- fault injection: :meth:`fail` answers matching requests with an error before any route runs.

The whole request path is :meth:`respond` (transport-agnostic), so a fake can also be driven
without sockets.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import json
import ssl
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, unquote, urlsplit

_TOKEN_PREFIX = b"\xfb\xef\xbe"  # base64 "++++": every token exercises '+' encoding


@dataclass(frozen=True)
class Recorded:
    """One request as the fake received it (path unquoted with its original casing, header names lower-case)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""


@dataclass(frozen=True)
class Response:
    """What the fake answers: status, headers and the encoded body."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class FakeError(Exception):
    """Raised by a handler to answer with the provider's error body (see :meth:`FakeServer.error`)."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


Handler = Callable[[Recorded], Response]


@dataclass(frozen=True)
class _Route:
    method: str
    pattern: str
    handler: Handler


@dataclass(frozen=True)
class _Failure:
    pattern: str
    status: int
    code: str
    message: str
    method: str | None


class LoopbackThread:
    """A ThreadingHTTPServer on 127.0.0.1 served from a daemon thread; a context manager.

    Subclasses set ``_server`` and ``_thread`` in their ``__init__``.
    """

    _server: ThreadingHTTPServer
    _thread: threading.Thread

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


class FakeServer(LoopbackThread):
    """A threaded loopback HTTP server answering from a route table; subclass per provider."""

    denied_code = "PermissionDenied"  # the error code :meth:`fail` uses by default
    request_id_header = "x-request-id"  # a fresh uuid in every JSON answer, as real control planes send

    def __init__(self, *, page_size: int = 100, ssl_context: ssl.SSLContext | None = None):
        self.page_size = page_size
        self.requests: list[Recorded] = []
        self.lock = threading.Lock()
        self._routes: list[_Route] = []
        self._failures: list[_Failure] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self  # type: ignore[attr-defined]
        scheme = "http"
        if ssl_context is not None:
            self._server.socket = ssl_context.wrap_socket(self._server.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # -- configuration ---------------------------------------------------------------------
    def route(self, method: str, pattern: str, handler: Handler) -> None:
        """Answer ``method`` requests whose normalised path matches the glob ``pattern`` with ``handler``."""
        with self.lock:
            self._routes.append(_Route(method.upper(), self.normalize(pattern), handler))

    def fail(
        self,
        pattern: str,
        status: int = 403,
        code: str | None = None,
        message: str | None = None,
        *,
        method: str | None = None,
    ) -> None:
        """Answer requests whose normalised path matches the glob ``pattern`` with an error (all methods by default)."""
        error_code = code or self.denied_code
        text = message or f"fake: {error_code} for {pattern}"
        with self.lock:
            self._failures.append(_Failure(self.normalize(pattern), status, error_code, text, method))

    def calls(self, fragment: str = "", method: str = "GET") -> list[Recorded]:
        """Recorded requests of ``method`` whose path contains ``fragment`` (case-insensitive)."""
        low = fragment.lower()
        return [r for r in self.requests if r.method == method and low in r.path.lower()]

    # -- provider hooks --------------------------------------------------------------------
    def normalize(self, path: str) -> str:
        """The form paths and patterns are matched in; ARM overrides it to ignore case."""
        return unquote(path).rstrip("/")

    def error(self, status: int, code: str, message: str) -> Response:
        """The provider's error body; the default is ``{"error": {"code", "message"}}``."""
        return self.json(status, {"error": {"code": code, "message": message}})

    def handle(self, request: Recorded) -> Response:
        """The answer when no route matched."""
        return self.error(404, "NotFound", f"the fake has no route for {request.method} {request.path}")

    # -- helpers for handlers --------------------------------------------------------------
    def json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
        data = json.dumps(body, ensure_ascii=False).encode()
        base = {"Content-Type": "application/json; charset=utf-8", self.request_id_header: str(uuid.uuid4())}
        return Response(status, base | (headers or {}), data)

    def paginate(self, items: list[Any], token: str | None, size: int | None = None) -> tuple[list[Any], str | None]:
        """The page of ``items`` that ``token`` (None: the first) points at, and the next page's token or None.

        ``size`` is the page size the client asked for (GCP ``maxResults``/``pageSize``), else :attr:`page_size`.
        """
        start = _offset(token) if token else 0
        end = start + (size or self.page_size)
        return items[start:end], (_token(end) if end < len(items) else None)

    # -- the transport-agnostic core -------------------------------------------------------
    def respond(self, method: str, target: str, headers: dict[str, str], body: bytes = b"") -> Response:
        """Record the request, then answer it: injected failure, else the first matching route, else :meth:`handle`."""
        parts = urlsplit(target)
        path = unquote(parts.path)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        request = Recorded(method, path, query, dict(headers), body)
        with self.lock:
            self.requests.append(request)
            failures = list(self._failures)
            routes = list(self._routes)
        key = self.normalize(path)
        for failure in failures:
            if (failure.method is None or failure.method == method) and fnmatch.fnmatchcase(key, failure.pattern):
                return self.error(failure.status, failure.code, failure.message)
        try:
            for route in routes:
                if route.method == method and fnmatch.fnmatchcase(key, route.pattern):
                    return route.handler(request)
            return self.handle(request)
        except FakeError as exc:
            return self.error(exc.status, exc.code, exc.message)


def _token(offset: int) -> str:
    return base64.b64encode(_TOKEN_PREFIX + str(offset).encode()).decode()


def _offset(token: str) -> int:
    try:
        raw = base64.b64decode(token, validate=True)
        if not raw.startswith(_TOKEN_PREFIX):
            raise ValueError(token)
        return int(raw[len(_TOKEN_PREFIX) :].decode())
    except (binascii.Error, ValueError) as exc:
        raise FakeError(400, "InvalidPageToken", f"the fake cannot read page token {token!r}") from exc


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: without this, each answer waits ~40 ms

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        fake: FakeServer = self.server.fake  # type: ignore[attr-defined]
        try:
            answer = fake.respond(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        except Exception as exc:  # a fake bug must surface as a readable 500, not a dropped connection
            answer = Response(500, {"Content-Type": "text/plain"}, f"fake server error: {exc!r}".encode())
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request stderr log."""
