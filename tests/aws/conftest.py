"""Shared harness for AWS tests: an in-process moto account and a one-call scan helper."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..conftest import ScanResult

__all__ = ["ACCOUNT", "REGION", "ScanResult"]

REGION = "ap-northeast-2"
ACCOUNT = "123456789012"


@pytest.fixture
def aws() -> Iterator[Any]:
    """An in-process moto AWS (every service), torn down after the test."""
    from moto import mock_aws

    with mock_aws():
        yield None


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
