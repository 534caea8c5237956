"""Shared harness for Azure tests: the project's fake ARM server and a one-call scan helper.

The real azure-mgmt clients run against :class:`~clearance.fakes.arm.FakeArm` over real HTTP,
through the provider's production seam (``base_url``, a credential, client kwargs). The emulator
seam of :mod:`clearance.fakes.arm_client` adds a fake credential (never ``DefaultAzureCredential``,
which probes IMDS and the Azure CLI) and a policy allowing bearer tokens over plain http. Retries are off.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from clearance.fakes.arm import FakeArm
from clearance.fakes.arm_builders import SUB
from clearance.fakes.arm_client import EmulatorCredential, emulator_client_kwargs

from ..conftest import Collected, ScanResult, collect_runner, collect_with, scan_runner

__all__ = ["SUB", "Collected", "ScanResult"]


@pytest.fixture
def fake_arm() -> Iterator[FakeArm]:
    """A fresh fake ARM server on 127.0.0.1 (http), stopped after the test."""
    with FakeArm() as fake:
        yield fake


@pytest.fixture
def azure_provider(fake_arm: FakeArm) -> Any:
    """The production AzureProvider pointed at ``fake_arm`` with a fake credential, no retries."""
    from clearance.providers.azure import AzureProvider

    return AzureProvider(credential=EmulatorCredential(), base_url=fake_arm.url, client_kwargs=emulator_client_kwargs())


collect_into = partial(collect_with, default_account=SUB)
"""``collect_into(provider, out, **scope_kw)`` -> the CollectSummary (default: the ``SUB`` subscription)."""


@pytest.fixture
def azure_collect(azure_provider: Any, tmp_path: Path) -> Any:
    """``azure_collect(**scope_kw)`` collects (default: the ``SUB`` subscription) -> :class:`Collected`."""
    return collect_runner(azure_provider, tmp_path, SUB)


@pytest.fixture
def azure_scan(azure_provider: Any, tmp_path: Path) -> Any:
    """``azure_scan(checks=[...], subscriptions=(SUB,), services=(), tags=(), regions=())`` -> ScanResult."""
    return scan_runner(azure_provider, tmp_path, "subscriptions", SUB)
