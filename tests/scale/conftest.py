"""Scale tests: moto's server over HTTP, clearance's latency/fault proxy in front of it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from clearance.fakes.proxy import FaultPlan, LatencyProxy

from ..test_cli import moto_server  # the module-scoped ThreadedMotoServer fixture, reused

__all__ = ["REGION", "moto_server", "proxied"]

REGION = "ap-northeast-2"


@pytest.fixture
def proxied(moto_server: str) -> Iterator[Callable[..., LatencyProxy]]:
    """``proxied(faults=None, latency_ms=0)``: a started proxy in front of the module's moto server."""
    started: list[LatencyProxy] = []

    def start(faults: FaultPlan | None = None, latency_ms: float = 0.0) -> LatencyProxy:
        proxy = LatencyProxy(moto_server, latency_ms=latency_ms, faults=faults, unimplemented_as_501=True).start()
        started.append(proxy)
        return proxy

    yield start
    for proxy in started:
        proxy.stop()
