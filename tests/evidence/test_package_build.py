"""Building packages: layout, determinism, refusals with precise errors, history (supersedes), re-evaluation, demo."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from clearance.content import checks_dir
from clearance.errors import InputFileError, UsageError
from clearance.evidence import layout
from clearance.evidence.builder import Filing, ToolInfo, build_package
from clearance.evidence.report import Status
from clearance.evidence.verifier import verify

from .packages import Kit, payload, statement_of, unpack
from .pki import Pki
from .scandir import make_scan
from .tsa import TestTsa


@pytest.fixture(scope="module")
def kit(pki: Pki) -> Kit:
    return Kit(pki, TestTsa(signer=pki.tsa))


@pytest.fixture
def scan_dir(tmp_path: Path) -> Path:
    return make_scan(tmp_path / "scan")


def evidence_files(package: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(package) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n.startswith(layout.EVIDENCE)}


def test_layout_and_predicate(kit: Kit, scan_dir: Path, tmp_path: Path) -> None:
    (scan_dir / "exceptions.yaml").write_text("exceptions: []\n")
    tool = ToolInfo.installed().digest  # (read before the build: the checkout may be edited while tests run)
    package = kit.build(scan_dir, tmp_path / "p.zip")
    files = evidence_files(package)
    for name in (
        layout.README,
        layout.FINDINGS,
        layout.COVERAGE,
        layout.SCAN_META,
        layout.SCANNER,
        layout.PROFILE,
        layout.REDACTION,
        "evidence/raw/units.jsonl",
        "evidence/logs/api-calls.jsonl",
        "evidence/content/checks/controls.yaml",
        "evidence/content/checks/profiles/kr-fss.yaml",
        "evidence/exceptions/exceptions.yaml",
    ):
        assert name in files, name
    assert files[layout.FINDINGS] == (scan_dir / "findings.json").read_bytes()  # nothing to redact: byte-identical
    statement = statement_of(package)
    predicate = statement["predicate"]
    meta = json.loads((scan_dir / "scan.json").read_text())
    assert predicate["scan"]["finishedOn"] == meta["finished"] and predicate["scan"]["startedOn"] == meta["started"]
    assert predicate["scan"]["ruleset"]["digest"]["sha256"] == meta["content_pack"]["sha256"]
    assert predicate["scan"]["tool"]["digest"]["sha256"] in (tool, ToolInfo.installed().digest)
    assert predicate["package"]["fileCount"] == len(files) == len(statement["subject"])
    assert predicate["package"]["totalBytes"] == sum(len(d) for d in files.values())
    assert predicate["filing"]["id"] == "FSS-2026-000123" and predicate["firm"]["ids"][0]["scheme"] == "KR-BRN"
    for subject in statement["subject"]:
        assert hashlib.sha256(files[subject["name"]]).hexdigest() == subject["digest"]["sha256"]
    with zipfile.ZipFile(package) as zf:
        infos = zf.infolist()
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)} and all(
        i.external_attr >> 16 == 0o100644 for i in infos
    )
    assert "FSS-2026-000123" in files[layout.README].decode()


def test_same_inputs_give_identical_evidence_and_statement(kit: Kit, scan_dir: Path, tmp_path: Path) -> None:
    first = kit.build(scan_dir, tmp_path / "a.zip")
    second = kit.build(scan_dir, tmp_path / "b.zip")
    assert evidence_files(first) == evidence_files(second)
    a, b = unpack(first, tmp_path / "a"), unpack(second, tmp_path / "b")
    assert payload(a) == payload(b)
    assert (
        json.loads((a / layout.ENVELOPE).read_text())["payload"]
        == json.loads((b / layout.ENVELOPE).read_text())["payload"]
    )


def test_refuses_a_different_content_pack(kit: Kit, scan_dir: Path, tmp_path: Path) -> None:
    pack = shutil.copytree(checks_dir(), tmp_path / "checks")
    (pack / "controls.yaml").write_text((pack / "controls.yaml").read_text() + "\n# edited\n")
    with pytest.raises(UsageError, match="is not the one the scan used"):
        kit.build(scan_dir, tmp_path / "p.zip", checks_root=pack)


def test_refuses_an_edited_profile_and_incomplete_scans(kit: Kit, scan_dir: Path, tmp_path: Path) -> None:
    profile = json.loads((scan_dir / "profile.json").read_text())
    profile["parameters"]["key_rotation_max_days"]["value"] = 9999
    (scan_dir / "profile.json").write_text(json.dumps(profile))
    with pytest.raises(InputFileError, match=r"profile\.json: does not match the profile digest"):
        kit.build(scan_dir, tmp_path / "p.zip")
    other = make_scan(tmp_path / "other")
    (other / "coverage.json").unlink()
    with pytest.raises(InputFileError, match=r"coverage\.json: missing"):
        kit.build(other, tmp_path / "p.zip")
    assert not (tmp_path / "p.zip").exists()


def test_refuses_symlinks_in_the_scan(kit: Kit, scan_dir: Path, tmp_path: Path) -> None:
    (scan_dir / "raw" / "aws" / "leak.jsonl").symlink_to("/etc/passwd")
    with pytest.raises(InputFileError, match=r"leak\.jsonl: symbolic links are not allowed"):
        kit.build(scan_dir, tmp_path / "p.zip")
    assert not list(tmp_path.glob("*.zip")) and not list(tmp_path.glob(".*partial"))


def test_refuses_text_it_cannot_redact_safely(kit: Kit, scan_dir: Path, tmp_path: Path) -> None:
    raw = next(scan_dir.glob("raw/aws/*/*/s3/*.jsonl"))
    raw.write_text(raw.read_text() + '{"tags":  {"api_token": "t0k3n-value"}}\n')
    with pytest.raises(InputFileError, match=r"aws\.s3\.bucket\.jsonl:3: cannot be redacted safely"):
        kit.build(scan_dir, tmp_path / "p.zip")


def test_refuses_stale_scans_and_clock_skew(kit: Kit, tmp_path: Path) -> None:
    stale = make_scan(tmp_path / "stale", finished=dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
    with pytest.raises(UsageError, match="verifiers reject stale evidence; scan again"):
        kit.build(stale, tmp_path / "p.zip")
    future = make_scan(tmp_path / "future", finished=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    with pytest.raises(UsageError, match="before the scan finished"):
        kit.build(future, tmp_path / "p.zip")


def test_two_signers_and_threshold(kit: Kit, scan_dir: Path, tmp_path: Path) -> None:
    package = kit.build(
        scan_dir, tmp_path / "p.zip", signers=[kit.signer(kit.pki.leaf_p256), kit.signer(kit.pki.leaf_ed25519)]
    )
    report = verify(package, kit.verify_options(threshold=2))
    assert report.valid and [s.accepted for s in report.signers] == [True, True]
    with pytest.raises(UsageError, match="share a key"):
        kit.build(scan_dir, tmp_path / "q.zip", signers=[kit.signer(), kit.signer()])


def test_supersedes_and_history(kit: Kit, scan_dir: Path, tmp_path: Path) -> None:
    first = kit.build(scan_dir, tmp_path / "v1.zip")
    second = kit.build(scan_dir, tmp_path / "v2.zip", supersedes=first)
    assert (
        statement_of(second)["predicate"]["package"]["supersedes"]
        == verify(first, kit.verify_options()).statement_sha256
    )
    report = verify(second, kit.verify_options(previous=first))
    assert report.step("history").status is Status.PASS, report.step("history").reason
    unrelated = kit.build(scan_dir, tmp_path / "other.zip", filing=Filing("FSS-2026-000123", "another-round"))
    failed = verify(second, kit.verify_options(previous=unrelated))
    assert failed.failure is not None and failed.failure.step == "history" and "supersedes" in failed.failure.reason
    lone = verify(first, kit.verify_options(previous=unrelated))
    assert lone.failure is not None and "supersedes nothing" in lone.failure.reason
    with pytest.raises(UsageError, match="it is for filing 'FSS-2026-000123', not 'OTHER'"):
        kit.build(scan_dir, tmp_path / "v3.zip", supersedes=first, filing=Filing("OTHER"))


def test_re_evaluation_detects_changed_reasoning(kit: Kit, scan_dir: Path, tmp_path: Path) -> None:
    from .packages import Resigner

    root = unpack(kit.build(scan_dir, tmp_path / "p.zip"), tmp_path / "tree")
    assert verify(root, kit.verify_options(re_evaluate=True)).step("re-evaluation").status is Status.PASS
    findings = root / layout.FINDINGS
    text = findings.read_text()
    changed = text.replace('"reason":"', '"reason":"Edited: ', 1)
    findings.write_text(changed)
    digest = hashlib.sha256(changed.encode()).hexdigest()

    def update(statement: dict[str, object]) -> None:
        from clearance.evidence.statement import Subject, dir_hash1

        subjects = statement["subject"]
        assert isinstance(subjects, list)
        for subject in subjects:
            if subject["name"] == layout.FINDINGS:
                subject["digest"]["sha256"] = digest
        package = statement["predicate"]["package"]  # type: ignore[index]
        package["totalBytes"] += len(changed) - len(text)
        package["evidenceTree"]["dirHash1"] = dir_hash1(Subject(s["name"], s["digest"]["sha256"]) for s in subjects)

    Resigner(kit)(root, update)
    report = verify(root, kit.verify_options(re_evaluate=True))
    assert report.failure is not None and report.failure.step == "re-evaluation"
    assert "1 finding(s) differ" in report.failure.reason and "same verdict, different reason" in report.failure.reason


def test_build_package_requires_a_signer(kit: Kit, scan_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="at least one signer"):
        build_package(scan_dir, tmp_path / "p.zip", kit.build_options(signers=[]))
    with pytest.raises(UsageError, match="is a directory"):
        kit.build(scan_dir, tmp_path)


def test_demo_package_verifies_with_the_printed_command(tmp_path: Path) -> None:
    import shlex

    from click.testing import CliRunner

    from clearance.cli import cli
    from clearance.evidence.demo import build_demo_package, verify_command

    scan = make_scan(tmp_path / "demo")
    path = build_demo_package(scan)
    assert path == scan / "evidence.zip" and (scan / "pki" / "root.pem").is_file()
    result = CliRunner().invoke(cli, shlex.split(verify_command(scan))[1:])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("VALID")
    assert build_demo_package(scan) == path  # re-running the demo in the same directory works
