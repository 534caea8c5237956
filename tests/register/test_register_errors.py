"""Every bad register is refused before the engine runs, naming file, line and field."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from clearance.engine.checks import CheckSet
from clearance.errors import InputFileError
from clearance.register import load_attestations, load_exceptions

from .support import write

EXCEPTION = """\
exceptions:
  - id: EXC-1
    check: aws-s3-bucket-access-logging
    resources: {all: true}
    justification: j
    approver: a
    created: 2026-10-01
    expires: 2027-03-31
"""

COVERS = """\
      - control: ENC-02
      - check: aws-kms-key-rotation-evidence
      - requirement: {framework: isms-p-2023, id: "2.9.5"}
"""

ATTESTATION = f"""\
attestations:
  - id: ATT-1
    covers:
{COVERS}\
    statement: s
    owner: o
    evidence: [reviews/rotation.pdf]
    created: 2026-11-01
    expires: 2027-05-01
"""


def _edit(base: str, old: str, new: str) -> str:
    assert base.count(old) == 1, old
    return base.replace(old, new)


def _expect(error: InputFileError, line: int | None, field: str | None, fragment: str) -> None:
    assert (error.line, error.field) == (line, field), str(error)
    assert fragment in error.detail, str(error)
    where = f"{error.file}:{line}" if line else error.file
    assert error.file.endswith(".yaml") and str(error).startswith(where), str(error)
    assert f"(field '{field}')" in str(error) if field else "(field" not in str(error)


EXCEPTION_CASES = [
    (
        "unknown check",
        ("check: aws-s3-bucket-access-logging", "check: aws-s3-bucket-acess-logging"),
        3,
        "exceptions[0].check",
        "unknown check id 'aws-s3-bucket-acess-logging' (did you mean 'aws-s3-bucket-access-logging'",
    ),
    (
        "unknown control",
        ("check: aws-s3-bucket-access-logging", "control: LOG-99"),
        3,
        "exceptions[0].control",
        "unknown control id 'LOG-99'",
    ),
    (
        "check and control",
        ("    resources:", "    control: LOG-02\n    resources:"),
        2,
        "exceptions[0]",
        "give exactly one of check, control (found check, control)",
    ),
    (
        "neither check nor control",
        ("    check: aws-s3-bucket-access-logging\n", ""),
        2,
        "exceptions[0]",
        "give exactly one of check, control (found none)",
    ),
    (
        "expires before created",
        ("expires: 2027-03-31", "expires: 2026-09-30"),
        8,
        "exceptions[0].expires",
        "expires (2026-09-30) is before created (2026-10-01)",
    ),
    (
        "impossible date",
        ("created: 2026-10-01", "created: 2026-02-30"),
        7,
        "exceptions[0].created",
        "invalid value '2026-02-30'",
    ),
    (
        "impossible quoted date",
        ("created: 2026-10-01", 'created: "2026-02-30"'),
        7,
        "exceptions[0].created",
        "'2026-02-30' is not a valid date",
    ),
    (
        "date in another format",
        ("created: 2026-10-01", "created: 01/10/2026"),
        7,
        "exceptions[0].created",
        "'01/10/2026' does not match",
    ),
    (
        "date with a time",
        ("created: 2026-10-01", "created: 2026-10-01T09:00:00Z"),
        7,
        "exceptions[0].created",
        "a date must be a day (YYYY-MM-DD) without a time",
    ),
    (
        "empty selector",
        ("resources: {all: true}", "resources: {}"),
        4,
        "exceptions[0].resources",
        "empty selector: name at least one of ids, names, accounts, regions, tags, or all: true",
    ),
    (
        "all with other fields",
        ("resources: {all: true}", 'resources: {all: true, names: ["x"]}'),
        4,
        "exceptions[0].resources.all",
        "all: true covers every resource; remove names or remove all",
    ),
    ("all false", ("resources: {all: true}", "resources: {all: false}"), 4, "exceptions[0].resources.all", "True"),
    (
        "unknown key in an exception",
        ("    approver: a\n", "    approver: a\n    owner: b\n"),
        7,
        "exceptions[0].owner",
        "unknown key 'owner'",
    ),
    (
        "unknown key in a selector",
        ("resources: {all: true}", 'resources: {name: ["x"]}'),
        4,
        "exceptions[0].resources.name",
        "unknown key 'name'",
    ),
    ("missing approver", ("    approver: a\n", ""), 2, "exceptions[0]", "'approver' is a required property"),
    (
        "empty id list",
        ("resources: {all: true}", "resources: {ids: []}"),
        4,
        "exceptions[0].resources.ids",
        "should be non-empty",
    ),
    (
        "unquoted account id",
        ("resources: {all: true}", "resources: {accounts: [123456789012]}"),
        4,
        "exceptions[0].resources.accounts[0]",
        "is not of type 'string'",
    ),
    ("bad id", ("id: EXC-1", "id: EXC 1"), 2, "exceptions[0].id", "does not match"),
]


@pytest.mark.parametrize(
    ("edit", "line", "field", "fragment"), [c[1:] for c in EXCEPTION_CASES], ids=[c[0] for c in EXCEPTION_CASES]
)
def test_bad_exception_registers(
    checks: CheckSet, tmp_path: Path, edit: tuple[str, str], line: int, field: str, fragment: str
) -> None:
    path = write(tmp_path, "register.yaml", _edit(EXCEPTION, *edit))
    with pytest.raises(InputFileError) as caught:
        load_exceptions(path, checks)
    _expect(caught.value, line, field, fragment)


def test_duplicate_exception_ids(checks: CheckSet, tmp_path: Path) -> None:
    path = write(tmp_path, "register.yaml", EXCEPTION + EXCEPTION.split("\n", 1)[1])
    with pytest.raises(InputFileError) as caught:
        load_exceptions(path, checks)
    _expect(caught.value, 9, "exceptions[1].id", "duplicate id 'EXC-1' (first at line 2)")


@pytest.mark.parametrize(
    ("text", "line", "field", "fragment"),
    [
        ("exception: []\n", 1, "(document)", "'exceptions' is a required property"),
        ("exceptions: {}\n", 1, "exceptions", "is not of type 'array'"),
        ("exceptions: [\n", 2, None, "invalid YAML"),
        ("", None, None, "expected exactly one YAML document"),
    ],
)
def test_malformed_registers(checks: CheckSet, tmp_path: Path, text: str, line: int, field: str, fragment: str) -> None:
    path = write(tmp_path, "register.yaml", text)
    with pytest.raises(InputFileError) as caught:
        load_exceptions(path, checks)
    _expect(caught.value, line, field, fragment)


def test_unreadable_registers(checks: CheckSet, tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"missing\.yaml: cannot read file"):
        load_exceptions(tmp_path / "missing.yaml", checks)
    (tmp_path / "latin1.yaml").write_bytes(b"exceptions: []\n# caf\xe9\n")
    with pytest.raises(InputFileError, match=r"latin1\.yaml: not valid UTF-8 \(byte 20\)"):
        load_exceptions(tmp_path / "latin1.yaml", checks)


@pytest.fixture
def evidence(tmp_path: Path) -> Path:
    return write(tmp_path, "reviews/rotation.pdf", "%PDF-1.7 key custodian's rotation record\n")


ATTESTATION_CASES = [
    (
        "unknown check",
        ("check: aws-kms-key-rotation-evidence", "check: aws-kms-key-rotation-evidense"),
        5,
        "attestations[0].covers[1].check",
        "unknown check id 'aws-kms-key-rotation-evidense' (did you mean 'aws-kms-key-rotation-evidence'",
    ),
    (
        "unknown control",
        ("control: ENC-02", "control: ENC-2"),
        4,
        "attestations[0].covers[0].control",
        "unknown control id 'ENC-2'",
    ),
    (
        "two kinds in one item",
        ("- control: ENC-02", "- {control: ENC-02, check: aws-kms-key-rotation-evidence}"),
        4,
        "attestations[0].covers[0]",
        "give exactly one of check, control, requirement (found check, control)",
    ),
    ("empty item", ("- control: ENC-02", "- {}"), 4, "attestations[0].covers[0]", "(found none)"),
    (
        "requirement without id",
        ('{framework: isms-p-2023, id: "2.9.5"}', "{framework: isms-p-2023}"),
        6,
        "attestations[0].covers[2].requirement",
        "'id' is a required property",
    ),
    ("no covers", ("    covers:\n" + COVERS, "    covers: []\n"), 3, "attestations[0].covers", "should be non-empty"),
    (
        "missing evidence file",
        ("[reviews/rotation.pdf]", "[reviews/missing.pdf]"),
        9,
        "attestations[0].evidence[0]",
        "evidence file not found",
    ),
    (
        "absolute evidence path",
        ("[reviews/rotation.pdf]", "[/etc/passwd]"),
        9,
        "attestations[0].evidence[0]",
        "give a path relative to the register's directory",
    ),
    (
        "evidence outside the register's directory",
        ("[reviews/rotation.pdf]", "[reviews/../../secret.txt]"),
        9,
        "attestations[0].evidence[0]",
        "'..' is not allowed",
    ),
    (
        "backslashes",
        ("[reviews/rotation.pdf]", '["reviews\\\\rotation.pdf"]'),
        9,
        "attestations[0].evidence[0]",
        "use '/' between folders",
    ),
    ("a directory", ("[reviews/rotation.pdf]", "[reviews]"), 9, "attestations[0].evidence[0]", "not a regular file"),
    (
        "expires before created",
        ("expires: 2027-05-01", "expires: 2026-10-31"),
        11,
        "attestations[0].expires",
        "expires (2026-10-31) is before created (2026-11-01)",
    ),
    (
        "unknown key",
        ("    owner: o\n", "    owner: o\n    approver: x\n"),
        9,
        "attestations[0].approver",
        "unknown key 'approver'",
    ),
    ("missing statement", ("    statement: s\n", ""), 2, "attestations[0]", "'statement' is a required property"),
]


@pytest.mark.parametrize(
    ("edit", "line", "field", "fragment"), [c[1:] for c in ATTESTATION_CASES], ids=[c[0] for c in ATTESTATION_CASES]
)
def test_bad_attestation_registers(
    checks: CheckSet, tmp_path: Path, evidence: Path, edit: tuple[str, str], line: int, field: str, fragment: str
) -> None:
    path = write(tmp_path, "register.yaml", _edit(ATTESTATION, *edit))
    with pytest.raises(InputFileError) as caught:
        load_attestations(path, checks)
    _expect(caught.value, line, field, fragment)


def test_the_valid_attestation_register_loads(checks: CheckSet, tmp_path: Path, evidence: Path) -> None:
    register = load_attestations(write(tmp_path, "register.yaml", ATTESTATION), checks)
    (entry,) = register.entries
    assert entry.controls == ("ENC-02",) and entry.checks == ("aws-kms-key-rotation-evidence",)
    assert entry.requirements == (("isms-p-2023", "2.9.5"),)
    assert entry.evidence[0].size == evidence.stat().st_size


def test_duplicate_attestation_ids(checks: CheckSet, tmp_path: Path, evidence: Path) -> None:
    path = write(tmp_path, "register.yaml", ATTESTATION + ATTESTATION.split("\n", 1)[1])
    with pytest.raises(InputFileError) as caught:
        load_attestations(path, checks)
    _expect(caught.value, 12, "attestations[1].id", "duplicate id 'ATT-1' (first at line 2)")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
@pytest.mark.parametrize("link", ["file", "folder"])
def test_symbolic_links_to_evidence_are_refused(checks: CheckSet, tmp_path: Path, evidence: Path, link: str) -> None:
    elsewhere = write(tmp_path, "elsewhere/rotation.pdf", "outside\n")
    if link == "file":
        (tmp_path / "reviews" / "linked.pdf").symlink_to(elsewhere)
        text = _edit(ATTESTATION, "[reviews/rotation.pdf]", "[reviews/linked.pdf]")
    else:
        (tmp_path / "linked").symlink_to(elsewhere.parent, target_is_directory=True)
        text = _edit(ATTESTATION, "[reviews/rotation.pdf]", "[linked/rotation.pdf]")
    with pytest.raises(InputFileError) as caught:
        load_attestations(write(tmp_path, "register.yaml", text), checks)
    _expect(caught.value, 9, "attestations[0].evidence[0]", "is a symbolic link; copy the file instead")
