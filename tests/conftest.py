"""Test-wide guards: no test may reach a real cloud or a metadata server.

Any connection to a non-loopback address fails loudly, and the AWS/Azure/GCP SDKs get
fake credentials and no instance-metadata look-ups. The scan and collect harness every provider's
tests share (:class:`ScanResult`, :class:`Collected`, :func:`scan_runner`) lives here too, so the
providers' suites read results the same way.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

_REAL_CONNECT = socket.socket.connect
_REAL_CONNECT_EX = socket.socket.connect_ex
_REAL_GETADDRINFO = socket.getaddrinfo

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


class NetworkBlocked(RuntimeError):
    pass


def _is_loopback(host: Any) -> bool:
    if host is None:
        return False
    text = str(host).strip("[]").lower()
    if text in _LOOPBACK_NAMES or text.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def _address_host(address: Any) -> Any:
    if isinstance(address, tuple) and address:
        return address[0]
    return None


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(_address_host(address)):
        raise NetworkBlocked(f"test tried to connect to non-loopback address {address!r}")
    return _REAL_CONNECT(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(_address_host(address)):
        raise NetworkBlocked(f"test tried to connect to non-loopback address {address!r}")
    return _REAL_CONNECT_EX(self, address)


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if host is not None and not _is_loopback(host):
        raise NetworkBlocked(f"test tried to resolve non-loopback host {host!r}")
    return _REAL_GETADDRINFO(host, *args, **kwargs)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
socket.getaddrinfo = _guarded_getaddrinfo

_FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "ap-northeast-2",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
    "CLEARANCE_AWS_MAX_ATTEMPTS": "1",
    "NO_PROXY": "*",
    # google-auth reads these at import time: never probe the GCE metadata server (169.254.169.254).
    "NO_GCE_CHECK": "true",
    "GCE_METADATA_HOST": "127.0.0.1:9",
    "GCE_METADATA_IP": "127.0.0.1:9",
}
for _k, _v in _FAKE_ENV.items():
    os.environ[_k] = _v
for _k in (
    "AWS_PROFILE",
    "AWS_ENDPOINT_URL",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "GOOGLE_CLOUD_PROJECT",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "http_proxy",
    "https_proxy",
):
    os.environ.pop(_k, None)


@pytest.fixture
def no_network_check() -> Iterator[type[NetworkBlocked]]:
    """For tests that assert the guard itself."""
    yield NetworkBlocked


_CHECKSETS: dict[tuple[str, tuple[str, ...]], Any] = {}


def profile_and_checks(profile: Any, checks: list[str] | None) -> tuple[Any, Any]:
    """The profile (an object, a built-in id, a file, or None for the default) and the compiled checks.

    Compiled check sets are immutable, so tests share them instead of re-parsing the content pack
    for every scan.
    """
    from clearance.api import default_checks
    from clearance.profile import Profile, load_profile

    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    key = (prof.digest, tuple(checks or ()))
    if key not in _CHECKSETS:
        _CHECKSETS[key] = default_checks(prof, key[1])
    return prof, _CHECKSETS[key]


@dataclass
class ScanResult:
    """A scan's findings and coverage, with look-ups by check and resource name."""

    findings: list[dict[str, Any]]
    coverage: list[dict[str, Any]]
    out: Path

    def verdicts(self, check_id: str) -> dict[str, str]:
        """Resource name -> verdict for one check."""
        return {f["resource"]["name"]: f["verdict"] for f in self.findings if f["check_id"] == check_id}

    def finding(self, check_id: str, name: str) -> dict[str, Any]:
        for f in self.findings:
            if f["check_id"] == check_id and f["resource"]["name"] == name:
                return f
        raise AssertionError(f"no finding for {check_id} on {name}; have {self.verdicts(check_id)}")


@dataclass
class Collected:
    """A collection run's summary and inventory, with readers for tests."""

    summary: Any
    out: Path

    def records(self, rtype: str) -> dict[str, dict[str, Any]]:
        """Resource name -> stored record, for every record of ``rtype``."""
        from clearance.inventory import InventoryReader

        reader = InventoryReader(self.out)
        return {
            r.record["name"]: r.record
            for provider, account in reader.accounts()
            for r in reader.records(provider, account)
            if r.record["type"] == rtype
        }

    def record(self, rtype: str, name: str) -> dict[str, Any]:
        found = self.records(rtype)
        assert name in found, f"no {rtype} named {name}; have {sorted(found)}"
        return found[name]

    def listings(self, rtype: str) -> list[Any]:
        from clearance.inventory import InventoryReader

        return [x for x in InventoryReader(self.out).listings() if x.type == rtype]

    def calls(self) -> list[dict[str, Any]]:
        """The API-call log."""
        text = (self.out / "logs" / "api-calls.jsonl").read_text("utf-8")
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def collect_with(provider: Any, out: Path, default_account: str, **scope_kw: Any) -> Any:
    """Run ``provider.collect`` for a Scope built from ``scope_kw`` (accounts default to ``default_account``)."""
    import clearance
    from clearance.inventory import InventoryWriter

    scope_kw.setdefault("accounts", (default_account,))
    writer = InventoryWriter(out)
    try:
        return provider.collect(clearance.Scope(provider=provider.name, **scope_kw), writer)
    finally:
        writer.close()


def collect_runner(provider: Any, tmp_path: Path, default_account: str) -> Callable[..., Collected]:
    """``run(**scope_kw)`` collects into a fresh folder under ``tmp_path`` -> :class:`Collected`."""

    def run(**scope_kw: Any) -> Collected:
        out = tmp_path / f"collect-{len(list(tmp_path.iterdir()))}"
        return Collected(collect_with(provider, out, default_account, **scope_kw), out)

    return run


def scan_runner(provider: Any, tmp_path: Path, accounts_kw: str, default_account: str) -> Callable[..., ScanResult]:
    """``run(checks=[...], <accounts_kw>=(...), services=(), profile=None, tags=(), regions=())`` collects through
    ``provider`` and evaluates -> :class:`ScanResult`. ``accounts_kw`` is how the cloud names its accounts
    (``subscriptions``, ``projects``)."""

    def run(
        checks: list[str] | None = None,
        services: tuple[str, ...] = (),
        profile: Any = None,
        tags: tuple[str, ...] = (),
        regions: tuple[str, ...] = (),
        **scope_kw: Any,
    ) -> ScanResult:
        import clearance
        from clearance.scope import parse_tag_filters

        accounts = scope_kw.pop(accounts_kw, (default_account,))
        prof, checkset = profile_and_checks(profile, checks)
        out = tmp_path / f"scan-{len(list(tmp_path.iterdir()))}"
        scope = {"services": services, "tags": parse_tag_filters(tags), "regions": regions, **scope_kw}
        collect_with(provider, out, default_account, accounts=accounts, **scope)
        results = clearance.evaluate(out, profile=prof, checks=checkset)
        return ScanResult(results.findings(), results.coverage(), out)

    return run


def assert_registered(name: str, cls: type) -> None:
    """The provider is listed and ``get_provider(name)`` builds a ``cls``."""
    from clearance.providers import get_provider, provider_names

    assert name in provider_names()
    assert isinstance(get_provider(name), cls)


def sdk_modules_loaded_by(name: str, roots: tuple[str, ...]) -> list[str]:
    """The modules under ``roots`` that a fresh interpreter holds after loading the CLI and asking provider ``name``
    for its types and operations (heavy SDKs must load only when a scan runs)."""
    code = (
        "import json, sys, clearance.cli\n"
        "from clearance.providers import get_provider\n"
        f"p = get_provider({name!r}); p.resource_types(); p.operations()\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {roots!r})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded: list[str] = json.loads(out)
    return loaded
