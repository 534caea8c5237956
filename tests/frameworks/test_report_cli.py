"""`clearance report` and `clearance frameworks` on a real (demo) scan and its signed package."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from clearance.content import schema_path

from ..test_cli import assert_clean_error, run_cli
from .test_loader import GOOD

FRAMEWORK = GOOD.replace("providers: [aws, gcp]", "providers: [aws, gcp]", 1)


def framework_file(tmp_path: Path) -> Path:
    path = tmp_path / "bank.yaml"
    path.write_text(FRAMEWORK, "utf-8")
    return path


def test_text_report_in_both_languages(gcp_demo: Path, tmp_path: Path) -> None:
    fw = framework_file(tmp_path)
    code, out, err = run_cli("report", str(gcp_demo), "--framework", str(fw))
    assert code == 0, err
    assert "Bank internal cloud standard" in out and "CS-1" in out and "manual pending" in out
    code, out, err = run_cli("report", str(gcp_demo), "--framework", str(fw), "--lang", "ko")
    assert code == 0, err
    assert "은행 내부 클라우드 기준" in out and "수동 확인 대기" in out


def test_json_results_validate_and_are_the_same_from_the_package(gcp_demo: Path, tmp_path: Path) -> None:
    fw = framework_file(tmp_path)
    for name, source in (("dir", gcp_demo), ("zip", gcp_demo / "evidence.zip")):
        code, out, err = run_cli(
            "report", str(source), "--framework", str(fw), "--format", "json", "--out", str(tmp_path / name)
        )
        assert code == 0, err
        assert "frameworks/bank-internal.json" in out
    from_dir = json.loads((tmp_path / "dir/frameworks/bank-internal.json").read_text("utf-8"))
    from_zip = json.loads((tmp_path / "zip/frameworks/bank-internal.json").read_text("utf-8"))
    assert from_dir == from_zip
    Draft202012Validator(json.loads(schema_path("framework-results.schema.json").read_text("utf-8"))).validate(from_dir)
    by_id = {r["id"]: r for r in from_dir["requirements"]}
    assert by_id["CS-3"]["status"] == "not_applicable"  # aws-only requirement on a GCP scan
    assert by_id["CS-2"]["status"] == "manual_pending"
    assert by_id["CS-1"]["status"] in ("satisfied", "not_satisfied")
    assert by_id["CS-1"]["checks"] and all(c.startswith("gcp-") for c in by_id["CS-1"]["checks"])


def test_csv_report(gcp_demo: Path, tmp_path: Path) -> None:
    code, _, err = run_cli(
        "report", str(gcp_demo), "--framework", str(framework_file(tmp_path)), "--format", "csv", "--out", str(tmp_path)
    )
    assert code == 0, err
    findings = (tmp_path / "findings.csv").read_text("utf-8-sig").splitlines()
    document = json.loads((gcp_demo / "findings.json").read_text("utf-8"))
    assert len(findings) == 1 + len(document["findings"])
    assert findings[0].startswith("check_id,title,severity,verdict")
    requirements = (tmp_path / "requirements.csv").read_text("utf-8-sig").splitlines()
    assert len(requirements) == 1 + 3


def test_bad_report_arguments(gcp_demo: Path, tmp_path: Path) -> None:
    code, _, err = run_cli("report", str(gcp_demo), "--format", "csv")
    assert code == 2
    assert_clean_error(err, "--format csv: give --out DIR")
    code, _, err = run_cli("report", str(gcp_demo), "--format", "pdf", "--out", str(tmp_path))
    assert code == 2
    assert_clean_error(err, "unknown report format 'pdf'")
    code, _, err = run_cli("report", str(gcp_demo), "--framework", "nope")
    assert code == 2
    assert_clean_error(err, "unknown framework 'nope'")
    code, _, err = run_cli("report", str(tmp_path))
    assert code == 2
    assert_clean_error(err, "neither a clearance scan directory")
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    code, _, err = run_cli("report", str(broken))
    assert code == 2
    assert_clean_error(err, "broken.zip", "not a readable evidence package")


def test_frameworks_validate(tmp_path: Path) -> None:
    good = framework_file(tmp_path)
    code, out, err = run_cli("frameworks", "validate", str(good))
    assert code == 0, err
    assert "ok (bank-internal 2026.1, 3 requirements)" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("controls: [ENC-01]", "controls: [ENC-08]"), "utf-8")
    code, _, err = run_cli("frameworks", "validate", str(bad))
    assert code == 2
    assert_clean_error(err, f"{bad}:12 (field 'requirements[0].controls'): unknown control id 'ENC-08'")
