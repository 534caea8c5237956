"""The exceptions register on a real scan: what it mutes, what it never mutes, statuses, selectors, results files."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from jsonschema import ValidationError

from clearance.engine.checks import CheckSet
from clearance.errors import UsageError

from .support import (
    AS_OF,
    by_name,
    evaluate,
    exception,
    exceptions_register,
    read_json,
    validate,
    write,
)

LOGGING = "aws-s3-bucket-access-logging"
CMK = "aws-s3-bucket-cmk-encryption"
BUCKETS = {"crm-logs", "crm-data", "ops-archive", "crm-backup-us"}


def test_an_exception_in_force_mutes_a_fail_and_keeps_the_underlying_verdict(
    scan_dir: Path, checks: CheckSet, tmp_path: Path
) -> None:
    plain = evaluate(scan_dir, checks)
    before = by_name(plain)
    register = exceptions_register(tmp_path, exception(resources='{names: ["crm-logs"]}'))
    results = evaluate(scan_dir, checks, exceptions=register)
    after = by_name(results)
    muted = after[(LOGGING, "crm-logs")]
    assert before[(LOGGING, "crm-logs")]["verdict"] == "FAIL"
    assert muted["verdict"] == "MUTED" and muted["underlying_verdict"] == "FAIL"
    assert muted["exception"] == {"id": "EXC-2026-001", "status": "applied", "expires": "2027-03-31"}
    assert muted["reason"] == before[(LOGGING, "crm-logs")]["reason"]
    untouched = after[(LOGGING, "crm-data")]
    assert untouched["verdict"] == "FAIL" and untouched["underlying_verdict"] is None and "exception" not in untouched
    old, new = plain.summary, results.summary
    assert new.verdicts["MUTED"] == 1 and new.verdicts["FAIL"] == old.verdicts["FAIL"] - 1
    assert sum(new.fail_by_severity.values()) == sum(old.fail_by_severity.values()) - 1
    assert new.complete == old.complete
    document = read_json(results.findings_path)
    assert document["summary"]["verdicts"]["MUTED"] == 1
    validate({**document, "scan": {}}, "findings.schema.json")  # (the fixture's scan.json has a short scope)
    assert len(document["findings"]) == len(list(results.iter_findings())) == new.findings
    bare = {k: v for k, v in muted.items() if k != "exception"}
    with pytest.raises(ValidationError, match="'exception' is a required property"):
        validate({**document, "scan": {}, "findings": [bare]}, "findings.schema.json")


def test_needs_context_is_muted_too(scan_dir: Path, checks: CheckSet, tmp_path: Path) -> None:
    register = exceptions_register(
        tmp_path, exception(target="check: aws-s3-bucket-data-residency", resources='{names: ["crm-data"]}')
    )
    finding = by_name(evaluate(scan_dir, checks, exceptions=register))[("aws-s3-bucket-data-residency", "crm-data")]
    assert finding["verdict"] == "MUTED" and finding["underlying_verdict"] == "NEEDS_CONTEXT"


def test_error_pass_and_manual_are_never_muted(scan_dir: Path, checks: CheckSet, tmp_path: Path) -> None:
    register = exceptions_register(
        tmp_path,
        exception("EXC-ERROR", "check: aws-s3-bucket-acl-not-public"),
        exception("EXC-VERSIONING", "check: aws-s3-bucket-versioning-enabled"),
        exception("EXC-MANUAL", "check: aws-kms-key-rotation-evidence"),
    )
    results = evaluate(scan_dir, checks, exceptions=register)
    findings = by_name(results)
    for name in BUCKETS:
        error = findings[("aws-s3-bucket-acl-not-public", name)]
        assert error["verdict"] == "ERROR" and "exception" not in error
    assert findings[("aws-s3-bucket-versioning-enabled", "crm-logs")]["verdict"] == "PASS"
    assert findings[("aws-s3-bucket-versioning-enabled", "crm-data")]["verdict"] == "MUTED"
    assert findings[("aws-kms-key-rotation-evidence", "imported-1")]["verdict"] == "MANUAL"
    assert not results.summary.complete and results.summary.verdicts["ERROR"] > 0
    statuses = {e["id"]: (e["status"], e["matched"]) for e in read_json(scan_dir / "exceptions.json")["exceptions"]}
    assert statuses == {
        "EXC-ERROR": ("unused", 0),
        "EXC-VERSIONING": ("applied", 1),
        "EXC-MANUAL": ("unused", 0),
    }


def test_statuses_applied_expired_not_yet_valid_unused(scan_dir: Path, checks: CheckSet, tmp_path: Path) -> None:
    register = exceptions_register(
        tmp_path,
        exception("EXC-A", resources='{names: ["crm-logs"]}'),
        exception("EXC-B", f"check: {CMK}", '{names: ["crm-data"]}', "2025-01-01", "2026-11-23"),
        exception("EXC-C", f"check: {CMK}", '{names: ["crm-logs"]}', "2026-11-25", "2027-11-24"),
        exception("EXC-D", resources='{names: ["nothing-*"]}'),
    )
    results = evaluate(scan_dir, checks, exceptions=register, as_of=AS_OF)
    findings = by_name(results)
    expired = findings[(CMK, "crm-data")]
    assert expired["verdict"] == "FAIL" and expired["underlying_verdict"] is None
    assert expired["exception"] == {"id": "EXC-B", "status": "expired", "expires": "2026-11-23"}
    early = findings[(CMK, "crm-logs")]
    assert early["verdict"] == "FAIL" and early["exception"] == {
        "id": "EXC-C",
        "status": "not_yet_valid",
        "expires": "2027-11-24",
    }
    doc = read_json(scan_dir / "exceptions.json")
    validate(doc, "exceptions-results.schema.json")
    assert doc["as_of"] == "2026-11-24"
    assert doc["totals"] == {"applied": 1, "expired": 1, "not_yet_valid": 1, "unused": 1, "muted_findings": 1}
    entries = {e["id"]: e for e in doc["exceptions"]}
    assert [entries[i]["status"] for i in ("EXC-A", "EXC-B", "EXC-C", "EXC-D")] == [
        "applied",
        "expired",
        "not_yet_valid",
        "unused",
    ]
    assert entries["EXC-B"]["findings"] == [
        {
            "check_id": CMK,
            "account": "123456789012",
            "region": "ap-northeast-2",
            "resource_id": "arn:aws:s3:::crm-data",
            "verdict": "FAIL",
        }
    ]
    assert entries["EXC-D"]["matched"] == 0 and entries["EXC-D"]["findings"] == []
    assert entries["EXC-A"] | {"findings": None} == {
        "id": "EXC-A",
        "check": LOGGING,
        "control": None,
        "resources": {"names": ["crm-logs"]},
        "justification": "Access logs go to the central log archive account instead.",
        "approver": "Kim CISO",
        "ticket": "RISK-123",
        "created": "2026-10-01",
        "expires": "2027-03-31",
        "status": "applied",
        "matched": 1,
        "findings": None,
    }


@pytest.mark.parametrize(
    ("as_of", "status", "verdict"),
    [
        (dt.date(2026, 9, 30), "not_yet_valid", "FAIL"),
        (dt.date(2026, 10, 1), "applied", "MUTED"),
        (dt.date(2027, 3, 31), "applied", "MUTED"),
        (dt.date(2027, 4, 1), "expired", "FAIL"),
    ],
)
def test_both_ends_of_the_validity_are_inclusive(
    scan_dir: Path, checks: CheckSet, tmp_path: Path, as_of: dt.date, status: str, verdict: str
) -> None:
    register = exceptions_register(tmp_path, exception(resources='{names: ["crm-logs"]}'))
    finding = by_name(evaluate(scan_dir, checks, exceptions=register, as_of=as_of))[(LOGGING, "crm-logs")]
    assert (finding["verdict"], finding["exception"]["status"]) == (verdict, status)


@pytest.mark.parametrize(
    ("selector", "muted"),
    [
        ('{ids: ["arn:aws:s3:::crm-*"]}', {"crm-logs", "crm-data", "crm-backup-us"}),
        ('{ids: ["arn:aws:s3:::CRM-*"]}', set()),
        ('{ids: ["arn:aws:s3:::crm-logs", "arn:aws:s3:::ops-archive"]}', {"crm-logs", "ops-archive"}),
        ('{names: ["crm-?ata", "ops-*"]}', {"crm-data", "ops-archive"}),
        ("{tags: {env: dev}}", {"crm-logs", "ops-archive"}),
        ("{tags: {env: dev, team: crm}}", set()),
        ('{accounts: ["210987654321"]}', {"ops-archive"}),
        ('{regions: ["us-east-1"]}', {"crm-backup-us"}),
        ('{names: ["crm-*"], tags: {env: dev}}', {"crm-logs"}),
        ('{names: ["crm-*"], regions: ["ap-northeast-2"], accounts: ["123456789012"]}', {"crm-logs", "crm-data"}),
        ("{all: true}", BUCKETS),
    ],
)
def test_selectors(scan_dir: Path, checks: CheckSet, tmp_path: Path, selector: str, muted: set[str]) -> None:
    register = exceptions_register(tmp_path, exception(resources=selector))
    findings = by_name(evaluate(scan_dir, checks, exceptions=register))
    assert {name for name in BUCKETS if findings[(LOGGING, name)]["verdict"] == "MUTED"} == muted
    assert all(findings[(LOGGING, name)]["verdict"] == "FAIL" for name in BUCKETS - muted)


def test_a_control_exception_covers_every_check_of_that_control(
    scan_dir: Path, checks: CheckSet, tmp_path: Path
) -> None:
    register = exceptions_register(tmp_path, exception(target="control: ENC-01", resources="{tags: {env: dev}}"))
    findings = by_name(evaluate(scan_dir, checks, exceptions=register))
    assert findings[(CMK, "crm-logs")]["verdict"] == "MUTED" and findings[(CMK, "ops-archive")]["verdict"] == "MUTED"
    assert findings[(CMK, "crm-data")]["verdict"] == "FAIL"
    assert findings[(LOGGING, "crm-logs")]["verdict"] == "FAIL"  # LOG-02, not ENC-01


def test_overlapping_exceptions_the_first_in_force_applies_and_each_lists_the_finding(
    scan_dir: Path, checks: CheckSet, tmp_path: Path
) -> None:
    register = exceptions_register(
        tmp_path,
        exception("EXC-OLD", resources="{tags: {env: dev}}", created="2025-01-01", expires="2025-12-31"),
        exception("EXC-NAME", resources='{names: ["crm-logs"]}'),
        exception("EXC-TAG", resources="{tags: {env: dev}}"),
    )
    findings = by_name(evaluate(scan_dir, checks, exceptions=register))
    assert findings[(LOGGING, "crm-logs")]["exception"]["id"] == "EXC-NAME"
    assert findings[(LOGGING, "ops-archive")]["exception"]["id"] == "EXC-TAG"
    doc = read_json(scan_dir / "exceptions.json")
    matched = {e["id"]: sorted(f["resource_id"] for f in e["findings"]) for e in doc["exceptions"]}
    assert matched["EXC-TAG"] == ["arn:aws:s3:::crm-logs", "arn:aws:s3:::ops-archive"]
    assert matched["EXC-OLD"] == matched["EXC-TAG"]
    assert doc["totals"]["muted_findings"] == 2


def test_the_register_is_copied_byte_for_byte_and_its_digest_recorded(
    scan_dir: Path, checks: CheckSet, tmp_path: Path
) -> None:
    register = exceptions_register(tmp_path, exception())
    register.write_bytes(register.read_bytes().replace(b"\n", b"\r\n") + "# 승인: 2026-10-01\r\n".encode())
    evaluate(scan_dir, checks, exceptions=register)
    assert (scan_dir / "exceptions.yaml").read_bytes() == register.read_bytes()
    recorded = read_json(scan_dir / "exceptions.json")["register"]
    assert recorded == {
        "file": "exceptions.yaml",
        "source": "register.yaml",
        "sha256": hashlib.sha256(register.read_bytes()).hexdigest(),
    }


def test_results_are_deterministic(scan_dir: Path, checks: CheckSet, tmp_path: Path) -> None:
    register = exceptions_register(tmp_path, exception(), exception("EXC-2", f"check: {CMK}", "{tags: {env: dev}}"))
    evaluate(scan_dir, checks, exceptions=register)
    first = [(scan_dir / n).read_bytes() for n in ("findings.json", "exceptions.json")]
    evaluate(scan_dir, checks, exceptions=register)
    assert [(scan_dir / n).read_bytes() for n in ("findings.json", "exceptions.json")] == first


def test_evaluating_again_without_the_register_removes_its_results_but_not_a_users_own_file(
    scan_dir: Path, checks: CheckSet, tmp_path: Path
) -> None:
    register = exceptions_register(tmp_path, exception())
    evaluate(scan_dir, checks, exceptions=register)
    assert (scan_dir / "exceptions.json").is_file()
    results = evaluate(scan_dir, checks)
    assert not (scan_dir / "exceptions.json").exists() and not (scan_dir / "exceptions.yaml").exists()
    assert results.summary.verdicts["MUTED"] == 0
    own = write(scan_dir, "exceptions.yaml", "exceptions: []\n")
    evaluate(scan_dir, checks)
    assert own.read_text() == "exceptions: []\n"


def test_as_of_defaults_to_today_utc_and_is_recorded(scan_dir: Path, checks: CheckSet, tmp_path: Path) -> None:
    today = dt.datetime.now(dt.UTC).date()
    register = exceptions_register(
        tmp_path,
        exception(
            "EXC-LAPSED",
            resources='{names: ["crm-logs"]}',
            created="2020-01-01",
            expires=str(today - dt.timedelta(days=2)),
        ),
        exception(
            "EXC-NEW",
            resources='{names: ["crm-data"]}',
            created=str(today - dt.timedelta(days=1)),
            expires="2099-12-31",
        ),
    )
    from clearance.api import evaluate as library_evaluate

    findings = by_name(library_evaluate(scan_dir, checks=checks, exceptions=register))
    assert findings[(LOGGING, "crm-logs")]["verdict"] == "FAIL"
    assert findings[(LOGGING, "crm-data")]["verdict"] == "MUTED"
    recorded = dt.date.fromisoformat(read_json(scan_dir / "exceptions.json")["as_of"])
    assert recorded in (today, dt.datetime.now(dt.UTC).date())


def test_as_of_without_a_register_is_a_usage_error(scan_dir: Path, checks: CheckSet) -> None:
    from clearance.api import evaluate as library_evaluate

    with pytest.raises(UsageError, match="only with an exceptions or attestations register"):
        library_evaluate(scan_dir, checks=checks, as_of=AS_OF)


def test_an_exception_for_a_check_left_out_of_the_run_is_valid_and_unused(scan_dir: Path, tmp_path: Path) -> None:
    from clearance.api import default_checks
    from clearance.profile import load_profile

    only_cmk = default_checks(load_profile(), (CMK,))
    register = exceptions_register(tmp_path, exception(), exception("EXC-CMK", f"check: {CMK}"))
    results = evaluate(scan_dir, only_cmk, exceptions=register)
    assert {f["check_id"] for f in results.iter_findings()} == {CMK}
    statuses = {e["id"]: e["status"] for e in read_json(scan_dir / "exceptions.json")["exceptions"]}
    assert statuses == {"EXC-2026-001": "unused", "EXC-CMK": "applied"}
