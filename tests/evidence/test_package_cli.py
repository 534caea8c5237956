"""``clearance package``, ``clearance verify`` and ``clearance scan --package`` through the real entry point.

The signer is a development PKI from ``clearance keys init`` (CRLs fetched from its file:// distribution points),
the TSA is the in-process RFC 3161 TSA served over HTTP on loopback, and the scan runs against moto's server.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import boto3
import pytest
from jsonschema import Draft202012Validator

from clearance.content import schema_path
from clearance.errors import ExitCode
from clearance.evidence.devpki import DevKeys

from ..test_cli import run_cli
from .scandir import make_scan

REGION: Final = "ap-northeast-2"


def validate_report(report: dict[str, object]) -> None:
    Draft202012Validator(json.loads(schema_path("verification-report.schema.json").read_text())).validate(report)


def package_args(keys: DevKeys, tsa_url: str, *extra: str) -> list[str]:
    return ["--filing-id", "FSS-1", "--nonce", "n-1", "--signer", keys.signer_spec, "--tsa", tsa_url, *extra]


def verify_args(path: Path, keys: DevKeys, tsa_anchor: Path, *extra: str, nonce: str = "n-1") -> list[str]:
    anchors = ["--trust", str(keys.root), "--tsa-trust", str(tsa_anchor)]
    return ["verify", str(path), *anchors, "--filing-id", "FSS-1", "--nonce", nonce, *extra]


def test_package_then_verify_json(keys: DevKeys, tsa_url: str, tsa_anchor: Path, tmp_path: Path) -> None:
    scan = make_scan(tmp_path / "scan")
    code, out, err = run_cli(
        "package", str(scan), "--out", str(tmp_path), "--firm", "Example Bank", "--json", *package_args(keys, tsa_url)
    )
    assert code == 0, err
    built = json.loads(out)
    package = Path(built["package"])
    assert package.parent == tmp_path and package.name.startswith("Example-Bank_FSS-1_") and package.is_file()
    code, out, err = run_cli(*verify_args(package, keys, tsa_anchor, "--json", "--re-evaluate"))
    assert code == ExitCode.OK, out + err
    report = json.loads(out)
    validate_report(report)
    assert report["valid"] and report["statement_sha256"] == built["statement_sha256"]
    assert report["signers"][0]["timestamp"]["genTime"] == report["time"]["value"]
    assert [s["status"] for s in report["steps"]].count("pass") == 12


def test_verify_failure_exits_6_with_step_and_reason(
    keys: DevKeys, tsa_url: str, tsa_anchor: Path, tmp_path: Path
) -> None:
    scan = make_scan(tmp_path / "scan")
    target = tmp_path / "p.zip"
    assert run_cli("package", str(scan), "--out", str(target), *package_args(keys, tsa_url))[0] == 0
    code, out, _ = run_cli(*verify_args(target, keys, tsa_anchor, nonce="other-nonce"))
    assert code == ExitCode.VERIFY_FAILED
    assert out.startswith("INVALID") and "failed at step 'binding': nonce mismatch" in out
    code, out, _ = run_cli(*verify_args(target, keys, tsa_anchor, "--json", nonce="other-nonce"))
    report = json.loads(out)
    validate_report(report)
    assert code == ExitCode.VERIFY_FAILED and report["failed_step"] == "binding" and not report["valid"]
    assert [s["status"] for s in report["steps"]][7:] == ["fail"] + ["skipped"] * 5
    code, out, _ = run_cli("verify", str(target), "--trust", str(keys.root), "--filing-id", "FSS-1", "--nonce", "n-1")
    assert code == ExitCode.VERIFY_FAILED and "failed at step 'timestamp'" in out and "no TSA trust anchors" in out


def test_package_without_tsa_warns_and_verify_needs_the_unsafe_flag(
    keys: DevKeys, tsa_anchor: Path, tmp_path: Path
) -> None:
    scan = make_scan(tmp_path / "scan")
    target = tmp_path / "p.zip"
    code, _, err = run_cli(
        "package",
        str(scan),
        "--out",
        str(target),
        "--filing-id",
        "FSS-1",
        "--nonce",
        "n-1",
        "--signer",
        keys.signer_spec,
    )
    assert code == 0 and "no timestamp" in err
    assert run_cli(*verify_args(target, keys, tsa_anchor))[0] == ExitCode.VERIFY_FAILED
    code, out, _ = run_cli(*verify_args(target, keys, tsa_anchor, "--unsafe-no-timestamp"))
    assert code == ExitCode.OK and "UNSAFE: --unsafe-no-timestamp" in out
    code, out, _ = run_cli(*verify_args(target, keys, tsa_anchor, "--unsafe-no-timestamp", "--json"))
    report = json.loads(out)
    validate_report(report)
    assert report["valid"] and report["time"]["source"] == "verifier-clock (unsafe)" and report["unsafe"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--filing-id", "F"], "Missing option '--signer'"),
        (["--filing-id", "F", "--signer", "nope:x"], "unknown kind 'nope'"),
        (["--filing-id", "F", "--signer", "file:/missing.pem?chain=/missing.pem"], "/missing.pem: cannot read"),
        (["--filing-id", "F", "--signer", "file:k?chain=c", "--firm-id", "BRN"], "expected SCHEME=VALUE"),
        (["--filing-id", "F", "--signer", "file:k?chain=c", "--nonce-issued-on", "yesterday"], "expected a UTC time"),
    ],
)
def test_package_usage_errors(args: list[str], message: str, tmp_path: Path) -> None:
    scan = make_scan(tmp_path / "scan")
    (tmp_path / "k").write_text("x")
    (tmp_path / "c").write_text("x")
    fixed = [a.replace("file:k?chain=c", f"file:{tmp_path / 'k'}?chain={tmp_path / 'c'}") for a in args]
    code, out, err = run_cli("package", str(scan), "--out", str(tmp_path / "p.zip"), *fixed)
    assert code == ExitCode.USAGE and message in out + err, out + err
    assert "Traceback" not in err


def test_verify_usage_errors(tmp_path: Path) -> None:
    (tmp_path / "bad.pem").write_text("not pem")
    (tmp_path / "p.zip").write_bytes(b"x")
    code, _, err = run_cli("verify", str(tmp_path / "p.zip"), "--trust", str(tmp_path / "bad.pem"))
    assert code == ExitCode.USAGE and "bad.pem" in err and "--trust: not PEM certificates" in err


# -- scan --package against moto's server ---------------------------------------------------------
@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=10).close()
    try:
        yield url
    finally:
        server.stop()


def test_scan_with_package(endpoint: str, keys: DevKeys, tsa_url: str, tsa_anchor: Path, tmp_path: Path) -> None:
    s3 = boto3.client("s3", region_name=REGION, endpoint_url=endpoint)
    s3.create_bucket(Bucket="crm-exports", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_tagging(Bucket="crm-exports", Tagging={"TagSet": [{"Key": "api_token", "Value": "tok-9f8e7d6c"}]})
    out = tmp_path / "scan"
    target = tmp_path / "scan.zip"
    scan = [
        "scan",
        "--endpoint-url",
        endpoint,
        "--region",
        REGION,
        "--service",
        "s3",
        "--out",
        str(out),
        "--no-progress",
    ]
    code, stdout, err = run_cli(*scan, "--package", str(target), *package_args(keys, tsa_url))
    assert code in (ExitCode.OK, ExitCode.INCOMPLETE), err
    assert f"evidence package: {target}" in stdout and "values redacted" in stdout
    assert b"tok-9f8e7d6c" in b"".join(p.read_bytes() for p in (out / "raw").rglob("*.jsonl"))
    code, report, _ = run_cli(*verify_args(target, keys, tsa_anchor, "--re-evaluate"))
    assert code == ExitCode.OK, report
    import zipfile

    with zipfile.ZipFile(target) as zf:
        assert not any(b"tok-9f8e7d6c" in zf.read(n) for n in zf.namelist())
    code, _, err = run_cli(*scan, "--filing-id", "FSS-1")
    assert code == ExitCode.USAGE and "--filing-id: only with --package" in err
    code, _, err = run_cli(*scan, "--package", str(target))
    assert code == ExitCode.USAGE and "--package needs --filing-id and at least one --signer" in err
