"""The command line: commands, output files, documented exit codes, precise errors, fast start-up.

Scans run against moto's server over real HTTP on loopback (``--endpoint-url``), through the
real entry point :func:`clearance.cli.main` (in-process, so the network guard applies; one test
also runs it as a separate process).
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import boto3
import pytest

from clearance.content import schema_path
from clearance.errors import ExitCode

from .aws.fakes import deny

REGION = "ap-northeast-2"
CHECK = "aws-s3-bucket-cmk-encryption"
HEAVY = ("boto3", "botocore", "moto", "rich", "jsonschema")


def run_cli(*args: str) -> tuple[int, str, str]:
    """Run the real entry point in-process: (exit code, stdout, stderr)."""
    from clearance.cli import main

    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["clearance", *args]
    try:
        with redirect_stdout(out), redirect_stderr(err):
            main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.argv = argv
    return code, out.getvalue(), err.getvalue()


def validate_output(directory: Path) -> None:
    """findings.json and coverage.json validate against the published schemas (cross-references resolved)."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    names = ("findings.schema.json", "coverage.schema.json")
    schemas = {n: json.loads(schema_path(n).read_text("utf-8")) for n in names}
    registry = Registry().with_resources((s["$id"], Resource.from_contents(s)) for s in schemas.values())
    for name, schema in schemas.items():
        Draft202012Validator.check_schema(schema)
        document = json.loads((directory / name.replace(".schema", "")).read_text("utf-8"))
        Draft202012Validator(schema, registry=registry).validate(document)


def assert_clean_error(err: str, *fragments: str) -> None:
    assert "Traceback" not in err, err
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in {err!r}"


# -- moto over HTTP ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def endpoint(moto_server: str) -> str:
    """The server, emptied for this test."""
    request = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    return moto_server


def _bucket(endpoint: str, name: str, *, cmk: bool) -> None:
    s3 = boto3.client("s3", region_name=REGION, endpoint_url=endpoint)
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    default: dict[str, str] = {"SSEAlgorithm": "AES256"}
    if cmk:
        key = boto3.client("kms", region_name=REGION, endpoint_url=endpoint).create_key()["KeyMetadata"]["Arn"]
        default = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}
    s3.put_bucket_encryption(
        Bucket=name, ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": default}]}
    )


def _scan_args(endpoint: str, out: Path, *extra: str) -> list[str]:
    return [
        "scan",
        "--endpoint-url",
        endpoint,
        "--region",
        REGION,
        "--service",
        "s3",
        "--service",
        "kms",
        "--check",
        CHECK,
        "--out",
        str(out),
        "--no-progress",
        *extra,
    ]


def test_complete_scan_exits_0_and_writes_findings_coverage_raw_and_logs(endpoint: str, tmp_path: Path) -> None:
    _bucket(endpoint, "crm-documents", cmk=True)
    out = tmp_path / "scan"
    code, stdout, err = run_cli(*_scan_args(endpoint, out, "--json"))
    assert code == ExitCode.OK, err
    summary = json.loads(stdout)
    assert summary["out"] == str(out)
    assert summary["summary"]["complete"] is True
    assert summary["summary"]["verdicts"]["PASS"] == 1
    raw = out / "raw" / "aws" / "123456789012" / REGION / "s3" / "aws.s3.bucket.jsonl"
    assert json.loads(raw.read_text("utf-8"))["name"] == "crm-documents"
    assert (out / "logs" / "api-calls.jsonl").read_text("utf-8").count('"operation":"GetBucketEncryption"') == 1
    validate_output(out)
    findings = json.loads((out / "findings.json").read_text("utf-8"))["findings"]
    assert [(f["check_id"], f["resource"]["name"], f["verdict"]) for f in findings] == [
        (CHECK, "crm-documents", "PASS")
    ]


def test_evaluate_reproduces_the_scan_offline_byte_for_byte(endpoint: str, tmp_path: Path) -> None:
    _bucket(endpoint, "crm-documents", cmk=True)
    _bucket(endpoint, "crm-exports", cmk=False)
    out = tmp_path / "scan"
    assert run_cli(*_scan_args(endpoint, out))[0] == ExitCode.OK
    before = {name: (out / name).read_bytes() for name in ("findings.json", "coverage.json")}
    boto3.client("s3", region_name=REGION, endpoint_url=endpoint).delete_bucket(Bucket="crm-exports")  # cloud changed
    code, stdout, err = run_cli("evaluate", str(out), "--check", CHECK, "--json")
    assert code == ExitCode.OK, err
    assert json.loads(stdout)["summary"]["verdicts"]["FAIL"] == 1
    assert {name: (out / name).read_bytes() for name in before} == before


def test_a_previous_scan_directory_is_replaced(endpoint: str, tmp_path: Path) -> None:
    _bucket(endpoint, "first", cmk=True)
    out = tmp_path / "scan"
    assert run_cli(*_scan_args(endpoint, out))[0] == ExitCode.OK
    boto3.client("s3", region_name=REGION, endpoint_url=endpoint).delete_bucket(Bucket="first")
    _bucket(endpoint, "second", cmk=True)
    assert run_cli(*_scan_args(endpoint, out))[0] == ExitCode.OK
    names = [
        json.loads(line)["name"]
        for path in (out / "raw" / "aws").rglob("aws.s3.bucket.jsonl")
        for line in path.read_text("utf-8").splitlines()
    ]
    assert names == ["second"]


def test_a_denied_call_makes_the_scan_incomplete_exit_3(endpoint: str, tmp_path: Path) -> None:
    _bucket(endpoint, "crm-documents", cmk=True)
    out = tmp_path / "scan"
    with deny("s3", "GetBucketEncryption"):
        code, stdout, err = run_cli(*_scan_args(endpoint, out))
    assert code == ExitCode.INCOMPLETE, err
    assert "INCOMPLETE" in stdout
    finding = json.loads((out / "findings.json").read_text("utf-8"))["findings"][0]
    assert finding["verdict"] == "ERROR"
    assert finding["error"]["permission"] == "s3:GetEncryptionConfiguration"
    validate_output(out)


def test_fail_on_exits_4_at_or_above_the_threshold_only(endpoint: str, tmp_path: Path) -> None:
    _bucket(endpoint, "crm-exports", cmk=False)  # SSE-S3: a high-severity FAIL
    code, stdout, err = run_cli(*_scan_args(endpoint, tmp_path / "a", "--fail-on", "high"))
    assert code == ExitCode.GATE, err
    assert "crm-exports" in stdout
    code, _, err = run_cli(*_scan_args(endpoint, tmp_path / "b", "--fail-on", "critical"))
    assert code == ExitCode.OK, err


def test_the_installed_entry_point_runs_as_a_process(endpoint: str, tmp_path: Path) -> None:
    _bucket(endpoint, "crm-exports", cmk=False)
    args = _scan_args(endpoint, tmp_path / "scan", "--fail-on", "medium")
    proc = subprocess.run(
        [sys.executable, "-m", "clearance.cli", *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == ExitCode.GATE, proc.stderr
    assert (tmp_path / "scan" / "findings.json").is_file()
    proc = subprocess.run(
        [sys.executable, "-m", "clearance.cli", *args[:-2], "--tag", "=crm"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == ExitCode.USAGE
    assert_clean_error(proc.stderr, "--tag '=crm'")


def test_every_call_a_full_scan_makes_is_covered_by_the_printed_policy(endpoint: str, tmp_path: Path) -> None:
    _bucket(endpoint, "crm-documents", cmk=True)
    code, stdout, _ = run_cli("permissions", "aws")
    assert code == ExitCode.OK
    allowed = set(json.loads(stdout)["Statement"][0]["Action"])
    out = tmp_path / "scan"
    run_cli("scan", "--endpoint-url", endpoint, "--region", REGION, "--out", str(out), "--no-progress")
    from clearance.providers.aws import AwsProvider

    permission = {(o.service, o.name): o.permission for o in AwsProvider().operations()}
    calls = [json.loads(line) for line in (out / "logs" / "api-calls.jsonl").read_text("utf-8").splitlines()]
    assert len({c["service"] for c in calls}) > 3
    for call in calls:
        assert permission[(call["service"], call["operation"])] in allowed, call


# -- credentials ------------------------------------------------------------------------------


def test_an_endpoint_that_refuses_connections_exits_5(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    code, _, err = run_cli(*_scan_args(closed, tmp_path / "scan"))
    assert code == ExitCode.CREDENTIALS
    assert_clean_error(err, "error: cannot establish an AWS identity (sts:GetCallerIdentity)")


def test_no_credentials_exits_5(endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    code, _, err = run_cli(*_scan_args(endpoint, tmp_path / "scan"))
    assert code == ExitCode.CREDENTIALS
    assert_clean_error(err, "error: cannot establish an AWS identity", "Unable to locate credentials")


# -- usage errors (exit 2): refused before any cloud call --------------------------------------


def test_unknown_check_id_exits_2(tmp_path: Path) -> None:
    code, _, err = run_cli("scan", "--out", str(tmp_path / "o"), "--check", "aws-s3-no-such-check")
    assert code == ExitCode.USAGE
    assert_clean_error(err, "unknown check id(s): aws-s3-no-such-check")


def test_malformed_profile_yaml_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    profile = tmp_path / "mine.yaml"
    profile.write_text("profile: mine\nextends: kr-fss\nparameters:\n  key_rotation_max_days: {value: [90\n", "utf-8")
    code, _, err = run_cli("scan", "--out", str(tmp_path / "o"), "--profile", str(profile))
    assert code == ExitCode.USAGE
    assert_clean_error(err, f"error: {profile}:", "invalid YAML")
    line = int(err.split(f"{profile}:", 1)[1].split(":", 1)[0])
    assert 4 <= line <= 5


def test_profile_with_an_unknown_key_exits_2_naming_the_key(tmp_path: Path) -> None:
    profile = tmp_path / "mine.yaml"
    profile.write_text("profile: mine\nextends: kr-fss\nretention: 730\n", "utf-8")
    code, _, err = run_cli("scan", "--out", str(tmp_path / "o"), "--profile", str(profile))
    assert code == ExitCode.USAGE
    assert_clean_error(err, f"{profile}:3", "unknown key", "retention")


@pytest.mark.parametrize("tag", ["=crm", " =crm", ""])
def test_bad_tag_filter_exits_2(tag: str, tmp_path: Path) -> None:
    code, _, err = run_cli("scan", "--out", str(tmp_path / "o"), "--tag", tag)
    assert code == ExitCode.USAGE
    assert_clean_error(err, "--tag", "expected KEY=VALUE or KEY")


def test_non_empty_out_directory_that_is_not_a_scan_exits_2_and_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "report.docx").write_text("keep me", "utf-8")
    code, _, err = run_cli("scan", "--out", str(tmp_path))
    assert code == ExitCode.USAGE
    assert_clean_error(err, "directory is not empty and is not a previous clearance scan")
    assert [p.name for p in tmp_path.iterdir()] == ["report.docx"]


@pytest.mark.parametrize(
    "args",
    [["scan"], ["scan", "--out", "x", "--fail-on", "severe"], ["scan", "--out", "x", "--max-workers", "0"], ["nope"]],
    ids=["missing-out", "bad-severity", "bad-workers", "unknown-command"],
)
def test_click_usage_errors_exit_2(args: list[str]) -> None:
    code, _, err = run_cli(*args)
    assert code == ExitCode.USAGE
    assert_clean_error(err, "Error:")


# -- content and permissions ----------------------------------------------------------------


def test_checks_list_json_and_table_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    code, stdout, _ = run_cli("checks", "list", "--json")
    assert code == ExitCode.OK
    items = json.loads(stdout)
    ids = [c["id"] for c in items]
    assert CHECK in ids and ids == sorted(ids)
    cmk = next(c for c in items if c["id"] == CHECK)
    assert cmk["controls"] == ["ENC-01"] and cmk["resource_type"] == "aws.s3.bucket" and cmk["severity"] == "high"
    monkeypatch.setenv("COLUMNS", "300")
    code, table, _ = run_cli("checks", "list")
    assert code == ExitCode.OK
    assert f"{len(items)} checks" in table
    assert all(i in table for i in ids)


def test_checks_list_filters_by_control_and_rejects_unknown_controls() -> None:
    code, stdout, _ = run_cli("checks", "list", "--control", "ENC-01", "--json")
    assert code == ExitCode.OK
    items = json.loads(stdout)
    assert items and all("ENC-01" in c["controls"] for c in items)
    code, _, err = run_cli("checks", "list", "--control", "ENC-99")
    assert code == ExitCode.USAGE
    assert_clean_error(err, "unknown control id 'ENC-99'")


def test_permissions_prints_exactly_the_declared_operations_permissions() -> None:
    from clearance.providers.aws import AwsProvider

    code, stdout, _ = run_cli("permissions", "aws")
    assert code == ExitCode.OK
    policy = json.loads(stdout)
    assert policy["Version"] == "2012-10-17"
    [statement] = policy["Statement"]
    assert statement["Effect"] == "Allow" and statement["Resource"] == "*"
    ops = AwsProvider().operations()
    assert statement["Action"] == sorted({o.permission for o in ops})
    assert "s3:GetEncryptionConfiguration" in statement["Action"] and "sts:GetCallerIdentity" in statement["Action"]
    assert not [a for a in statement["Action"] if "*" in a]


# -- start-up -------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["--help"], ["scan", "--help"], ["--version"]])
def test_help_does_not_import_heavy_modules(args: list[str]) -> None:
    program = (
        "import sys\n"
        f"sys.argv = ['clearance', *{args!r}]\n"
        "from clearance.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    proc = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False, env=env
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"
    assert "Usage:" in proc.stdout or "version" in proc.stdout


def test_help_lists_the_commands_and_exit_codes() -> None:
    code, stdout, _ = run_cli("--help")
    assert code == ExitCode.OK
    for command in ("scan", "demo", "evaluate", "checks", "permissions"):
        assert command in stdout
    assert "4 gate reached (--fail-on, diff --fail-on-new)" in " ".join(stdout.split())
