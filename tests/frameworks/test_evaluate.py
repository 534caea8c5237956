"""The rules that turn findings, coverage and attestations into one answer per requirement."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from clearance.engine.checks import CheckSet, load_checks
from clearance.frameworks.evaluate import Attestations, evaluate_framework, tally
from clearance.frameworks.loader import load_framework_file
from clearance.frameworks.model import Framework, RequirementResult, RequirementStatus

FRAMEWORK = """\
framework: rules
version: "1"
title: {en: Rules, ko: 규칙}
publisher: test
kind: internal
source: test
providers: [gcp]
requirements:
  - id: ENC
    title: {en: CMEK on buckets, ko: 버킷 CMEK}
    class: automated
    checks: [gcp-storage-bucket-cmk-encryption]
  - id: LOGS
    title: {en: Log retention, ko: 로그 보존}
    class: partial
    checks: [gcp-logging-bucket-retention]
    controls: [LOG-05]
    attestation: {en: Retention policy approved, ko: 보존 정책 승인}
  - id: COMMITTEE
    title: {en: Committee resolution, ko: 위원회 의결}
    class: manual
    attestation: {en: Minutes, ko: 회의록}
  - id: REVIEW
    title: {en: Monthly review, ko: 월간 점검}
    class: manual
    controls: [LOG-07]
    attestation: {en: Review records, ko: 점검 기록}
  - id: MIXED
    title: {en: Encryption and alerting, ko: 암호화와 경보}
    class: automated
    controls: [ENC-02, LOG-07]
"""
CHECK = "gcp-storage-bucket-cmk-encryption"


@pytest.fixture(scope="module")
def checks() -> CheckSet:
    return load_checks()


@pytest.fixture(scope="module")
def framework(tmp_path_factory: pytest.TempPathFactory, checks: CheckSet) -> Framework:
    path: Path = tmp_path_factory.mktemp("fw") / "rules.yaml"
    path.write_text(FRAMEWORK, "utf-8")
    return load_framework_file(path, checks)


def finding(check: str, verdict: str, resource: str = "b1", **extra: Any) -> dict[str, Any]:
    return {
        "check_id": check,
        "verdict": verdict,
        "resource": {"id": resource, "account": "p1", "region": "asia-northeast3"},
        **extra,
    }


def cover(check: str, status: str = "evaluated") -> dict[str, Any]:
    return {"check_id": check, "status": status}


def answer(
    framework: Framework,
    checks: CheckSet,
    requirement: str,
    findings: Sequence[dict[str, Any]],
    coverage: Sequence[dict[str, Any]],
    attestations: Sequence[dict[str, Any]] = (),
) -> RequirementResult:
    result = evaluate_framework(
        framework, "gcp", checks, tally(findings, coverage), Attestations.from_json({"attestations": attestations})
    )
    return next(r for r in result.results if r.requirement.id == requirement)


def test_all_pass_is_satisfied(framework: Framework, checks: CheckSet) -> None:
    r = answer(framework, checks, "ENC", [finding(CHECK, "PASS"), finding(CHECK, "PASS", "b2")], [cover(CHECK)])
    assert r.status is RequirementStatus.SATISFIED
    assert r.verdicts == {"PASS": 2} and r.checks == (CHECK,)
    assert "2 passing" in r.reason["en"] and "충족 2건" in r.reason["ko"]


def test_one_failure_fails_the_requirement_and_is_listed(framework: Framework, checks: CheckSet) -> None:
    found = [finding(CHECK, "PASS"), finding(CHECK, "FAIL", "bad"), finding(CHECK, "ERROR", "unknown")]
    r = answer(framework, checks, "ENC", found, [cover(CHECK)])
    assert r.status is RequirementStatus.NOT_SATISFIED
    assert [(f.resource_id, f.verdict) for f in r.findings] == [("bad", "FAIL"), ("unknown", "ERROR")]
    assert r.findings_total == 2 and CHECK in r.reason["en"]


@pytest.mark.parametrize(
    ("found", "coverage"),
    [
        ([finding(CHECK, "PASS"), finding(CHECK, "ERROR", "b2")], [cover(CHECK)]),
        ([finding(CHECK, "PASS"), finding(CHECK, "NEEDS_CONTEXT", "b2")], [cover(CHECK)]),
        ([finding(CHECK, "PASS")], [cover(CHECK), cover(CHECK, "not_evaluated")]),
        ([], []),
    ],
    ids=["error", "needs-context", "coverage-gap", "check-never-ran"],
)
def test_missing_data_is_never_satisfied(
    framework: Framework, checks: CheckSet, found: list[dict[str, Any]], coverage: list[dict[str, Any]]
) -> None:
    r = answer(framework, checks, "ENC", found, coverage)
    assert r.status is RequirementStatus.NOT_EVALUATED


def test_no_resources_in_scope_is_not_applicable(framework: Framework, checks: CheckSet) -> None:
    r = answer(framework, checks, "ENC", [], [cover(CHECK, "no_resources")])
    assert r.status is RequirementStatus.NOT_APPLICABLE
    assert "No resources" in r.reason["en"]


def test_muted_failure_holds_but_names_the_exception(framework: Framework, checks: CheckSet) -> None:
    muted = finding(CHECK, "MUTED", "legacy", underlying_verdict="FAIL", exception={"id": "EXC-1", "status": "applied"})
    r = answer(framework, checks, "ENC", [finding(CHECK, "PASS"), muted], [cover(CHECK)])
    assert r.status is RequirementStatus.SATISFIED
    assert r.exceptions == ("EXC-1",)
    assert r.findings[0].underlying_verdict == "FAIL" and r.findings[0].exception == "EXC-1"
    assert "EXC-1" in r.reason["en"]


RET = "gcp-logging-bucket-retention"


def att(att_id: str, status: str = "valid", **covers: Any) -> dict[str, Any]:
    return {"id": att_id, "status": status, "covers": covers}


def test_partial_needs_its_attestation(framework: Framework, checks: CheckSet) -> None:
    found, coverage = [finding(RET, "PASS")], [cover(RET)]
    assert answer(framework, checks, "LOGS", found, coverage).status is RequirementStatus.PARTLY
    direct = att("ATT-1", requirements=[{"framework": "rules", "id": "LOGS"}])
    r = answer(framework, checks, "LOGS", found, coverage, [direct])
    assert r.status is RequirementStatus.SATISFIED and r.attestations == ("ATT-1",)
    expired = att("ATT-0", "expired", requirements=[{"framework": "rules", "id": "LOGS"}])
    r = answer(framework, checks, "LOGS", found, coverage, [expired])
    assert r.status is RequirementStatus.PARTLY and r.expired_attestations == ("ATT-0",)
    assert "ATT-0" in r.reason["en"]
    other_framework = att("ATT-2", requirements=[{"framework": "isms-p-2023", "id": "LOGS"}])
    assert answer(framework, checks, "LOGS", found, coverage, [other_framework]).status is RequirementStatus.PARTLY


def test_partial_fails_on_its_checks_whatever_the_attestation(framework: Framework, checks: CheckSet) -> None:
    direct = att("ATT-1", requirements=[{"framework": "rules", "id": "LOGS"}])
    r = answer(framework, checks, "LOGS", [finding(RET, "FAIL")], [cover(RET)], [direct])
    assert r.status is RequirementStatus.NOT_SATISFIED


def test_manual_requirement(framework: Framework, checks: CheckSet) -> None:
    assert answer(framework, checks, "COMMITTEE", [], []).status is RequirementStatus.MANUAL_PENDING
    ok = att("ATT-5", requirements=[{"framework": "rules", "id": "COMMITTEE"}])
    r = answer(framework, checks, "COMMITTEE", [], [], [ok])
    assert r.status is RequirementStatus.SATISFIED and "ATT-5" in r.reason["en"]
    late = att("ATT-6", "not_yet_valid", requirements=[{"framework": "rules", "id": "COMMITTEE"}])
    assert answer(framework, checks, "COMMITTEE", [], [], [late]).status is RequirementStatus.MANUAL_PENDING


def test_a_control_attestation_does_not_stand_in_for_a_manual_requirement(
    framework: Framework, checks: CheckSet
) -> None:
    r = answer(framework, checks, "REVIEW", [], [], [att("A", controls=["LOG-07"])])
    assert r.status is RequirementStatus.MANUAL_PENDING


def test_control_without_a_check_on_this_cloud_makes_it_partly(framework: Framework, checks: CheckSet) -> None:
    rotation = [c.id for c in checks.checks if c.provider == "gcp" and "ENC-02" in c.controls]
    found, coverage = [finding(c, "PASS") for c in rotation], [cover(c) for c in rotation]
    r = answer(framework, checks, "MIXED", found, coverage)
    assert r.status is RequirementStatus.PARTLY
    assert r.uncovered_controls == ("LOG-07",) and "LOG-07" in r.reason["en"]
    # an attestation of the uncovered control fills the gap; one of another control does not
    r = answer(framework, checks, "MIXED", found, coverage, [att("ALERTS", controls=["LOG-07"])])
    assert r.status is RequirementStatus.SATISFIED and r.attestations == ("ALERTS",)
    assert answer(framework, checks, "MIXED", found, coverage, [att("X", controls=["LOG-05"])]).status is (
        RequirementStatus.PARTLY
    )


def test_manual_check_needs_an_attestation_of_that_check(framework: Framework, checks: CheckSet) -> None:
    found, coverage = [finding(CHECK, "PASS"), finding(CHECK, "MANUAL", "b2")], [cover(CHECK)]
    assert answer(framework, checks, "ENC", found, coverage).status is RequirementStatus.MANUAL_PENDING
    attested = [
        finding(CHECK, "PASS"),
        finding(CHECK, "MANUAL", "b2", manual_attestation={"id": "K", "status": "valid"}),
    ]
    assert answer(framework, checks, "ENC", attested, coverage).status is RequirementStatus.SATISFIED
    expired = [finding(CHECK, "MANUAL", "b2", manual_attestation={"id": "K", "status": "expired"})]
    assert answer(framework, checks, "ENC", expired, coverage).status is RequirementStatus.MANUAL_PENDING


def test_requirements_of_another_cloud_are_not_applicable(framework: Framework, checks: CheckSet) -> None:
    result = evaluate_framework(framework, "aws", checks, {}, None)
    assert {r.status for r in result.results} == {RequirementStatus.NOT_APPLICABLE}
