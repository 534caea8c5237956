"""From condition outcomes to verdicts: the rules that keep missing data from becoming PASS."""

from __future__ import annotations

from .helpers import make_check, record, run_check

RESIDENCY = {
    "preconditions": [
        {"when": {"not": {"data_class": "regulated"}}, "verdict": "NOT_APPLICABLE", "reason": "No regulated data."}
    ],
    "condition": {"path": "@region", "in": {"param": "residency_regions"}},
}


def test_pass_fail_and_reason() -> None:
    check = make_check(condition={"path": "Op.A", "eq": 1})
    assert run_check(check, record({"Op": {"A": 1}}))["verdict"] == "PASS"
    finding = run_check(check, record({"Op": {"A": 2}}))
    assert finding["verdict"] == "FAIL" and finding["reason"].startswith("Op.A is 2")
    assert finding["observed"][0]["source"] == {"file": "raw/aws/x.jsonl", "line": 1, "pointer": "/data/Op/A"}


def test_denied_call_is_error_with_the_collection_error_attached() -> None:
    check = make_check(condition={"path": "Op.A", "eq": 1})
    rec = record({})
    rec["errors"] = {
        "Op": {"operation": "Op", "code": "AccessDenied", "message": "", "permission": "svc:Op", "denied": True}
    }
    finding = run_check(check, rec)
    assert finding["verdict"] == "ERROR"
    assert finding["error"]["permission"] == "svc:Op" and "svc:Op" in finding["reason"]


def test_missing_field_is_error_not_pass() -> None:
    finding = run_check(make_check(condition={"path": "Op.A", "ne": 1}), record({"Op": {}}))
    assert finding["verdict"] == "ERROR"


def test_residency_known_regulated_outside_korea_fails() -> None:
    rec = record(region="us-east-1", tags={"data-class": "personal-credit"})
    assert run_check(make_check(**RESIDENCY), rec)["verdict"] == "FAIL"


def test_residency_unknown_data_class_inside_korea_passes() -> None:
    assert run_check(make_check(**RESIDENCY), record())["verdict"] == "PASS"


def test_residency_unknown_data_class_outside_korea_needs_context() -> None:
    finding = run_check(make_check(**RESIDENCY), record(region="us-east-1"))
    assert finding["verdict"] == "NEEDS_CONTEXT" and "data class unknown" in finding["reason"].lower()


def test_residency_known_unregulated_is_not_applicable() -> None:
    finding = run_check(make_check(**RESIDENCY), record(region="us-east-1", tags={"data-class": "public"}))
    assert finding["verdict"] == "NOT_APPLICABLE" and finding["reason"].startswith("No regulated data.")


def test_manual_check_is_manual() -> None:
    finding = run_check(make_check(manual="Rotation of imported key material needs evidence."), record())
    assert finding["verdict"] == "MANUAL"


def test_needs_context_from_profile_range() -> None:
    check = make_check(condition={"path": "Op.Days", "gte": {"param": "access_log_retention_days"}})
    finding = run_check(check, record({"Op": {"Days": 400}}))
    assert finding["verdict"] == "NEEDS_CONTEXT"
    assert finding["observed"][0]["expected"] == {"base": 365, "elevated": 730}
