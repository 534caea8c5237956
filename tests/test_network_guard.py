"""The test-wide network guard (tests/conftest.py): nothing but loopback is reachable from a test.

If these fail, a forgotten mock could silently reach a real cloud or the instance-metadata service.
"""

from __future__ import annotations

import re
import socket
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

METADATA = ("169.254.169.254", 80)
PUBLIC_V4 = ("8.8.8.8", 443)
PUBLIC_V6 = ("2001:4860:4860::8888", 443)


@pytest.mark.parametrize("address", [METADATA, PUBLIC_V4], ids=["instance-metadata", "public-ipv4"])
def test_connect_to_a_non_loopback_ipv4_address_raises(address: tuple[str, int], no_network_check: Any) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, pytest.raises(no_network_check, match=address[0]):
        sock.connect(address)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, pytest.raises(no_network_check):
        sock.connect_ex(address)


def test_connect_to_a_public_ipv6_address_raises(no_network_check: Any) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 support")
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock, pytest.raises(no_network_check):
        sock.connect((*PUBLIC_V6, 0, 0))


def test_name_resolution_of_a_public_host_raises(no_network_check: Any) -> None:
    with pytest.raises(no_network_check, match=r"sts\.amazonaws\.com"):
        socket.getaddrinfo("sts.amazonaws.com", 443)


def test_the_guard_applies_in_worker_threads(no_network_check: Any) -> None:
    def connect() -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.connect(METADATA)

    with ThreadPoolExecutor(max_workers=1) as pool, pytest.raises(no_network_check):
        pool.submit(connect).result()


def test_http_to_the_instance_metadata_service_raises(no_network_check: Any) -> None:
    with pytest.raises(no_network_check):
        urllib.request.urlopen("http://169.254.169.254/latest/api/token", timeout=1)


def test_an_unmocked_boto3_call_cannot_reach_aws() -> None:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import HTTPClientError

    sts = boto3.client("sts", region_name="ap-northeast-2", config=Config(retries={"max_attempts": 1}))
    with pytest.raises(HTTPClientError, match=re.escape("non-loopback host 'sts.ap-northeast-2.amazonaws.com'")):
        sts.get_caller_identity()


def _echo_server(family: socket.AddressFamily, host: str) -> tuple[socket.socket, threading.Thread]:
    server = socket.socket(family, socket.SOCK_STREAM)
    server.bind((host, 0))
    server.listen(1)

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            conn.sendall(conn.recv(64).upper())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return server, thread


@pytest.mark.parametrize(
    ("family", "host", "dial"),
    [
        (socket.AF_INET, "127.0.0.1", "127.0.0.1"),
        (socket.AF_INET, "127.0.0.1", "localhost"),
        (socket.AF_INET6, "::1", "::1"),
    ],
    ids=["ipv4", "localhost-name", "ipv6"],
)
def test_loopback_connections_work(family: socket.AddressFamily, host: str, dial: str) -> None:
    try:
        server, thread = _echo_server(family, host)
    except OSError:
        pytest.skip(f"cannot listen on {host}")
    with server:
        port = server.getsockname()[1]
        with socket.create_connection((dial, port), timeout=5) as client:
            client.sendall(b"loopback")
            assert client.recv(64) == b"LOOPBACK"
        thread.join(timeout=5)
