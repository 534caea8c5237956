"""Framework files: a user's own framework loads without code; every mistake gets file:line:field."""

from __future__ import annotations

from pathlib import Path

import pytest

from clearance.engine.checks import CheckSet, load_checks
from clearance.errors import InputFileError, UsageError
from clearance.frameworks.loader import load_framework, load_framework_file
from clearance.frameworks.model import RequirementClass

HEADER = """\
framework: bank-internal
version: "2026.1"
title: {en: Bank internal cloud standard, ko: 은행 내부 클라우드 기준}
publisher: Example Bank
kind: internal
source: Internal standard IS-7
providers: [aws, gcp]
requirements:
"""
GOOD = (
    HEADER
    + """\
  - id: CS-1
    title: {en: Encrypt with our keys, ko: 자체 키로 암호화}
    class: automated
    controls: [ENC-01]
  - id: CS-2
    title: {en: Access logs reviewed monthly, ko: 접속기록 월 1회 점검}
    class: {aws: partial, gcp: manual}
    controls: [LOG-07]
    attestation: {en: Monthly review minutes, ko: 월간 점검 회의록}
  - id: CS-3
    title: {en: Deny plain HTTP on S3, ko: S3 비암호화 전송 거부}
    class: {aws: automated, gcp: not_applicable}
    checks: [aws-s3-bucket-secure-transport]
    note: {en: S3 only, ko: S3 전용}
"""
)


@pytest.fixture(scope="module")
def checks() -> CheckSet:
    return load_checks()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(text, "utf-8")
    return path


def test_user_framework_loads(tmp_path: Path, checks: CheckSet) -> None:
    fw = load_framework(write(tmp_path, GOOD), checks)
    assert fw.id == "bank-internal" and fw.providers == ("aws", "gcp")
    cs2 = fw.requirements[1]
    assert cs2.class_for("aws") is RequirementClass.PARTIAL and cs2.class_for("gcp") is RequirementClass.MANUAL
    assert cs2.class_for("azure") is RequirementClass.NOT_APPLICABLE  # not a provider of this framework
    assert fw.requirements[2].checks == ("aws-s3-bucket-secure-transport",)
    assert len(fw.sha256) == 64


@pytest.mark.parametrize(
    ("edit", "line", "field", "fragment"),
    [
        (("controls: [ENC-01]", "controls: [ENC-1]"), 12, "requirements[0].controls[0]", "does not match"),
        (("controls: [ENC-01]", "controls: [ENC-08]"), 12, "requirements[0].controls", "unknown control id 'ENC-08'"),
        (
            ("checks: [aws-s3-bucket-secure-transport]", "checks: [aws-s3-nope]"),
            21,
            "requirements[2].checks",
            "unknown check id 'aws-s3-nope'",
        ),
        (("id: CS-2", "id: CS-1"), 13, "requirements[1].id", "duplicate requirement id 'CS-1' (first at line 9)"),
        (
            ("class: {aws: partial, gcp: manual}", "class: {aws: partial}"),
            15,
            "requirements[1].class",
            "no class for provider 'gcp'",
        ),
        (
            ("class: {aws: partial, gcp: manual}", "class: {aws: partial, gcp: manual, azure: manual}"),
            15,
            "requirements[1].class",
            "'azure', which is not in the framework's providers",
        ),
        (
            ("    attestation: {en: Monthly review minutes, ko: 월간 점검 회의록}\n", ""),
            13,
            "requirements[1].attestation",
            "say what to attest",
        ),
        (("    note: {en: S3 only, ko: S3 전용}\n", ""), 18, "requirements[2].note", "the note must say why"),
        (
            ("class: {aws: partial, gcp: manual}", "class: automated"),
            15,
            "requirements[1].class",
            "CS-2 is automated on gcp, but no gcp check is selected by controls LOG-07",
        ),
        (("kind: internal", "kind: law"), 5, "kind", "is not one of"),
        (
            ("title: {en: Encrypt with our keys, ko: 자체 키로 암호화}", "title: {en: Encrypt with our keys}"),
            10,
            "requirements[0].title",
            "'ko' is a required property",
        ),
        (
            ("    controls: [ENC-01]\n", "    controls: [ENC-01]\n    severity: high\n"),
            13,
            "requirements[0].severity",
            "unknown key 'severity'",
        ),
    ],
)
def test_bad_framework_is_named_precisely(
    tmp_path: Path, checks: CheckSet, edit: tuple[str, str], line: int, field: str, fragment: str
) -> None:
    assert edit[0] in GOOD
    path = write(tmp_path, GOOD.replace(edit[0], edit[1], 1))
    with pytest.raises(InputFileError) as caught:
        load_framework_file(path, checks)
    err = caught.value
    assert err.file == str(path)
    assert err.field == field
    assert err.line == line, str(err)
    assert fragment in err.detail, err.detail


def test_malformed_yaml(tmp_path: Path, checks: CheckSet) -> None:
    path = write(tmp_path, HEADER + "  - id: [unclosed\n")
    with pytest.raises(InputFileError) as caught:
        load_framework_file(path, checks)
    assert caught.value.file == str(path) and caught.value.line is not None


def test_unknown_framework_id_lists_the_builtin_ones(checks: CheckSet) -> None:
    with pytest.raises(UsageError, match=r"unknown framework 'nope'.*built-in: ") as caught:
        load_framework("nope", checks)
    assert not isinstance(caught.value, InputFileError)


def test_missing_framework_file(tmp_path: Path, checks: CheckSet) -> None:
    with pytest.raises(UsageError, match="no such file"):
        load_framework(tmp_path / "absent.yaml", checks)
