"""docs/library.md is runnable: its code blocks run, in order, against an in-process moto account."""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "library.md"
README = ROOT / "README.md"
BLOCK = re.compile(r"^```(python|yaml)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def _blocks(path: Path) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(path.read_text("utf-8"))]


def _seed() -> None:
    """A tagged bucket with SSE-S3 (a FAIL) and a tagged one with a customer key (a PASS)."""
    import boto3

    s3 = boto3.client("s3", region_name="ap-northeast-2")
    key = boto3.client("kms", region_name="ap-northeast-2").create_key()["KeyMetadata"]["Arn"]
    for name, default in (
        ("crm-exports", {"SSEAlgorithm": "AES256"}),
        ("crm-documents", {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}),
    ):
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-2"})
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "workload", "Value": "crm"}]})
        s3.put_bucket_encryption(
            Bucket=name, ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": default}]}
        )


def _run(blocks: list[tuple[str, str]], cwd: Path, source: Path = DOC) -> str:
    """Python blocks share one namespace; a YAML block starting with ``# NAME`` is written to NAME."""
    namespace: dict[str, Any] = {"__name__": "library_doc"}
    printed = io.StringIO()
    for kind, code in blocks:
        if kind == "yaml":
            first = code.splitlines()[0]
            assert first.startswith("# "), "a YAML example must start with '# <file name>'"
            (cwd / first[2:].strip()).write_text(code, "utf-8")
            continue
        with redirect_stdout(printed):
            exec(compile(code, str(source), "exec"), namespace)
    return printed.getvalue()


@pytest.mark.skipif(not DOC.is_file(), reason="docs/ not available (installed without the source tree)")
def test_library_doc_examples_run_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from moto import mock_aws

    blocks = _blocks(DOC)
    assert [kind for kind, _ in blocks].count("python") >= 4
    monkeypatch.chdir(tmp_path)
    with mock_aws():
        _seed()
        output = _run(blocks, tmp_path)
    assert "FAIL" in output and "crm-exports" in output
    assert "my-card-company extends kr-fss; key rotation within 180 days" in output
    assert "access records kept 730 days" in output
    assert "exit code 2: no-such-profile.yaml" in output
    assert re.search(r"collected \d+ units", output)
    assert "cis-aws-6.0 {" in output and "not satisfied: [" in output
    assert "wrote ['findings.csv', 'report.html', 'requirements.csv']" in output
    findings = json.loads((tmp_path / "scans" / "crm" / "findings.json").read_text("utf-8"))
    assert findings["scan"]["profile"]["id"] == "my-card-company"  # the re-evaluation rewrote the findings
    assert (tmp_path / "scans" / "crm-nightly" / "raw" / "units.jsonl").is_file()


@pytest.mark.skipif(not README.is_file(), reason="README not available (installed without the source tree)")
def test_readme_library_example_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from moto import mock_aws

    blocks = [b for b in _blocks(README) if b[0] == "python"]
    assert len(blocks) == 1
    monkeypatch.chdir(tmp_path)
    with mock_aws():
        _seed()
        output = _run(blocks, tmp_path, README)
    assert "aws-s3-bucket-cmk-encryption crm-exports" in output
    assert (tmp_path / "scans" / "crm" / "coverage.json").is_file()
