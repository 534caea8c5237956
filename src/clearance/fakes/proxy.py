"""A latency-injecting, request-counting, fault-injecting HTTP proxy in front of one upstream server.

Benchmarks and tests put it between the scanner and an emulator (moto's server) with ``endpoint_url`` pointing
at :attr:`LatencyProxy.url`, so what a real cloud costs and does to a scan can be measured and reproduced:

- **latency**: every request is held ``latency_ms`` before it is answered (30 ms by default, a typical
  same-continent round trip), so wall time is dominated by round trips divided by concurrency, as against AWS;
- **counting**: every request is classified as a :class:`Call` (service, operation, region, wire protocol) and
  counted per (service, operation), with the upstream's HTTP status and the faults injected
  (:meth:`LatencyProxy.stats`);
- **faults**: a :class:`FaultPlan` answers a share of requests itself, in the service's own wire shape, so the
  SDK's real parser and retry logic run. Today's kind is throttling (:data:`THROTTLE`); the plan is a list of
  :class:`Fault` rules so other kinds (5xx, connection resets, truncated bodies) slot in later;
- **emulator 500s**: moto answers operations it does not implement with a bare HTTP 500, which SDKs retry
  with back-off as if it were transient. ``unimplemented_as_501`` turns such an answer into a 501
  ``NotImplemented`` error in the protocol's shape, which no SDK retries, and counts it.

Requests are classified from what AWS SDKs send: the SigV4 credential scope (region, signing name), then the
``X-Amz-Target`` header (JSON protocols), the ``Action`` parameter (query and EC2 protocols), the
``/service/*/operation/*`` path (Smithy RPC v2 CBOR), or the REST routes of the service's botocore model
(S3, Lambda, Bedrock...). Unsigned requests count under service ``unsigned``. Another classifier can be
passed for other clouds' fakes. Listens on loopback only.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .server import LoopbackThread

THROTTLE = "throttle"
"""Fault kind: answer with the service's throttling error (retryable by every AWS SDK)."""

_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "expect"}
)
_CREDENTIAL = re.compile(r"Credential=[^/,\s]+/\d{8}/([^/,\s]+)/([^/,\s]+)/aws4_request")
_RPC_V2_PATH = re.compile(r"^/service/[^/]+/operation/([^/?]+)")
_SIGNING_ALIASES: Mapping[str, tuple[str, ...]] = {
    "elasticloadbalancing": ("elbv2", "elb"),
    "monitoring": ("cloudwatch",),
    "s3": ("s3", "s3control"),
    "email": ("sesv2", "ses"),
}
"""SigV4 signing names that are not the botocore client name, or are shared by several clients."""
_GENERIC_500 = b"<title>500 Internal Server Error</title>"
"""What moto's server (Flask/Werkzeug) answers when an operation raises NotImplementedError."""


@dataclass(frozen=True)
class Request:
    """One request as the proxy received it (header names lower-case, raw path and query)."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes

    @cached_property
    def params(self) -> dict[str, str]:
        """Query-string parameters, plus form-encoded body parameters (the AWS query protocol)."""
        pairs = parse_qs(self.query, keep_blank_values=True)
        if self.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            pairs |= parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {k: v[0] for k, v in pairs.items()}


@dataclass(frozen=True)
class Call:
    """What a request asks for: the service (botocore client name), operation, region and wire protocol."""

    service: str
    operation: str
    region: str = ""
    protocol: str = "plain"
    """botocore protocol name (``json``, ``rest-json``, ``rest-xml``, ``query``, ``ec2``,
    ``smithy-rpc-v2-cbor``) or ``plain`` for requests that are not AWS's."""


Classifier = Callable[[Request], Call]


@dataclass(frozen=True)
class _Route:
    method: str
    pattern: re.Pattern[str]
    query: tuple[tuple[str, str | None], ...]
    operation: str
    weight: tuple[int, int, bool]
    """Literal path characters, literal query parameters, not deprecated: the most specific route wins."""


def _compile_route(method: str, request_uri: str, operation: str, deprecated: bool) -> _Route:
    path, _, query = request_uri.partition("?")
    regex, literal = "", 0
    for part in re.split(r"(\{[^}]+\})", path):
        if part.startswith("{"):
            regex += ".+" if part.endswith("+}") else "[^/]+"
        else:
            regex += re.escape(part)
            literal += len(part)
    required = tuple((k, v or None) for k, _, v in (item.partition("=") for item in query.split("&") if item))
    return _Route(method, re.compile(f"^{regex}/?$"), required, operation, (literal, len(required), not deprecated))


class AwsClassifier:
    """Classifies AWS SDK requests with botocore's service models (loaded lazily, once per service)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._models: dict[str, Any] = {}
        self._routes: dict[str, list[_Route]] = {}

    def __call__(self, request: Request) -> Call:
        scope = _CREDENTIAL.search(request.headers.get("authorization", "")) or _CREDENTIAL.search(
            "Credential=" + request.params.get("X-Amz-Credential", "")
        )
        if scope is None:
            return Call("unsigned", f"{request.method} {request.path}")
        region, signing = scope.group(1), scope.group(2)
        models = [m for name in _SIGNING_ALIASES.get(signing, (signing,)) if (m := self._model(name)) is not None]
        if not models:
            return Call(signing, "unknown", region)
        target = request.headers.get("x-amz-target")
        if target:
            prefix, _, operation = target.rpartition(".")
            model = next((m for m in models if m.metadata.get("targetPrefix") == prefix), models[0])
            return Call(model.service_name, operation, region, "json")
        rpc = _RPC_V2_PATH.match(request.path)
        if rpc and request.headers.get("smithy-protocol") == "rpc-v2-cbor":
            return Call(models[0].service_name, rpc.group(1), region, "smithy-rpc-v2-cbor")
        action = request.params.get("Action")
        if action:
            version = request.params.get("Version")
            model = next((m for m in models if m.api_version == version), models[0])
            return Call(model.service_name, action, region, str(model.protocol))
        return self._rest(request, models, region)

    def _rest(self, request: Request, models: Sequence[Any], region: str) -> Call:
        query = parse_qs(request.query, keep_blank_values=True)
        best: tuple[tuple[int, int, bool], Any, str] | None = None
        for model in models:
            for route in self._service_routes(model):
                if route.method != request.method or not route.pattern.match(request.path):
                    continue
                if any(k not in query or (v is not None and query[k][0] != v) for k, v in route.query):
                    continue
                if best is None or route.weight > best[0]:
                    best = (route.weight, model, route.operation)
        if best is None:
            return Call(models[0].service_name, f"{request.method} {request.path}", region, str(models[0].protocol))
        return Call(best[1].service_name, best[2], region, str(best[1].protocol))

    def _model(self, name: str) -> Any:
        with self._lock:
            if name not in self._models:
                import botocore.session
                from botocore.exceptions import UnknownServiceError

                try:
                    self._models[name] = botocore.session.get_session().get_service_model(name)
                except UnknownServiceError:
                    self._models[name] = None
            return self._models[name]

    def _service_routes(self, model: Any) -> list[_Route]:
        name = str(model.service_name)
        with self._lock:
            if name not in self._routes:
                routes = []
                for op in model.operation_names:
                    operation = model.operation_model(op)
                    spec = operation.http
                    method, uri = spec.get("method", "POST"), spec.get("requestUri", "/")
                    routes.append(_compile_route(method, uri, op, bool(operation.deprecated)))
                self._routes[name] = routes
            return self._routes[name]


# -- answers the proxy makes itself -------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


_THROTTLE_CODES: Mapping[str, tuple[int, str]] = {
    "json": (400, "ThrottlingException"),
    "rest-json": (429, "ThrottlingException"),
    "smithy-rpc-v2-cbor": (400, "ThrottlingException"),
    "query": (400, "Throttling"),
    "ec2": (503, "RequestLimitExceeded"),
    "rest-xml": (503, "SlowDown"),
    "plain": (429, "TooManyRequests"),
}
"""Status and error code each protocol's services answer when they throttle (Lambda: see below)."""
_SERVICE_THROTTLE_CODES: Mapping[str, tuple[int, str]] = {"lambda": (429, "TooManyRequestsException")}


def _cbor_map(items: Mapping[str, str]) -> bytes:
    """A CBOR map of short text strings (all an RPC v2 CBOR error body needs)."""

    def text(value: str) -> bytes:
        data = value.encode()
        if len(data) < 24:
            return bytes([0x60 + len(data)]) + data
        return bytes([0x79]) + len(data).to_bytes(2, "big") + data

    return bytes([0xA0 + len(items)]) + b"".join(text(k) + text(v) for k, v in items.items())


def error_answer(call: Call, status: int, code: str, message: str) -> Answer:
    """An error in the wire shape of ``call``'s protocol, so the SDK parses ``code`` from it."""
    request_id = str(uuid.uuid4())
    headers = {"x-amzn-RequestId": request_id, "x-amz-request-id": request_id}
    if call.protocol in ("json", "rest-json"):
        body = json.dumps({"__type": code, "message": message}).encode()
        return Answer(status, headers | {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": code}, body)
    if call.protocol == "smithy-rpc-v2-cbor":
        cbor = {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"}
        return Answer(status, headers | cbor, _cbor_map({"__type": code, "message": message}))
    if call.protocol == "query":
        xml = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return Answer(status, headers | {"Content-Type": "text/xml"}, xml.encode())
    if call.protocol == "ec2":
        xml = (
            f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>"
            f"<RequestID>{request_id}</RequestID></Response>"
        )
        return Answer(status, headers | {"Content-Type": "text/xml"}, xml.encode())
    if call.protocol == "rest-xml":
        xml = f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{request_id}</RequestId></Error>"
        return Answer(status, headers | {"Content-Type": "application/xml"}, xml.encode())
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    return Answer(status, headers | {"Content-Type": "application/json", "Retry-After": "1"}, body)


def throttle_answer(call: Call) -> Answer:
    """The throttling error ``call``'s service answers (``ThrottlingException``, ``Throttling``, ``SlowDown``...)."""
    status, code = _SERVICE_THROTTLE_CODES.get(call.service) or _THROTTLE_CODES.get(call.protocol, (429, "Throttling"))
    return error_answer(call, status, code, "Rate exceeded (injected by clearance's test proxy)")


# -- fault injection ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """Answer ``share`` (0..1) of the matching requests with a fault of ``kind``; ``services`` None matches all."""

    kind: str
    share: float
    services: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.kind != THROTTLE:
            raise ValueError(f"unknown fault kind {self.kind!r} (known: {THROTTLE})")
        if not 0.0 <= self.share <= 1.0:
            raise ValueError(f"fault share must be between 0 and 1, not {self.share}")

    def matches(self, call: Call) -> bool:
        return self.services is None or call.service in self.services


@dataclass
class FaultPlan:
    """Which requests get a fault: a pure function of (seed, request content, how often it was seen before).

    Deterministic however requests interleave: the n-th arrival of the same request (method, path, query, body,
    service, operation, region; not the signature or credentials) always gets the same decision for a seed.
    ``max_in_a_row`` caps the faults one request content gets consecutively, so a client that retries at least
    that many times always gets through (None: no cap).
    """

    faults: Sequence[Fault]
    seed: int = 0
    max_in_a_row: int | None = None
    _seen: dict[bytes, int] = field(default_factory=dict, init=False, repr=False)
    _in_a_row: dict[bytes, int] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def decide(self, request: Request, call: Call) -> Fault | None:
        key = hashlib.sha256(
            "\0".join((request.method, request.path, request.query, call.service, call.operation, call.region)).encode()
            + b"\0"
            + request.body
        ).digest()
        with self._lock:
            nth = self._seen.get(key, 0)
            self._seen[key] = nth + 1
            if self.max_in_a_row is not None and self._in_a_row.get(key, 0) >= self.max_in_a_row:
                self._in_a_row[key] = 0
                return None
            chosen = None
            for index, fault in enumerate(self.faults):
                digest = hashlib.sha256(b"%d:%d:%d:" % (self.seed, index, nth) + key).digest()
                if fault.matches(call) and int.from_bytes(digest[:8], "big") < fault.share * 2**64:
                    chosen = fault
                    break
            self._in_a_row[key] = self._in_a_row.get(key, 0) + 1 if chosen else 0
            return chosen


# -- the proxy ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProxyStats:
    """A consistent snapshot of the proxy's counters."""

    requests: Counter[tuple[str, str]]
    """(service, operation) -> requests received (answered by the upstream or by an injected fault)."""
    statuses: Counter[tuple[str, str, int]]
    """(service, operation, HTTP status) -> answers sent."""
    injected: Counter[tuple[str, str, str]]
    """(service, operation, fault kind) -> faults injected."""
    unimplemented: Counter[tuple[str, str]]
    """(service, operation) -> upstream 500s answered as 501 NotImplemented."""

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    def by_service(self) -> Counter[str]:
        out: Counter[str] = Counter()
        for (service, _), n in self.requests.items():
            out[service] += n
        return out


class LatencyProxy(LoopbackThread):
    """A threaded loopback reverse proxy to ``upstream`` (``http://host:port``); also a context manager."""

    def __init__(
        self,
        upstream: str,
        *,
        latency_ms: float = 30.0,
        faults: FaultPlan | None = None,
        unimplemented_as_501: bool = False,
        classify: Classifier | None = None,
        port: int = 0,
    ):
        parts = urlsplit(upstream)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"upstream must be an http://host:port URL, not {upstream!r}")
        self.upstream = (parts.hostname, parts.port or 80)
        self.latency = latency_ms / 1000.0
        self.faults = faults
        self.unimplemented_as_501 = unimplemented_as_501
        self.classify: Classifier = classify or AwsClassifier()
        self._lock = threading.Lock()
        self._requests: Counter[tuple[str, str]] = Counter()
        self._statuses: Counter[tuple[str, str, int]] = Counter()
        self._injected: Counter[tuple[str, str, str]] = Counter()
        self._unimplemented: Counter[tuple[str, str]] = Counter()
        self._local = threading.local()
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.proxy = self  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # -- counters --------------------------------------------------------------------------
    def stats(self) -> ProxyStats:
        with self._lock:
            return ProxyStats(
                Counter(self._requests), Counter(self._statuses), Counter(self._injected), Counter(self._unimplemented)
            )

    def reset_stats(self) -> None:
        with self._lock:
            for counter in (self._requests, self._statuses, self._injected, self._unimplemented):
                counter.clear()

    # -- the request path ------------------------------------------------------------------
    def handle(self, request: Request) -> Answer:
        """Classify and count ``request``, wait the latency, then answer it (fault, or the upstream's answer)."""
        call = self.classify(request)
        key = (call.service, call.operation)
        with self._lock:
            self._requests[key] += 1
        started = time.monotonic()
        fault = self.faults.decide(request, call) if self.faults is not None else None
        if fault is not None:
            answer = throttle_answer(call)
            with self._lock:
                self._injected[(*key, fault.kind)] += 1
        else:
            answer = self._forward(request)
            if self.unimplemented_as_501 and answer.status == 500 and _GENERIC_500 in answer.body:
                message = f"the emulator does not implement {call.service}:{call.operation}"
                answer = error_answer(call, 501, "NotImplemented", message)
                with self._lock:
                    self._unimplemented[key] += 1
        with self._lock:
            self._statuses[(*key, answer.status)] += 1
        remaining = self.latency - (time.monotonic() - started)
        if remaining > 0:
            time.sleep(remaining)
        return answer

    def _connection(self, fresh: bool = False) -> http.client.HTTPConnection:
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is None or fresh:
            if conn is not None:
                conn.close()
            conn = http.client.HTTPConnection(*self.upstream, timeout=120)
            self._local.conn = conn
        return conn

    def _forward(self, request: Request) -> Answer:
        """Send ``request`` upstream on this thread's keep-alive connection (reconnecting once if it was closed)."""
        target = request.path + (f"?{request.query}" if request.query else "")
        for attempt in (0, 1):
            conn = self._connection(fresh=attempt == 1)
            try:
                conn.putrequest(request.method, target, skip_host=True, skip_accept_encoding=True)
                for name, value in request.headers.items():
                    if name not in _HOP_BY_HOP and name != "content-length":
                        conn.putheader(name, value)
                conn.putheader("Content-Length", str(len(request.body)))
                conn.endheaders(request.body)
                response = conn.getresponse()
                body = response.read()
            except (ConnectionError, http.client.HTTPException):  # a keep-alive connection the upstream closed
                if attempt == 1:
                    raise
                continue
            headers = {k: v for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP}
            if response.will_close:
                conn.close()
                self._local.conn = None
            return Answer(response.status, headers, body)
        raise AssertionError("unreachable")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # a scan opens up to max_workers connections at once


def _read_chunked(rfile: Any) -> bytes:
    out = bytearray()
    while True:
        size = int(rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while rfile.readline().strip():  # trailers
                pass
            return bytes(out)
        out += rfile.read(size)
        rfile.readline()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def _serve(self) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = _read_chunked(self.rfile)
        else:
            length = int(headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
        path, _, query = self.path.partition("?")
        proxy: LatencyProxy = self.server.proxy  # type: ignore[attr-defined]
        try:
            answer = proxy.handle(Request(self.command, path, query, headers, body))
        except Exception as exc:  # a proxy or upstream failure must reach the client as a readable 502
            answer = Answer(502, {"Content-Type": "text/plain"}, f"proxy error: {exc!r}".encode())
        self.send_response(answer.status)
        head = self.command == "HEAD"  # keeps the upstream's Content-Length, sends no body
        for name, value in answer.headers.items():
            if head or name.lower() != "content-length":
                self.send_header(name, value)
        if not head:
            self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if not head:
            self.wfile.write(answer.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request stderr log."""
