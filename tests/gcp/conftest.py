"""Shared harness for GCP tests: the project's fake GCP server and one-call collect/scan helpers.

The real discovery clients run against :class:`~clearance.fakes.gcp.FakeGcp` over real HTTP,
through the provider's production seam (``credentials``, ``api_endpoint``, ``client_options``).
Only test-only values are passed: a fixed OAuth token (never Application Default Credentials;
the root conftest also points the metadata server at a closed loopback port), the fake's endpoint
template, and ``num_retries=0``. The default project (``PROJECT``) is seeded in every fresh fake.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from clearance.fakes import gcp_builders as b
from clearance.fakes.gcp import FakeGcp

from ..conftest import Collected, ScanResult, collect_runner, collect_with, scan_runner

PROJECT = b.PROJECT
PROJECT_NUMBER = b.PROJECT_NUMBER
TOKEN = "fake-token"
NO_RETRIES = {"num_retries": 0}

__all__ = ["NO_RETRIES", "PROJECT", "PROJECT_NUMBER", "TOKEN", "Collected", "ScanResult", "credentials", "own_links"]


def credentials() -> Any:
    """OAuth credentials holding a fixed token: sent as ``Bearer fake-token``, never refreshed."""
    from google.oauth2.credentials import Credentials

    return Credentials(token=TOKEN)


def own_links(record: dict[str, Any]) -> dict[str, Any]:
    """A record's links without the ``project`` link every resource carries (tested once, in test_provider)."""
    return {k: v for k, v in record["links"].items() if k != "project"}


@pytest.fixture
def fake_gcp() -> Iterator[FakeGcp]:
    """A fresh fake on 127.0.0.1 (http) holding the default project, stopped after the test."""
    with FakeGcp() as fake:
        fake.add_project(b.project())
        yield fake


@pytest.fixture
def gcp_provider(fake_gcp: FakeGcp) -> Any:
    """The production GcpProvider pointed at ``fake_gcp`` with a fixed token and no retries."""
    from clearance.providers.gcp import GcpProvider

    return GcpProvider(credentials=credentials(), api_endpoint=fake_gcp.endpoint, client_options=NO_RETRIES)


collect_into = partial(collect_with, default_account=PROJECT)
"""``collect_into(provider, out, **scope_kw)`` -> the CollectSummary (default: the ``PROJECT`` project)."""


@pytest.fixture
def gcp_collect(gcp_provider: Any, tmp_path: Path) -> Any:
    """``gcp_collect(**scope_kw)`` collects (default: the ``PROJECT`` project) -> ``Collected``."""
    return collect_runner(gcp_provider, tmp_path, PROJECT)


@pytest.fixture
def gcp_scan(gcp_provider: Any, tmp_path: Path) -> Any:
    """``gcp_scan(checks=[...], projects=(PROJECT,), services=(), tags=(), regions=())`` -> ScanResult."""
    return scan_runner(gcp_provider, tmp_path, "projects", PROJECT)
