"""Credentials and Google API clients: the one seam for endpoints, credentials and client options.

Client choice: every API is called through **google-api-python-client discovery clients built from
the discovery documents shipped inside that package** (``static_discovery``: no network, no
discovery fetch), over google-auth's ``AuthorizedSession``. Why not the google-cloud-* GAPIC clients:

- clearance stores each REST answer **as received**; the discovery client hands back the JSON body
  itself, whereas GAPIC clients parse it into protobuf messages (unknown fields dropped, enums and
  int64 re-encoded), so the stored evidence would be a re-serialisation;
- one client family covers all ten APIs. Several have no usable GAPIC REST client (Cloud SQL Admin,
  Access Context Manager, the Logging config service is gRPC-only: offline-testing.md G1), and
  google-cloud-aiplatform alone is over 100 MB;
- the discovery document fixes each method's URL template and HTTP verb, so the read-only guard
  checks Google's own declaration, and the same transport carries every call (one guard, one call log);
- footprint: about 110 MB installed and 0.35 s to import, against about 300 MB and 1.6 s for the
  GAPIC set plus the discovery client it would still need.

Production passes nothing: Application Default Credentials, the endpoints of the discovery
documents (Vertex AI at its regional ``{region}-aiplatform.googleapis.com``), three retries with
backoff. Tests pass credentials, an ``api_endpoint`` template pointing at the project's fake
(``http://127.0.0.1:PORT/{host}/``: the production host becomes the first path segment) and
``{"num_retries": 0}``. The Google libraries are imported lazily, only when a scan runs.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from ...errors import CredentialsError, UsageError

SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)
"""The scope every API accepts; read-only access comes from the custom role and the transport guard."""
DEFAULT_ENDPOINT = "https://{host}/"
EXTRA_HINT = "GCP scanning needs the 'gcp' extra: pip install 'clearance[gcp]'"


@dataclass(frozen=True)
class Api:
    """A Google API as clearance calls it: its discovery document and whether its endpoint is regional."""

    name: str
    version: str
    regional: bool = False


APIS: dict[str, Api] = {
    "cloudresourcemanager": Api("cloudresourcemanager", "v3"),
    "orgpolicy": Api("orgpolicy", "v2"),
    "storage": Api("storage", "v1"),
    "cloudkms": Api("cloudkms", "v1"),
    "sqladmin": Api("sqladmin", "v1"),
    "compute": Api("compute", "v1"),
    "logging": Api("logging", "v2"),
    "aiplatform": Api("aiplatform", "v1", regional=True),
    "iam": Api("iam", "v1"),
    "accesscontextmanager": Api("accesscontextmanager", "v1"),
}


@cache
def discovery_document(api: str) -> dict[str, Any]:
    """The discovery document shipped with google-api-python-client (parsed once per process)."""
    from googleapiclient.discovery_cache import get_static_doc

    spec = APIS[api]
    text = get_static_doc(spec.name, spec.version)
    if text is None:
        raise UsageError(f"google-api-python-client ships no discovery document for {spec.name} {spec.version}")
    doc: dict[str, Any] = json.loads(text)
    return doc


def api_host(api: str, region: str | None = None) -> str:
    """The production host of ``api``; regional APIs get ``{region}-`` in front (not for ``global``)."""
    host = urlsplit(str(discovery_document(api)["rootUrl"])).netloc
    if APIS[api].regional and region and region != "global":
        return f"{region}-{host}"
    return host


def endpoint(template: str, api: str, region: str | None = None) -> str:
    """The client's base URL: the endpoint template for the API's host, plus the API's service path."""
    base = template.format(host=api_host(api, region))
    return base.rstrip("/") + "/" + str(discovery_document(api)["servicePath"])


@dataclass(frozen=True)
class ClientSettings:
    """The endpoint/credential seam and the client options every client of a scan shares."""

    credentials: Any
    api_endpoint: str = DEFAULT_ENDPOINT
    """URL template with ``{host}`` (the production host, e.g. ``cloudkms.googleapis.com``)."""
    num_retries: int = 3
    """Retries of 429/5xx answers and connection faults, with backoff (googleapiclient's own)."""
    timeout: float = 60.0
    verify: bool | str = True
    """TLS verification: True, False, or a CA bundle path."""
    read_only_posts: frozenset[str] = frozenset()
    max_connections: int = 16
    trust_env: bool = True
    """Take proxies (``HTTPS_PROXY``, ``NO_PROXY``) and ``.netrc`` from the environment, as requests does;
    False for a loopback emulator, whose traffic must never be sent to a proxy."""


CLIENT_OPTIONS: dict[str, type | tuple[type, ...]] = {
    "num_retries": int,
    "timeout": (int, float),
    "verify": (bool, str),
    "trust_env": bool,
}


def client_settings(
    credentials: Any,
    api_endpoint: str | None,
    client_options: Mapping[str, Any],
    read_only_posts: frozenset[str],
    max_connections: int,
) -> ClientSettings:
    """Validate the client options (``num_retries``, ``timeout``, ``verify``, ``trust_env``) into settings."""
    for key, value in client_options.items():
        expected = CLIENT_OPTIONS.get(key)
        if expected is None:
            raise UsageError(f"unknown GCP client option {key!r} (known: {sorted(CLIENT_OPTIONS)})")
        if not isinstance(value, expected):
            raise UsageError(f"GCP client option {key!r}: unexpected value {value!r}")
    template = api_endpoint or DEFAULT_ENDPOINT
    if "{host}" not in template:
        raise UsageError(f"GCP api_endpoint {template!r} must contain '{{host}}'")
    return ClientSettings(
        credentials,
        template,
        int(client_options.get("num_retries", 3)),
        float(client_options.get("timeout", 60.0)),
        client_options.get("verify", True),
        read_only_posts,
        max_connections,
        client_options.get("trust_env", True),
    )


def default_credentials() -> Any:
    """Application Default Credentials (environment, gcloud user, workload identity, metadata server)."""
    try:
        import google.auth
        from google.auth.exceptions import DefaultCredentialsError
    except ImportError:
        raise UsageError(EXTRA_HINT) from None
    try:
        credentials, _ = google.auth.default(scopes=list(SCOPES))
    except DefaultCredentialsError as exc:
        raise CredentialsError(f"no Google Application Default Credentials: {str(exc)[:300]}") from None
    return credentials


def check_credentials(credentials: Any) -> None:
    """Fail fast (CredentialsError) when no access token can be obtained, before any unit starts."""
    from google.auth.transport.requests import Request

    try:
        if not credentials.valid:
            credentials.refresh(Request())
    except Exception as exc:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CredentialsError(f"cannot obtain a Google access token: {text[:300]}") from None


def open_channel(settings: ClientSettings, sink: Callable[[dict[str, Any]], None]) -> Any:
    """The scan's shared transport: one authorized, pooled session behind the guard and call log."""
    import requests
    from google.auth.transport.requests import AuthorizedSession

    from .transport import Channel

    session = AuthorizedSession(settings.credentials)  # type: ignore[no-untyped-call]
    session.trust_env = settings.trust_env
    adapter = requests.adapters.HTTPAdapter(pool_connections=8, pool_maxsize=max(10, settings.max_connections))
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return Channel(session, settings.read_only_posts, sink, settings.timeout, settings.verify)


class GcpSession:
    """Discovery clients for one project, built once per (API, endpoint) and shared by threads.

    Each client's own http object is a :class:`~.transport.GuardedHttp` bound to no operation, so
    anything executed outside the unit may only GET; the unit binds each call to its operation.
    """

    def __init__(self, settings: ClientSettings, channel: Any, project: str):
        self.settings = settings
        self.channel = channel
        self.project = project
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def client(self, api: str, region: str | None = None) -> Any:
        url = endpoint(self.settings.api_endpoint, api, region)
        with self._lock:
            client = self._clients.get((api, url))
            if client is None:
                client = self._clients[(api, url)] = self._build(api, url)
            return client

    def http(self, api: str) -> Any:
        from .transport import GuardedHttp

        return GuardedHttp(self.channel, self.project, api, APIS[api].version)

    def _build(self, api: str, url: str) -> Any:
        from googleapiclient.discovery import build_from_document

        return build_from_document(discovery_document(api), http=self.http(api), client_options={"api_endpoint": url})
