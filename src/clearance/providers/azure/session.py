"""Credentials and azure-mgmt clients: the one seam for endpoints, credentials and pipeline options.

Production passes nothing and gets ``DefaultAzureCredential`` against ``management.azure.com``
with azure-core's default retries. Tests pass ``base_url`` (the project's fake ARM server),
a fake credential and client kwargs (``retry_total=0``, a policy allowing plain http).
The Azure SDKs are imported lazily, only when a client is built.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from ...errors import CredentialsError, UsageError

USER_AGENT = "clearance/0.1"
OPERATION_KEY = "clearance_operation"
"""Per-call keyword naming the REST operation id; the read-only policy moves it into the request context."""
ARM_SCOPE = "https://management.azure.com/.default"

# service -> (module, client class, takes a subscription id)
CLIENTS: dict[str, tuple[str, str, bool]] = {
    "subscriptions": ("azure.mgmt.resource.subscriptions", "SubscriptionClient", False),
    "managementgroups": ("azure.mgmt.managementgroups", "ManagementGroupsMgmtClient", False),
    "resources": ("azure.mgmt.resource.resources", "ResourceManagementClient", True),
    "authorization": ("azure.mgmt.authorization", "AuthorizationManagementClient", True),
    "storage": ("azure.mgmt.storage", "StorageManagementClient", True),
    "keyvault": ("azure.mgmt.keyvault", "KeyVaultManagementClient", True),
    "sql": ("azure.mgmt.sql", "SqlManagementClient", True),
    "network": ("azure.mgmt.network", "NetworkManagementClient", True),
    "monitor": ("azure.mgmt.monitor", "MonitorManagementClient", True),
    "loganalytics": ("azure.mgmt.loganalytics", "LogAnalyticsManagementClient", True),
    "cognitiveservices": ("azure.mgmt.cognitiveservices", "CognitiveServicesManagementClient", True),
    "web": ("azure.mgmt.web", "WebSiteManagementClient", True),
    "compute": ("azure.mgmt.compute", "ComputeManagementClient", True),
}


def default_credential() -> Any:
    """The standard Azure credential chain (environment, workload/managed identity, Azure CLI, ...)."""
    try:
        from azure.identity import DefaultAzureCredential
    except ImportError:
        raise UsageError("Azure scanning needs the 'azure' extra: pip install 'clearance[azure]'") from None
    return DefaultAzureCredential()


def check_credential(credential: Any) -> None:
    """Fail fast (CredentialsError) when no ARM token can be obtained, before any unit starts."""
    try:
        credential.get_token(ARM_SCOPE)
    except Exception as exc:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CredentialsError(f"cannot obtain an Azure Resource Manager token: {text[:300]}") from None


def make_azure_client(
    cls: Any,
    subscription_id: str | None = None,
    *,
    credential: Any,
    base_url: str | None = None,
    **client_kwargs: Any,
) -> Any:
    """Build one azure-mgmt client; ``base_url`` replaces ``https://management.azure.com``."""
    kwargs = dict(client_kwargs)
    if base_url is not None:
        kwargs["base_url"] = base_url
    if subscription_id is None:
        return cls(credential, **kwargs)
    return cls(credential, subscription_id, **kwargs)


@dataclass(frozen=True)
class ClientSettings:
    """What every client of a scan shares: the credential and the endpoint/pipeline seam."""

    credential: Any
    base_url: str | None = None
    client_kwargs: Mapping[str, Any] = field(default_factory=dict)
    read_only_posts: frozenset[str] = frozenset()
    """REST operation ids of the few POSTs that only read (none today); every other non-GET is refused."""
    max_connections: int = 16
    """HTTP connections kept per client and host: the scan's concurrency, so threads do not queue or churn."""


class AzureSession:
    """Clients for one subscription (or the tenant, for subscription and management-group calls).

    Clients are built once per service and shared by threads; each carries the read-only
    guard and the call-log policy, in front of any policies the caller added.
    """

    def __init__(self, settings: ClientSettings, subscription: str, sink: Callable[[dict[str, Any]], None]):
        self.settings = settings
        self.subscription = subscription
        self.sink = sink
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    def client(self, service: str) -> Any:
        with self._lock:
            client = self._clients.get(service)
            if client is None:
                client = self._clients[service] = self._build(service)
            return client

    def _build(self, service: str) -> Any:
        from .policies import CallLogPolicy, ReadOnlyPolicy

        module, name, per_subscription = CLIENTS[service]
        cls = getattr(import_module(module), name)
        kwargs = dict(self.settings.client_kwargs)
        extra = list(kwargs.pop("per_call_policies", []))
        kwargs["per_call_policies"] = [
            ReadOnlyPolicy(self.settings.read_only_posts),
            CallLogPolicy(self.subscription, service, self.sink),
            *extra,
        ]
        kwargs.setdefault("user_agent", USER_AGENT)
        if "transport" not in kwargs:
            kwargs["transport"] = _transport(self.settings.max_connections, kwargs)
        return make_azure_client(
            cls,
            self.subscription if per_subscription else None,
            credential=self.settings.credential,
            base_url=self.settings.base_url,
            **kwargs,
        )


def _transport(max_connections: int, client_kwargs: Mapping[str, Any]) -> Any:
    """azure-core's requests transport with a connection pool as large as the scan's concurrency.

    The client kwargs go to the transport too: a client given its own transport no longer applies
    ``connection_verify``, ``connection_timeout`` and the like itself. ``use_env_settings`` is applied
    here because azure-core sets it only on sessions it creates itself.
    """
    import requests
    from azure.core.pipeline.transport import RequestsTransport

    session = requests.Session()
    session.trust_env = bool(client_kwargs.get("use_env_settings", True))
    adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=max(10, max_connections))
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return RequestsTransport(**{**client_kwargs, "session": session, "session_owner": True})
