"""The content pack ships inside the wheel and is found from an installed package."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_contains_content_pack_and_schemas(tmp_path: Path) -> None:
    if not (ROOT / "pyproject.toml").exists():
        pytest.skip("not running from a source checkout")
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("clearance-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "clearance/_content/checks/controls.yaml",
        "clearance/_content/checks/profiles/kr-fss.yaml",
        "clearance/_content/schemas/check.schema.json",
        "clearance/_content/schemas/profile.schema.json",
        "clearance/_content/schemas/framework.schema.json",
        "clearance/_content/checks/frameworks/isms-p-2023.yaml",
        "clearance/_content/schemas/vendor/oscal/1.2.3/oscal_assessment-results_schema.json",
        "clearance/reports/htmlkit/assets/report.css",
        "clearance/reports/htmlkit/assets/report.js",
        "clearance/demo/registers/exceptions.yaml",
        "clearance/demo/registers/attestations.yaml",
        "clearance/py.typed",
    ):
        assert expected in names, expected
    checks = [n for n in names if n.startswith("clearance/_content/checks/aws/") and n.endswith(".yaml")]
    shipped = list((ROOT / "checks" / "aws").rglob("*.yaml"))
    assert len(checks) == len(shipped) > 0


def test_installed_package_finds_its_content() -> None:
    from clearance.content import checks_dir, schema_path

    assert (checks_dir() / "controls.yaml").is_file()
    assert schema_path("check.schema.json").is_file()
