"""One real GCP demo scan (and its signed package) per session; each test diffs edited copies of it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .scans import EditableScan


@pytest.fixture(scope="session")
def demo_scan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``clearance demo --provider gcp``'s scan directory, re-evaluated without the demo's registers (the
    tests add their own), with ``evidence.zip`` built from it."""
    from clearance.api import evaluate
    from clearance.demo import run_demo
    from clearance.evidence.demo import build_demo_package

    out = tmp_path_factory.mktemp("diff-demo") / "scan"
    run_demo(out, provider="gcp")
    evaluate(out)
    assert not (out / "exceptions.yaml").exists() and not (out / "attestations").exists()
    build_demo_package(out)
    return out


@pytest.fixture
def demo_package(demo_scan: Path) -> Path:
    return demo_scan / "evidence.zip"


@pytest.fixture
def copy_scan(demo_scan: Path, tmp_path: Path) -> Callable[[str], EditableScan]:
    """A fresh editable copy of the demo scan directory, named ``name`` under the test's tmp dir."""

    def make(name: str) -> EditableScan:
        return EditableScan.copy_of(demo_scan, tmp_path / name)

    return make
