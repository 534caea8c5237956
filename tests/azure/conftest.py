"""Shared harness for Azure tests: the project's fake ARM server and a one-call scan helper.

The real azure-mgmt clients run against :class:`~clearance.fakes.arm.FakeArm` over real HTTP,
through the provider's production seam (``base_url``, a credential, client kwargs). The emulator
seam of :mod:`clearance.fakes.arm_client` adds a fake credential (never ``DefaultAzureCredential``,
which probes IMDS and the Azure CLI) and a policy allowing bearer tokens over plain http. Retries are off.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from clearance.fakes.arm import FakeArm
from clearance.fakes.arm_builders import SUB
from clearance.fakes.arm_client import EmulatorCredential, emulator_client_kwargs
from clearance.inventory import InventoryReader, TypeListing

from ..aws.conftest import ScanResult

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


def collect_into(provider: Any, out: Path, **scope_kw: Any) -> Any:
    """Run ``provider.collect`` for a Scope built from ``scope_kw``; returns the CollectSummary."""
    import clearance
    from clearance.inventory import InventoryWriter

    scope_kw.setdefault("accounts", (SUB,))
    writer = InventoryWriter(out)
    try:
        return provider.collect(clearance.Scope(provider="azure", **scope_kw), writer)
    finally:
        writer.close()


@dataclass
class Collected:
    """A collection run's summary and inventory, with readers for tests."""

    summary: Any
    out: Path

    def records(self, rtype: str) -> dict[str, dict[str, Any]]:
        """Resource name -> stored record, for every record of ``rtype``."""
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

    def listings(self, rtype: str) -> list[TypeListing]:
        return [x for x in InventoryReader(self.out).listings() if x.type == rtype]

    def calls(self) -> list[dict[str, Any]]:
        """The API-call log."""
        text = (self.out / "logs" / "api-calls.jsonl").read_text("utf-8")
        return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture
def azure_collect(azure_provider: Any, tmp_path: Path) -> Any:
    """``azure_collect(**scope_kw)`` collects (default: the ``SUB`` subscription) -> :class:`Collected`."""

    def run(**scope_kw: Any) -> Collected:
        out = tmp_path / f"collect-{len(list(tmp_path.iterdir()))}"
        return Collected(collect_into(azure_provider, out, **scope_kw), out)

    return run


@pytest.fixture
def azure_scan(azure_provider: Any, tmp_path: Path) -> Any:
    """``azure_scan(checks=[...], subscriptions=(SUB,), services=(), tags=(), regions=())`` -> ScanResult."""

    def run(
        checks: list[str] | None = None,
        subscriptions: tuple[str, ...] = (SUB,),
        services: tuple[str, ...] = (),
        profile: Any = None,
        tags: tuple[str, ...] = (),
        regions: tuple[str, ...] = (),
        **scope_kw: Any,
    ) -> ScanResult:
        import clearance
        from clearance.scope import parse_tag_filters
        from tests.conftest import profile_and_checks

        prof, checkset = profile_and_checks(profile, checks)
        out = tmp_path / f"scan-{len(list(tmp_path.iterdir()))}"
        collect_into(
            azure_provider,
            out,
            accounts=subscriptions,
            services=services,
            tags=parse_tag_filters(tags),
            regions=regions,
            **scope_kw,
        )
        results = clearance.evaluate(out, profile=prof, checks=checkset)
        return ScanResult(results.findings(), results.coverage(), out)

    return run
