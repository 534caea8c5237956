"""``--exceptions``, ``--attestations``, ``--as-of`` on ``clearance scan`` (against moto) and ``evaluate``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from clearance.errors import ExitCode, InputFileError

from ..evidence.scandir import REGION
from ..test_cli import assert_clean_error, run_cli
from .support import exception, exceptions_register, read_json, write

CMK = "aws-s3-bucket-cmk-encryption"
FAILING = ("aws-s3-bucket-access-logging", CMK, "aws-s3-bucket-versioning-enabled")


@pytest.fixture
def aws() -> Iterator[None]:
    from moto import mock_aws

    with mock_aws():
        yield


def _buckets(*names: str) -> None:
    import boto3

    s3 = boto3.client("s3", region_name=REGION)
    for name in names:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-2"})
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
        )


def _scan(out: Path, *extra: str) -> tuple[int, str, str]:
    args = ["scan", "--region", REGION, "--service", "s3", "--check", CMK, "--out", str(out), "--no-progress"]
    return run_cli(*args, *extra)


def test_scan_applies_the_register_to_a_real_scan(aws: None, tmp_path: Path) -> None:
    _buckets("crm-exports", "crm-archive")
    register = exceptions_register(tmp_path, exception(target=f"check: {CMK}", resources='{names: ["crm-arch*"]}'))
    out = tmp_path / "scan"
    code, stdout, err = _scan(out, "--exceptions", str(register), "--as-of", "2026-11-24", "--json")
    assert code == ExitCode.OK, err
    assert json.loads(stdout)["summary"]["verdicts"]["MUTED"] == 1
    verdicts = {f["resource"]["name"]: f["verdict"] for f in read_json(out / "findings.json")["findings"]}
    assert verdicts == {"crm-exports": "FAIL", "crm-archive": "MUTED"}
    results = read_json(out / "exceptions.json")
    assert results["as_of"] == "2026-11-24" and results["exceptions"][0]["status"] == "applied"
    assert (out / "exceptions.yaml").read_bytes() == register.read_bytes()


def test_muted_findings_do_not_trip_the_gate(aws: None, tmp_path: Path) -> None:
    _buckets("crm-exports")
    assert _scan(tmp_path / "a", "--fail-on", "low")[0] == ExitCode.GATE
    register = exceptions_register(tmp_path, exception(target=f"check: {CMK}"))
    code, _, err = _scan(tmp_path / "b", "--fail-on", "low", "--exceptions", str(register), "--as-of", "2026-11-24")
    assert code == ExitCode.OK, err


def test_a_bad_register_stops_the_scan_before_it_touches_the_cloud(aws: None, tmp_path: Path) -> None:
    _buckets("crm-exports")
    register = exceptions_register(tmp_path, exception(target="check: aws-s3-bucket-cmk-encryptoin"))
    out = tmp_path / "scan"
    code, _, err = _scan(out, "--exceptions", str(register))
    assert code == ExitCode.USAGE
    assert_clean_error(err, f"{register}:3 (field 'exceptions[0].check'): unknown check id")
    assert not out.exists()
    from clearance import Scope, scan

    with pytest.raises(InputFileError, match="unknown check id"):
        scan(Scope(regions=(REGION,), services=("s3",)), out, exceptions=register)
    assert not out.exists()


def test_evaluate_with_both_registers(scan_dir: Path, tmp_path: Path) -> None:
    exceptions = exceptions_register(
        tmp_path, *(exception(f"EXC-{n}", f"check: {check}") for n, check in enumerate(FAILING))
    )
    write(tmp_path, "attest/evidence.txt", "rotation log\n")
    attestations = write(
        tmp_path,
        "attest/register.yaml",
        """
        attestations:
          - id: ATT-1
            covers: [{check: aws-kms-key-rotation-evidence}]
            statement: Rotated.
            owner: Key custodian
            evidence: [evidence.txt]
            created: 2026-11-01
            expires: 2027-05-01
        """,
    )
    assert run_cli("evaluate", str(scan_dir), "--fail-on", "info")[0] == ExitCode.GATE
    code, stdout, err = run_cli(
        "evaluate",
        str(scan_dir),
        "--exceptions",
        str(exceptions),
        "--attestations",
        str(attestations),
        "--as-of",
        "2026-11-24",
        "--fail-on",
        "info",
        "--json",
    )
    assert code == ExitCode.INCOMPLETE, err  # every FAIL accepted; the ERROR findings still make it incomplete
    summary = json.loads(stdout)["summary"]
    assert summary["verdicts"]["FAIL"] == 0 and summary["verdicts"]["MUTED"] == 9 and summary["complete"] is False
    assert read_json(scan_dir / "attestations.json")["totals"]["attested_findings"] == 1


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--as-of", "2026-02-30"], "Invalid value for '--as-of'"),
        (["--as-of", "24.11.2026"], "Invalid value for '--as-of'"),
        (["--as-of", "2026-11-24"], "as_of (--as-of) applies only with an exceptions or attestations register"),
        (["--exceptions", "no-such-register.yaml"], "no-such-register.yaml: cannot read file"),
    ],
)
def test_bad_register_options_exit_2(scan_dir: Path, args: list[str], fragment: str) -> None:
    before = (scan_dir / "findings.json").read_bytes()
    code, _, err = run_cli("evaluate", str(scan_dir), *args)
    assert code == ExitCode.USAGE
    assert_clean_error(err, fragment)
    assert (scan_dir / "findings.json").read_bytes() == before
