from __future__ import annotations

from pathlib import Path

import pytest

from ..test_cli import run_cli


@pytest.fixture(scope="session")
def gcp_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One GCP demo run (scan directory + signed evidence.zip with its reports)."""
    out = tmp_path_factory.mktemp("fw-demo") / "demo"
    code, _, err = run_cli("demo", "--provider", "gcp", "--out", str(out), "--no-progress", "--json")
    assert code == 0, err
    return out
