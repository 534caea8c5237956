"""Shared fixtures for the report format tests: one real scan, made once per session (the HTML tests add theirs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .html_support import framework_file, hostile_report, hostile_scan, plain_report  # noqa: F401 (fixtures)


@pytest.fixture(scope="session")
def demo_scan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The GCP demo's scan directory (real engine output on the project's fake Google APIs, about 2 s)."""
    from clearance.demo import run_demo

    out = tmp_path_factory.mktemp("reports-demo") / "gcp"
    run_demo(out, provider="gcp")
    return out
