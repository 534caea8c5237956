"""Shared harness for AWS tests: an in-process moto account and a one-call scan helper."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REGION = "ap-northeast-2"
ACCOUNT = "123456789012"


@pytest.fixture
def aws() -> Iterator[Any]:
    """An in-process moto AWS (every service), torn down after the test."""
    from moto import mock_aws

    with mock_aws():
        yield None


@dataclass
class ScanResult:
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


@pytest.fixture
def scan(tmp_path: Path) -> Any:
    """``scan(checks=[...], regions=[...], services=[...], profile=...)`` runs a real scan on moto."""

    def run(
        checks: list[str] | None = None,
        regions: tuple[str, ...] = (REGION,),
        services: tuple[str, ...] = (),
        profile: Any = None,
        tags: tuple[str, ...] = (),
        **scope_kw: Any,
    ) -> ScanResult:
        import clearance
        from clearance.scope import parse_tag_filters
        from tests.conftest import profile_and_checks

        prof, checkset = profile_and_checks(profile, checks)
        scope = clearance.Scope(regions=regions, services=services, tags=parse_tag_filters(tags), **scope_kw)
        out = tmp_path / f"scan-{len(list(tmp_path.iterdir()))}"
        results = clearance.scan(scope, out, profile=prof, checks=checkset)
        return ScanResult(results.findings(), results.coverage(), out)

    return run
