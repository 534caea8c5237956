"""Registers in a real signed evidence package: carried and hashed, and re-applied by ``verify --re-evaluate``."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

from clearance.engine.checks import CheckSet
from clearance.evidence import layout
from clearance.evidence.report import Status
from clearance.evidence.verifier import verify

from ..evidence.packages import Kit, Resigner, statement_of, unpack
from ..evidence.pki import build_pki
from ..evidence.tsa import TestTsa
from .support import by_name, evaluate, exception, exceptions_register, read_json, write

RECORDED = dt.date(2025, 6, 1)
"""Both registers are in force on this day and have lapsed since: re-evaluating at any later day would differ."""


@pytest.fixture(scope="module")
def kit() -> Kit:
    pki = build_pki()
    return Kit(pki, TestTsa(signer=pki.tsa))


@pytest.fixture
def registered(scan_dir: Path, checks: CheckSet, tmp_path: Path) -> Path:
    """The scan evaluated with an exceptions and an attestations register, judged at RECORDED."""
    exceptions = exceptions_register(
        tmp_path, exception(resources="{tags: {env: dev}}", created="2025-01-01", expires="2025-12-31")
    )
    write(tmp_path, "attest/records/rotation.pdf", "%PDF-1.7 rotation record\n")
    attestations = write(
        tmp_path,
        "attest/register.yaml",
        """
        attestations:
          - id: ATT-1
            covers: [{control: ENC-02}, {requirement: {framework: isms-p-2023, id: "2.7.2"}}]
            statement: Imported key material is rotated every 180 days.
            owner: Key custodian
            evidence: [records/rotation.pdf]
            created: 2025-01-01
            expires: 2025-12-31
        """,
    )
    evaluate(scan_dir, checks, exceptions=exceptions, attestations=attestations, as_of=RECORDED)
    return scan_dir


def test_the_package_carries_both_registers_and_reevaluates_identically(
    kit: Kit, registered: Path, checks: CheckSet, tmp_path: Path
) -> None:
    package = kit.build(registered, tmp_path / "p.zip")
    subjects = {s["name"]: s["digest"]["sha256"] for s in statement_of(package)["subject"]}
    for folder in ("exceptions", "attestations"):
        for name in (f"{folder}.json", f"{folder}.yaml"):
            assert subjects[f"evidence/{folder}/{name}"] == hashlib.sha256((registered / name).read_bytes()).hexdigest()
    (evidence,) = read_json(registered / "attestations.json")["attestations"][0]["evidence"]
    assert subjects[f"{layout.EVIDENCE}{evidence['file']}"] == evidence["sha256"]
    report = verify(package, kit.verify_options(re_evaluate=True))
    step = report.step("re-evaluation")
    assert report.valid and step.status is Status.PASS, step.reason
    from clearance.scanresults import open_results

    with open_results(package) as opened:
        assert (opened.optional_json("exceptions.json") or {})["as_of"] == RECORDED.isoformat()
        assert (opened.optional_json("attestations.json") or {})["totals"]["attested_findings"] == 1
    judged_today = by_name(evaluate(registered, checks, exceptions=registered / "exceptions.yaml"))
    assert judged_today[("aws-s3-bucket-access-logging", "crm-logs")]["verdict"] == "FAIL"  # the day mattered


def test_reevaluation_catches_a_register_changed_after_the_findings(kit: Kit, registered: Path, tmp_path: Path) -> None:
    root = unpack(kit.build(registered, tmp_path / "p.zip"), tmp_path / "tree")
    name = "evidence/exceptions/exceptions.yaml"
    old = (root / name).read_bytes()
    new = old.replace(b"{tags: {env: dev}}", b"{tags: {env: none}}")
    assert new != old
    (root / name).write_bytes(new)

    def update(statement: dict[str, object]) -> None:
        from clearance.evidence.statement import Subject, dir_hash1

        subjects = statement["subject"]
        assert isinstance(subjects, list)
        for subject in subjects:
            if subject["name"] == name:
                subject["digest"]["sha256"] = hashlib.sha256(new).hexdigest()
        package = statement["predicate"]["package"]  # type: ignore[index]
        package["totalBytes"] += len(new) - len(old)
        package["evidenceTree"]["dirHash1"] = dir_hash1(Subject(s["name"], s["digest"]["sha256"]) for s in subjects)

    Resigner(kit)(root, update)
    report = verify(root, kit.verify_options(re_evaluate=True))
    assert report.failure is not None and report.failure.step == "re-evaluation", json.dumps(report.to_json())
    assert "MUTED in the package, FAIL on re-evaluation" in report.failure.reason
