"""Test-wide guards: no test may reach a real cloud or a metadata server.

Any connection to a non-loopback address fails loudly, and the AWS/Azure/GCP SDKs get
fake credentials and no instance-metadata look-ups.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
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
