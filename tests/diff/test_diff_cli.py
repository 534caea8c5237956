"""``clearance diff`` on the command line: JSON against its schema, exit codes, human output, bad input."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from clearance.content import schema_path
from clearance.errors import ExitCode

from ..test_cli import assert_clean_error, run_cli
from .scans import EditableScan, Finding, exceptions_results, key, pick


def validate(document: dict[str, Any]) -> None:
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    names = ("diff.schema.json", "findings.schema.json", "coverage.schema.json")
    schemas = {n: json.loads(schema_path(n).read_text("utf-8")) for n in names}
    registry = Registry().with_resources((s["$id"], Resource.from_contents(s)) for s in schemas.values())
    Draft202012Validator.check_schema(schemas["diff.schema.json"])
    Draft202012Validator(schemas["diff.schema.json"], registry=registry).validate(document)


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wide console, so table cells are not folded in the middle of the phrases asserted on."""
    monkeypatch.setenv("COLUMNS", "250")


@pytest.fixture
def changed(copy_scan: Callable[[str], EditableScan]) -> EditableScan:
    """A NEW scan with one change of every kind: a new failure, a fix, a changed verdict, an added and a removed
    finding (failing), a coverage gap, a scope change, a profile change, a new exceptions register."""
    new = copy_scan("new")
    findings = new.findings()
    to_fail, template = pick(findings, "PASS", 2)
    to_pass, to_error, dropped, gap = pick(findings, "FAIL", 4)
    added = {**template, "resource": {**template["resource"], "id": template["resource"]["id"] + "-b"}}
    where = (gap["check_id"], "gcp", gap["resource"]["account"], gap["resource"]["region"])
    verdicts = {key(to_fail): "FAIL", key(to_pass): "PASS", key(to_error): "ERROR"}

    def change(found: list[Finding]) -> list[Finding]:
        kept = [f for f in found if key(f) != key(dropped) and key(f)[:4] != where]
        return [{**f, "verdict": verdicts.get(key(f), f["verdict"])} for f in kept] + [added]

    new.edit(change, complete=False)
    entries = new.coverage()
    for entry in entries:
        if (entry["check_id"], entry["provider"], entry["account"], entry["region"]) == where:
            error = {
                "operation": "List",
                "code": "AccessDenied",
                "message": "no",
                "permission": "p.list",
                "denied": True,
            }
            entry.update(status="not_evaluated", resources=0, errors=0, error=error)
    new.write_coverage(entries)
    meta = new.read("scan.json")
    meta["scope"]["exclude"] = ["*-sandbox-*"]
    meta["profile"]["sha256"] = "e" * 64
    new.write("scan.json", meta)
    profile = new.read("profile.json")
    profile["parameters"]["key_rotation_max_days"]["value"] = 180
    new.write("profile.json", profile)
    (new.root / "exceptions.yaml").write_text("exceptions: []\n")
    new.write("exceptions.json", exceptions_results(("EX-7", "applied", 1)))
    return new


def test_json_output_validates_against_the_published_schema(demo_package: Path, changed: EditableScan) -> None:
    code, out, err = run_cli("diff", str(demo_package), str(changed.root), "--json")
    assert code == ExitCode.OK, err
    document = json.loads(out)
    validate(document)
    counts = document["findings"]["counts"]
    assert all(counts[c] for c in ("new_failures", "fixed", "changed", "added", "removed", "removed_failing"))
    assert document["coverage"]["counts"]["gaps_opened"] == 1
    assert document["scope"]["changed"] and document["profile"]["changed"]
    assert document["registers"]["exceptions"]["changed"]


def test_identical_json_output_validates_too(demo_scan: Path, demo_package: Path) -> None:
    code, out, _ = run_cli("diff", str(demo_package), str(demo_scan), "--json")
    assert code == ExitCode.OK
    validate(json.loads(out))


def test_the_schema_rejects_a_document_with_an_unknown_category(demo_scan: Path) -> None:
    from jsonschema import ValidationError

    from clearance.diffing import diff_scans

    document = diff_scans(demo_scan, demo_scan)
    document["findings"]["improved"] = []
    with pytest.raises(ValidationError):
        validate(document)


def test_human_output_names_every_kind_of_change(demo_package: Path, changed: EditableScan, wide: None) -> None:
    code, out, err = run_cli("diff", str(demo_package), str(changed.root))
    assert code == ExitCode.OK, err
    for phrase in (
        "Scans compared",
        "signature not verified",
        "clearance verify",
        "New failures (FAIL in NEW, not FAIL in OLD): 1",
        "Fixed (FAIL in OLD, PASS in NEW): 1",
        "Changed verdicts: 1",
        "Removed: only in OLD (a removed failing finding is NOT fixed)",
        "Added: only in NEW, not failing: 1",
        "they are NOT fixed",
        "NEW is incomplete",
        "Coverage changes",
        "NEW GAP",
        "List: AccessDenied (needs p.list)",
        "Scope changes",
        "scope.exclude",
        "*-sandbox-*",
        "Profile changed",
        "key_rotation_max_days",
        "Exceptions register added",
        "Exceptions (by id, from exceptions.json): 1",
        "EX-7",
        "Findings: new failures 1, fixed 1, changed verdicts 1, added 1, removed ",
    ):
        assert phrase in out, phrase
    assert any("NEW GAP" in line and "not_evaluated" in line for line in out.splitlines())  # the row, not the title
    assert "could not evaluate it (coverage gap)" in out  # why the gap's findings are missing from NEW
    assert "NEW evaluated the check there without this resource" in out  # why the dropped failure is missing


def test_limit_cuts_long_tables_and_says_how_many_were_left_out(
    demo_scan: Path, copy_scan: Callable[[str], EditableScan], wide: None
) -> None:
    new = copy_scan("new")
    new.edit(lambda found: [{**f, "verdict": "FAIL"} if f["verdict"] == "PASS" else f for f in found])
    passing = sum(f["verdict"] == "PASS" for f in EditableScan(demo_scan).findings())
    _, out, _ = run_cli("diff", str(demo_scan), str(new.root), "--limit", "3")
    assert f"New failures (FAIL in NEW, not FAIL in OLD): {passing}" in out
    assert f"... and {passing - 3} more" in out
    _, everything, _ = run_cli("diff", str(demo_scan), str(new.root), "--limit", "0")
    assert "more (--limit 0" not in everything


def test_fail_on_new_exits_4_only_when_there_is_a_new_failure(
    demo_scan: Path, changed: EditableScan, copy_scan: Callable[[str], EditableScan]
) -> None:
    assert run_cli("diff", str(demo_scan), str(changed.root), "--fail-on-new")[0] == ExitCode.GATE
    assert run_cli("diff", str(demo_scan), str(changed.root))[0] == ExitCode.OK
    fixed_only = copy_scan("fixed-only")
    target = pick(fixed_only.findings(), "FAIL", 1)[0]
    fixed_only.edit(lambda found: [{**f, "verdict": "PASS"} if key(f) == key(target) else f for f in found])
    code, out, _ = run_cli("diff", str(demo_scan), str(fixed_only.root), "--fail-on-new", "--json")
    assert code == ExitCode.OK
    assert json.loads(out)["findings"]["counts"]["fixed"] == 1


# -- bad input --------------------------------------------------------------------------------


def test_a_missing_path_is_a_usage_error_naming_it(demo_scan: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-scan"
    code, _, err = run_cli("diff", str(demo_scan), str(missing))
    assert code == ExitCode.USAGE
    assert_clean_error(err, f"error: {missing}: no such file or directory")


def test_a_directory_that_is_not_a_scan_is_a_usage_error_naming_it(demo_scan: Path, tmp_path: Path) -> None:
    code, _, err = run_cli("diff", str(tmp_path), str(demo_scan))
    assert code == ExitCode.USAGE
    assert_clean_error(err, str(tmp_path), "neither a clearance scan directory")


def test_a_file_that_is_not_a_package_is_named(demo_scan: Path, tmp_path: Path) -> None:
    bogus = tmp_path / "evidence.zip"
    bogus.write_bytes(b"not a zip at all")
    code, _, err = run_cli("diff", str(bogus), str(demo_scan))
    assert code == ExitCode.USAGE
    assert_clean_error(err, str(bogus), "not a readable evidence package")


def test_a_corrupt_finding_line_is_named_by_file_and_index(
    demo_scan: Path, copy_scan: Callable[[str], EditableScan]
) -> None:
    new = copy_scan("new")
    lines = [json.dumps(f, sort_keys=True, separators=(",", ":")) for f in new.findings()]
    lines[2] = lines[2][:40]
    new.write_raw_findings(new.header(), lines)
    code, _, err = run_cli("diff", str(demo_scan), str(new.root))
    assert code == ExitCode.USAGE
    assert_clean_error(err, str(new.root / "findings.json"), "findings[2]", "finding 3 cannot be read")


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("verdict", "GREEN", "findings[1].verdict"),
        ("severity", "urgent", "findings[1].severity"),
        ("underlying_verdict", None, "findings[1].underlying_verdict"),
    ],
)
def test_a_finding_with_a_bad_field_is_named_by_field(
    demo_scan: Path, copy_scan: Callable[[str], EditableScan], field: str, value: Any, fragment: str
) -> None:
    old = copy_scan("old")
    findings = old.findings()
    findings[1][field] = value
    if field == "underlying_verdict":
        findings[1]["verdict"] = "MUTED"  # a MUTED finding must say what it muted
    old.write_findings(findings)
    code, _, err = run_cli("diff", str(old.root), str(demo_scan))
    assert code == ExitCode.USAGE
    assert_clean_error(err, str(old.root / "findings.json"), fragment)


def test_a_truncated_findings_file_is_refused_not_read_as_removals(
    demo_scan: Path, copy_scan: Callable[[str], EditableScan]
) -> None:
    new = copy_scan("new")
    lines = [json.dumps(f, sort_keys=True, separators=(",", ":")) for f in new.findings()]
    new.write_raw_findings(new.header(), lines[:-5])  # the summary still counts them
    code, _, err = run_cli("diff", str(demo_scan), str(new.root))
    assert code == ExitCode.USAGE
    assert_clean_error(
        err, "findings.json", f"{len(lines) - 5} findings could be read but the summary says {len(lines)}"
    )


def test_a_duplicated_finding_is_refused(demo_scan: Path, copy_scan: Callable[[str], EditableScan]) -> None:
    new = copy_scan("new")
    new.edit(lambda found: [*found, found[0]])
    code, _, err = run_cli("diff", str(demo_scan), str(new.root))
    assert code == ExitCode.USAGE
    assert_clean_error(err, str(new.root / "findings.json"), "two findings of", "the file is corrupt")


def test_bad_coverage_entries_are_named_by_file_and_field(
    demo_scan: Path, copy_scan: Callable[[str], EditableScan]
) -> None:
    old = copy_scan("old")
    entries = old.coverage()
    entries[4]["status"] = "mostly"
    old.write_coverage(entries)
    code, _, err = run_cli("diff", str(old.root), str(demo_scan))
    assert code == ExitCode.USAGE
    assert_clean_error(err, str(old.root / "coverage.json"), "coverage[4].status", "'mostly'")
    (old.root / "coverage.json").write_text("{not json")
    code, _, err = run_cli("diff", str(old.root), str(demo_scan))
    assert code == ExitCode.USAGE
    assert_clean_error(err, str(old.root / "coverage.json"), "cannot read JSON")


def test_a_bad_exceptions_results_file_is_named(demo_scan: Path, copy_scan: Callable[[str], EditableScan]) -> None:
    new = copy_scan("new")
    document = exceptions_results(("EX-1", "applied", 1), ("EX-1", "expired", 1))
    new.write("exceptions.json", document)
    code, _, err = run_cli("diff", str(demo_scan), str(new.root))
    assert code == ExitCode.USAGE
    assert_clean_error(err, str(new.root / "exceptions.json"), "exceptions[1].id", "appears twice")
    (new.root / "exceptions.json").write_text("[]")
    code, _, err = run_cli("diff", str(demo_scan), str(new.root))
    assert_clean_error(err, str(new.root / "exceptions.json"), "must be a JSON object")


def test_a_missing_profile_is_named(demo_scan: Path, copy_scan: Callable[[str], EditableScan]) -> None:
    new = copy_scan("new")
    (new.root / "profile.json").unlink()
    code, _, err = run_cli("diff", str(demo_scan), str(new.root))
    assert code == ExitCode.USAGE
    assert_clean_error(err, str(new.root / "profile.json"), "missing")


def _repack(package: Path, dest: Path, member: str, edit: Callable[[bytes], bytes]) -> Path:
    """A copy of ``package`` with one member's bytes edited (its signature no longer matches: diff does not care)."""
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            out.writestr(info, edit(data) if info.filename == member else data)
    return dest


def test_corrupt_package_members_are_named_by_package_and_file(
    demo_scan: Path, demo_package: Path, tmp_path: Path
) -> None:
    member = "evidence/report/findings.json"
    line = _repack(demo_package, tmp_path / "line.zip", member, lambda b: b.replace(b'"control_ids":[', b"[", 1))
    code, _, err = run_cli("diff", str(line), str(demo_scan))
    assert code == ExitCode.USAGE
    assert_clean_error(err, f"{line} (findings.json)", "findings[0]", "finding 1 cannot be read")

    # A line the engine's reader does not recognise as a finding is skipped by it: the count gives it away.
    skipped = _repack(
        demo_package, tmp_path / "skip.zip", member, lambda b: b.replace(b'{"check_id"', b'{ "check_id"', 1)
    )
    code, _, err = run_cli("diff", str(skipped), str(demo_scan))
    assert code == ExitCode.USAGE
    assert_clean_error(err, f"{skipped} (findings.json)", "summary.findings", "could be read but the summary says")

    header = _repack(demo_package, tmp_path / "header.zip", member, lambda b: b"garbage\n" + b)
    code, _, err = run_cli("diff", str(demo_scan), str(header))
    assert code == ExitCode.USAGE
    assert_clean_error(err, f"{header} (findings.json)", "header")
    assert "clearance-results-" not in err  # never the private temporary copy


def test_a_package_directory_mixes_with_a_zip(demo_package: Path, tmp_path: Path) -> None:
    unpacked = tmp_path / "package-dir"
    with zipfile.ZipFile(demo_package) as box:
        box.extractall(unpacked)
    code, out, _ = run_cli("diff", str(unpacked), str(demo_package), "--json")
    assert code == ExitCode.OK
    document = json.loads(out)
    assert (document["old"]["kind"], document["new"]["kind"]) == ("package", "package")
    assert document["findings"]["counts"]["unchanged"] == document["old"]["findings"]
