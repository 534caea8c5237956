"""docs/checks-catalogue.md lists exactly the shipped checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from clearance.catalogue import render
from clearance.engine.checks import load_checks

DOC = Path(__file__).resolve().parent.parent / "docs" / "checks-catalogue.md"


def test_catalogue_doc_is_current() -> None:
    if not DOC.exists():
        pytest.skip("not running from a source checkout")
    loaded = load_checks()
    assert DOC.read_text("utf-8") == render(loaded.checks, dict(loaded.controls)), (
        "regenerate: python -m clearance.catalogue > docs/checks-catalogue.md"
    )
