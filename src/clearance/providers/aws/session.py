"""boto3 sessions and clients for one account: retries, rate limits, endpoint seam, read-only guard.

boto3 is imported here and only here (lazily, from the provider), so ``clearance --help``
never pays for it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ...errors import CredentialsError, ReadOnlyViolation
from ..ratelimit import RateLimiter, aws_limiter

if TYPE_CHECKING:
    import boto3

GLOBAL_REGION = "global"
USER_AGENT = "clearance/0.1"


def max_attempts() -> int:
    """Total attempts per call; tests lower it with CLEARANCE_AWS_MAX_ATTEMPTS."""
    raw = os.environ.get("CLEARANCE_AWS_MAX_ATTEMPTS", "8")
    try:
        return max(1, int(raw))
    except ValueError:
        return 8


def client_config(max_pool: int, endpoint_url: str | None) -> Any:
    """Retries in botocore's ``standard`` mode: jittered exponential back-off (1 s base for throttles, at most
    20 s), a retry quota per client. The send rate is paced and adapted by :mod:`clearance.providers.ratelimit`,
    which replaces the ``adaptive`` mode's per-client limiter (see there why)."""
    from botocore.config import Config

    return Config(
        retries={"mode": "standard", "total_max_attempts": max_attempts()},  # "max_attempts" counts retries only
        max_pool_connections=max(10, max_pool),
        connect_timeout=10,
        read_timeout=60,
        user_agent_extra=USER_AGENT,
        # Against a local emulator, account-prefixed host names (s3control) cannot resolve.
        inject_host_prefix=endpoint_url is None,
    )


def throttle_detector() -> Any:
    """``is_throttle(**needs_retry_kwargs)``: botocore's own test for a throttling answer (codes, 429, model)."""
    from botocore.retries.standard import RetryEventAdapter, ThrottlingErrorDetector

    return ThrottlingErrorDetector(RetryEventAdapter()).is_throttling_error


def unprefix_host(endpoint_url: str) -> Any:
    """A ``before-sign`` hook sending requests to ``endpoint_url``'s host itself, not ``<prefix>.<host>``.

    s3control's endpoint rules put the account id in front of even a custom endpoint's host name
    (``123456789012.127.0.0.1``), which no emulator's address resolves; the account id is also in a header.
    """
    host = urlsplit(endpoint_url).netloc

    def hook(request: Any, **_: Any) -> None:
        parts = urlsplit(request.url)
        if parts.netloc.endswith("." + host):
            request.url = parts._replace(netloc=host).geturl()

    return hook


class ReadOnlyGuard:
    """botocore event hook that refuses any operation outside the allow-list, before sending."""

    def __init__(self, allowed: Mapping[str, frozenset[str]]):
        self.allowed = allowed

    def __call__(self, service: str, model: Any, **_: Any) -> None:
        name = model.name
        if name not in self.allowed.get(service, frozenset()):
            raise ReadOnlyViolation(
                f"refused {service}:{name}: not in clearance's read-only allow-list (nothing was sent)"
            )

    def install(self, client: Any, service: str) -> None:
        def hook(model: Any, **kwargs: Any) -> None:
            self(service, model, **kwargs)

        client.meta.events.register_first("before-parameter-build", hook)


class AccountSession:
    """Clients for one account, created once per (service, region) and shared by threads."""

    def __init__(
        self,
        session: boto3.Session,
        account: str,
        partition: str,
        guard: ReadOnlyGuard,
        *,
        endpoint_url: str | None,
        max_pool: int,
        default_region: str,
        rates: RateLimiter | None = None,
    ):
        self.session = session
        self.account = account
        self.partition = partition
        self.guard = guard
        self.endpoint_url = endpoint_url
        self.default_region = default_region
        self.rates = rates if rates is not None else aws_limiter()
        self._config = client_config(max_pool, endpoint_url)
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def client(self, service: str, region: str) -> Any:
        real_region = self.default_region if region == GLOBAL_REGION else region
        key = (service, real_region)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self.session.client(
                    service,  # type: ignore[call-overload]
                    region_name=real_region,
                    endpoint_url=self.endpoint_url,
                    config=self._config,
                )
                self.guard.install(client, service)
                self.rates.install(client, self.account, real_region, service, throttle_detector())
                if self.endpoint_url and service == "s3control":
                    client.meta.events.register("before-sign", unprefix_host(self.endpoint_url))
                self._clients[key] = client
            return client


@cache
def _shared_loader() -> Any:
    """One botocore data loader (parsed service models, endpoint rules) for every session of the process.

    Each AssumeRole session is a new botocore session; with its own loader it would parse every service model
    again (about 60 MB per account for the services clearance reads), so an organisation scan's memory would
    grow with its accounts. Sharing the loader leaves about 10 MB per account (the clients themselves).
    """
    import botocore.session

    return botocore.session.get_session().get_component("data_loader")


def _botocore_session() -> Any:
    import botocore.session

    core = botocore.session.get_session()
    core.register_component("data_loader", _shared_loader())
    return core


def base_session(region: str | None) -> boto3.Session:
    import boto3

    return boto3.Session(botocore_session=_botocore_session(), region_name=region)


def assume_role_session(source: AccountSession, account: str, role_name: str, external_id: str | None) -> boto3.Session:
    """A session with credentials of ``role_name`` in ``account`` (STS AssumeRole), renewed before they expire.

    Role credentials last an hour; an organisation-wide scan can take longer, so botocore refreshes them
    (a new AssumeRole) when they are about to expire instead of failing the rest of the account's calls.
    """
    import boto3
    from botocore.credentials import RefreshableCredentials

    sts = source.client("sts", source.default_region)
    params: dict[str, Any] = {
        "RoleArn": f"arn:{source.partition}:iam::{account}:role/{role_name}",
        "RoleSessionName": "clearance-scan",
        "DurationSeconds": 3600,
    }
    if external_id:
        params["ExternalId"] = external_id

    def fetch() -> dict[str, str]:
        creds = sts.assume_role(**params)["Credentials"]
        return {
            "access_key": creds["AccessKeyId"],
            "secret_key": creds["SecretAccessKey"],
            "token": creds["SessionToken"],
            "expiry_time": creds["Expiration"].isoformat(),
        }

    try:
        first = fetch()
    except Exception as exc:
        raise CredentialsError(f"cannot assume {params['RoleArn']}: {_short(exc)}") from None
    core = _botocore_session()
    refreshing = RefreshableCredentials.create_from_metadata(first, fetch, "assume-role")
    core.get_component("credential_provider").insert_before("env", _Fixed(refreshing))
    return boto3.Session(botocore_session=core, region_name=source.default_region)


class _Fixed:
    """A credential provider that hands botocore one (refreshable) credentials object, first in the chain."""

    METHOD = "clearance-assume-role"

    def __init__(self, credentials: Any):
        self._credentials = credentials

    def load(self) -> Any:
        return self._credentials


def _short(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) < 300 else text[:297] + "..."
