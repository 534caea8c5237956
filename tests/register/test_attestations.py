"""The attestations register on a real scan: MANUAL findings carry it, evidence is hashed and copied, statuses."""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from pathlib import Path

import pytest

from clearance.engine.checks import CheckSet
from clearance.errors import InputFileError
from clearance.register import load_attestations

from .support import AS_OF, by_name, evaluate, read_json, validate, write

ROTATION = ("aws-kms-key-rotation-evidence", "imported-1")
PDF = b"%PDF-1.7\nkey custodian's rotation record, 2026-10\n"


def attestation(
    id: str = "ATT-2026-007",
    covers: str = "- check: aws-kms-key-rotation-evidence",
    evidence: str = "[reviews/2026-10-rotation.pdf]",
    created: str = "2026-11-01",
    expires: str = "2027-05-01",
) -> str:
    return f"""
  - id: {id}
    covers:
      {covers}
    statement: Imported key material is re-imported every 180 days; records attached.
    owner: Information Security Team (lead Park)
    evidence: {evidence}
    created: {created}
    expires: {expires}
"""


@pytest.fixture
def register_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "attest"
    (folder / "reviews").mkdir(parents=True)
    (folder / "reviews" / "2026-10-rotation.pdf").write_bytes(PDF)
    return folder


def register(folder: Path, *entries: str) -> Path:
    return write(folder, "attestations.yaml", "attestations:" + "".join(entries))


def test_a_valid_attestation_is_carried_by_the_manual_finding_and_its_evidence_copied(
    scan_dir: Path, checks: CheckSet, register_dir: Path
) -> None:
    path = register(register_dir, attestation())
    results = evaluate(scan_dir, checks, attestations=path)
    finding = by_name(results)[ROTATION]
    assert finding["verdict"] == "MANUAL" and finding["manual_attestation"] == {"id": "ATT-2026-007", "status": "valid"}
    assert results.summary.verdicts["MANUAL"] == 1
    assert len(list(results.iter_findings())) == results.summary.findings  # every line still streams
    doc = read_json(scan_dir / "attestations.json")
    validate(doc, "attestations-results.schema.json")
    digest = hashlib.sha256(PDF).hexdigest()
    assert doc["as_of"] == AS_OF.isoformat()
    assert doc["register"] == {
        "file": "attestations.yaml",
        "source": "attestations.yaml",
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }
    assert doc["totals"] == {"valid": 1, "expired": 0, "not_yet_valid": 0, "attested_findings": 1}
    (entry,) = doc["attestations"]
    copy = f"attestations/files/{digest[:16]}-2026-10-rotation.pdf"
    assert entry == {
        "id": "ATT-2026-007",
        "statement": "Imported key material is re-imported every 180 days; records attached.",
        "owner": "Information Security Team (lead Park)",
        "created": "2026-11-01",
        "expires": "2027-05-01",
        "status": "valid",
        "covers": {"controls": [], "checks": ["aws-kms-key-rotation-evidence"], "requirements": []},
        "evidence": [{"file": copy, "source": "reviews/2026-10-rotation.pdf", "sha256": digest, "bytes": len(PDF)}],
        "matched": 1,
    }
    assert (scan_dir / copy).read_bytes() == PDF
    assert (scan_dir / "attestations.yaml").read_bytes() == path.read_bytes()
    assert sorted(p.name for p in (scan_dir / "attestations" / "files").iterdir()) == [Path(copy).name]
    assert not list(scan_dir.glob(".*partial*"))


def test_a_control_covers_its_manual_checks_and_requirements_are_recorded(
    scan_dir: Path, checks: CheckSet, register_dir: Path
) -> None:
    covers = '- control: ENC-02\n      - requirement: {framework: isms-p-2023, id: "2.7.2"}'
    evaluate(scan_dir, checks, attestations=register(register_dir, attestation(covers=covers)))
    assert by_name(scan_dir)[ROTATION]["manual_attestation"]["status"] == "valid"
    (entry,) = read_json(scan_dir / "attestations.json")["attestations"]
    assert entry["covers"] == {
        "controls": ["ENC-02"],
        "checks": [],
        "requirements": [{"framework": "isms-p-2023", "id": "2.7.2"}],
    }


def test_only_manual_findings_carry_an_attestation(scan_dir: Path, checks: CheckSet, register_dir: Path) -> None:
    covers = "- check: aws-s3-bucket-cmk-encryption\n      - control: ENC-03"
    results = evaluate(scan_dir, checks, attestations=register(register_dir, attestation(covers=covers)))
    assert not [f for f in results.iter_findings() if "manual_attestation" in f]
    assert by_name(results)[ROTATION]["verdict"] == "MANUAL"  # MANUAL, but not covered by this attestation
    doc = read_json(scan_dir / "attestations.json")
    assert doc["attestations"][0]["matched"] == 0 and doc["totals"]["attested_findings"] == 0


@pytest.mark.parametrize(
    ("as_of", "status"),
    [(dt.date(2026, 10, 31), "not_yet_valid"), (dt.date(2027, 5, 1), "valid"), (dt.date(2027, 5, 2), "expired")],
)
def test_expired_and_not_yet_valid_attestations_are_flagged(
    scan_dir: Path, checks: CheckSet, register_dir: Path, as_of: dt.date, status: str
) -> None:
    results = evaluate(scan_dir, checks, attestations=register(register_dir, attestation()), as_of=as_of)
    finding = by_name(results)[ROTATION]
    assert finding["verdict"] == "MANUAL" and finding["manual_attestation"] == {"id": "ATT-2026-007", "status": status}
    doc = read_json(scan_dir / "attestations.json")
    assert doc["attestations"][0]["status"] == status
    assert doc["totals"]["attested_findings"] == (status == "valid")


def test_a_valid_attestation_wins_over_an_expired_one(scan_dir: Path, checks: CheckSet, register_dir: Path) -> None:
    path = register(
        register_dir,
        attestation("ATT-OLD", created="2025-01-01", expires="2025-12-31"),
        attestation("ATT-NEW"),
    )
    finding = by_name(evaluate(scan_dir, checks, attestations=path))[ROTATION]
    assert finding["manual_attestation"] == {"id": "ATT-NEW", "status": "valid"}
    matched = {a["id"]: (a["status"], a["matched"]) for a in read_json(scan_dir / "attestations.json")["attestations"]}
    assert matched == {"ATT-OLD": ("expired", 1), "ATT-NEW": ("valid", 1)}


def test_evidence_copies_are_unique_by_content_and_keep_readable_names(
    scan_dir: Path, checks: CheckSet, register_dir: Path
) -> None:
    decomposed = unicodedata.normalize("NFD", "접근기록 검토.pdf")
    (register_dir / "reviews" / decomposed).write_bytes(b"monthly access review\n")
    (register_dir / "reviews" / "same.pdf").write_bytes(PDF)
    files = f'[reviews/2026-10-rotation.pdf, "reviews/{decomposed}", reviews/same.pdf]'
    path = register(register_dir, attestation("ATT-1", evidence=files), attestation("ATT-2"))
    evaluate(scan_dir, checks, attestations=path)
    copies = sorted(p.name for p in (scan_dir / "attestations" / "files").iterdir())
    review = hashlib.sha256(b"monthly access review\n").hexdigest()[:16]
    pdf = hashlib.sha256(PDF).hexdigest()[:16]
    assert copies == sorted([f"{pdf}-2026-10-rotation.pdf", f"{pdf}-same.pdf", f"{review}-접근기록 검토.pdf"])
    doc = read_json(scan_dir / "attestations.json")
    assert [e["file"] for e in doc["attestations"][1]["evidence"]] == [f"attestations/files/{pdf}-2026-10-rotation.pdf"]


def test_attestations_without_evidence_are_allowed(scan_dir: Path, checks: CheckSet, register_dir: Path) -> None:
    text = attestation().replace("    evidence: [reviews/2026-10-rotation.pdf]\n", "")
    evaluate(scan_dir, checks, attestations=register(register_dir, text))
    assert read_json(scan_dir / "attestations.json")["attestations"][0]["evidence"] == []


def test_evidence_that_changes_after_the_register_was_read_is_refused(
    scan_dir: Path, checks: CheckSet, register_dir: Path
) -> None:
    loaded = load_attestations(register(register_dir, attestation()), checks)
    (register_dir / "reviews" / "2026-10-rotation.pdf").write_bytes(PDF + b"edited\n")
    with pytest.raises(InputFileError, match=r"changed after the register was read") as caught:
        evaluate(scan_dir, checks, attestations=loaded)
    assert caught.value.field == "attestations[0].evidence[0]" and caught.value.line == 7
    assert not (scan_dir / "attestations.json").exists() and not (scan_dir / "attestations").exists()
    assert not list(scan_dir.glob(".*partial*"))


def test_evaluating_again_without_attestations_removes_their_copies_only(
    scan_dir: Path, checks: CheckSet, register_dir: Path
) -> None:
    evaluate(scan_dir, checks, attestations=register(register_dir, attestation()))
    own = write(scan_dir, "attestations/minutes.txt", "our own note\n")
    evaluate(scan_dir, checks)
    assert not (scan_dir / "attestations.json").exists() and not (scan_dir / "attestations.yaml").exists()
    assert not (scan_dir / "attestations" / "files").exists() and own.is_file()
    assert "manual_attestation" not in by_name(scan_dir)[ROTATION]
