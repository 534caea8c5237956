"""The built-in frameworks: all load, ISMS-P is complete, Korean rules carry their provenance."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from clearance.engine.checks import CheckSet, load_checks
from clearance.frameworks.loader import builtin_frameworks, load_frameworks
from clearance.frameworks.model import Framework, RequirementClass

BUILTIN = {
    "kr-efsr-cloud",
    "kr-pipc-safety",
    "isms-p-2023",
    "cis-aws-6.0",
    "cis-azure-5.0",
    "cis-gcp-4.0",
    "nist-800-53-r5",
    "iso-27001-2022",
    "dora-2022-2554",
    "mas-trm-2021",
}


@pytest.fixture(scope="module")
def checks() -> CheckSet:
    return load_checks()


@pytest.fixture(scope="module")
def frameworks(checks: CheckSet) -> dict[str, Framework]:
    return {fw.id: fw for fw in load_frameworks(checks)}


def test_every_builtin_framework_loads(checks: CheckSet, frameworks: dict[str, Framework]) -> None:
    assert set(builtin_frameworks(checks)) == BUILTIN
    assert set(frameworks) == BUILTIN


def test_isms_p_has_all_101_requirements_classified_for_every_cloud(frameworks: dict[str, Framework]) -> None:
    isms = frameworks["isms-p-2023"]
    assert len(isms.requirements) == 101
    assert isms.providers == ("aws", "azure", "gcp")
    ids = [r.id for r in isms.requirements]
    assert ids[0] == "1.1.1" and ids[-1] == "3.5.3"
    sections = {i.split(".")[0] for i in ids}
    assert sections == {"1", "2", "3"}
    counts = {
        p: {c: sum(r.class_for(p) is c for r in isms.requirements) for c in RequirementClass} for p in isms.providers
    }
    for provider, by_class in counts.items():
        assert by_class[RequirementClass.AUTOMATED] + by_class[RequirementClass.PARTIAL] >= 10, (provider, by_class)
        assert by_class[RequirementClass.MANUAL] >= 30, (provider, by_class)


@pytest.mark.parametrize("framework_id", ["kr-efsr-cloud", "kr-pipc-safety"])
def test_korean_rules_carry_provenance_on_every_requirement(
    frameworks: dict[str, Framework], framework_id: str
) -> None:
    fw = frameworks[framework_id]
    missing = [r.id for r in fw.requirements if r.provenance is None]
    assert not missing, missing
    assert {r.provenance.confidence for r in fw.requirements if r.provenance} <= {"C", "P", "U"}


def test_korean_cloud_rules_cover_the_instruments_of_the_issue(frameworks: dict[str, Framework]) -> None:
    text = " ".join(
        f"{r.id} {r.title['en']} {(r.section or {}).get('en', '')}" for r in frameworks["kr-efsr-cloud"].requirements
    ).lower()
    for needle in ("14-2", "15", "saas", "ai"):
        assert needle in text, needle
    pipc = " ".join(r.id for r in frameworks["kr-pipc-safety"].requirements)
    for article in ("5", "7", "8"):
        assert article in pipc


def test_cis_benchmarks_are_single_cloud_and_name_exact_checks(
    checks: CheckSet, frameworks: dict[str, Framework]
) -> None:
    providers = {c.id: c.provider for c in checks.checks}
    for fid, cloud in (("cis-aws-6.0", "aws"), ("cis-azure-5.0", "azure"), ("cis-gcp-4.0", "gcp")):
        fw = frameworks[fid]
        assert fw.providers == (cloud,)
        automated = [r for r in fw.requirements if r.class_for(cloud) is RequirementClass.AUTOMATED]
        assert automated, fid
        for r in automated:
            assert r.checks, f"{fid} {r.id}: automated CIS items name their checks"
            assert {providers[c] for c in r.checks} == {cloud}


def test_the_demo_package_carries_an_answer_per_framework(gcp_demo: Path, frameworks: dict[str, Framework]) -> None:
    covering = {fid for fid, fw in frameworks.items() if "gcp" in fw.providers}
    with zipfile.ZipFile(gcp_demo / "evidence.zip") as z:
        names = set(z.namelist())
        assert {f"evidence/report/frameworks/{fid}.json" for fid in covering} <= names
        isms = json.loads(z.read("evidence/report/frameworks/isms-p-2023.json"))
    assert isms["summary"]["requirements"] == 101
    assert sum(isms["summary"]["status"].values()) == 101
    assert isms["summary"]["status"]["not_satisfied"] >= 1  # the demo has deliberate gaps


def test_package_reports_come_from_the_packaged_evidence_not_the_scan_folder(gcp_demo: Path, tmp_path: Path) -> None:
    """Reports in a package are rendered from the redacted evidence; a file left in reports/ never rides along."""
    import shutil

    from clearance.evidence.demo import build_demo_package

    work = Path(shutil.copytree(gcp_demo, tmp_path / "scan"))
    (work / "evidence.zip").unlink()
    (work / "reports" / "stale.html").write_text("<p>from an earlier, unredacted run</p>", "utf-8")
    package = build_demo_package(work)
    with zipfile.ZipFile(package) as z:
        names = set(z.namelist())
    assert "evidence/report/stale.html" not in names
    assert "evidence/report/report.html" in names
    assert not (work / "reports" / "stale.html").exists()  # the folder holds the package's reports, nothing else
