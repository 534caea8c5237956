from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clearance.content import checks_dir
from clearance.engine.checks import load_checks
from clearance.errors import InputFileError, UsageError

GOOD = """\
id: aws-s3-demo-check
provider: aws
resource_type: aws.s3.bucket
title: {en: Demo, ko: 데모}
severity: low
controls: [ENC-01]
rationale: {en: r, ko: r}
remediation: {en: m, ko: m}
condition:
  path: GetBucketVersioning.Status
  eq: Enabled
"""


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    root = tmp_path / "checks"
    (root / "aws" / "s3").mkdir(parents=True)
    shutil.copy(checks_dir() / "controls.yaml", root / "controls.yaml")
    return root


def _write(pack: Path, text: str, name: str = "aws-s3-demo-check.yaml") -> Path:
    path = pack / "aws" / "s3" / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_check_loads(pack: Path) -> None:
    _write(pack, GOOD)
    loaded = load_checks(pack)
    assert [c.id for c in loaded.checks] == ["aws-s3-demo-check"]
    assert loaded.checks[0].operations == frozenset({"GetBucketVersioning"})


@pytest.mark.parametrize(
    ("mutate", "line", "fragment"),
    [
        (lambda t: t.replace("controls: [ENC-01]", "controls: [ENC-99]"), 6, "unknown control id 'ENC-99'"),
        (lambda t: t.replace("severity: low", "severity: urgent"), 5, "'urgent' is not one of"),
        (lambda t: t.replace("  eq: Enabled", "  equals: Enabled"), 10, "unexpected keys"),
        (lambda t: t.replace("title: {en: Demo, ko: 데모}", "title: {en: Demo}"), 4, "'ko' is a required property"),
        (lambda t: t + "extra_field: 1\n", 12, "unknown key 'extra_field'"),
        (lambda t: t.replace("GetBucketVersioning.Status", "GetBucketVersioning..Status"), 10, "empty segment"),
        (lambda t: t.replace("id: aws-s3-demo-check", "id: aws-s3-other-check"), 1, "file name must equal"),
        (lambda t: t.replace("  eq: Enabled", "  eq: [unclosed"), None, "invalid YAML"),
    ],
)
def test_bad_checks_fail_with_file_line_and_reason(pack: Path, mutate, line: int | None, fragment: str) -> None:
    _write(pack, mutate(GOOD))
    with pytest.raises(InputFileError) as info:
        load_checks(pack)
    assert "aws-s3-demo-check.yaml" in str(info.value) and fragment in str(info.value)
    if line is not None:
        assert info.value.line == line


def test_unknown_resource_type_is_rejected_when_types_are_known(pack: Path) -> None:
    _write(pack, GOOD.replace("aws.s3.bucket", "aws.s3.bukket"))
    with pytest.raises(InputFileError, match=r"unknown resource type 'aws\.s3\.bukket'"):
        load_checks(pack, resource_types={"aws": frozenset({"aws.s3.bucket"})})


def test_duplicate_ids_and_unknown_selection(pack: Path) -> None:
    _write(pack, GOOD)
    (pack / "aws" / "kms").mkdir()
    (pack / "aws" / "kms" / "aws-s3-demo-check.yaml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(InputFileError, match="duplicate check id"):
        load_checks(pack)


def test_selecting_an_unknown_check_id_is_a_usage_error(pack: Path) -> None:
    _write(pack, GOOD)
    with pytest.raises(UsageError, match="unknown check id"):
        load_checks(pack, ids=["aws-s3-nope"])


def test_the_shipped_content_pack_loads_against_real_types_and_profile() -> None:
    from clearance.api import default_checks
    from clearance.profile import load_profile

    loaded = default_checks(load_profile())
    assert loaded.checks, "content pack is empty"
    for check in loaded.checks:
        assert check.title["ko"] and check.rationale["ko"] and check.remediation["ko"], check.id
