"""Fixtures for the register tests: one real scan directory (stored inventory evaluated by the engine) per session,
copied for each test, and the content pack loaded once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clearance.api import default_checks
from clearance.engine.checks import CheckSet
from clearance.profile import load_profile

from ..evidence.scandir import make_scan
from .support import inventory


@pytest.fixture(scope="session")
def checks() -> CheckSet:
    return default_checks(load_profile())


@pytest.fixture(scope="session")
def base_scan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_scan(tmp_path_factory.mktemp("register") / "scan", resources=inventory())


@pytest.fixture
def scan_dir(base_scan: Path, tmp_path: Path) -> Path:
    """A fresh copy of the scan directory (evaluating rewrites it)."""
    return Path(shutil.copytree(base_scan, tmp_path / "scan"))
