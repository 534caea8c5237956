"""The AWS provider end to end on moto: accounts, roles, regions, failures that must not abort."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3

import clearance
from clearance.providers.aws import AwsProvider
from clearance.providers.aws.collectors.base import AwsCollector

from .fakes import error_body, intercept

MEMBER_A = "111111111111"
MEMBER_B = "222222222222"


def _session_in(account: str) -> boto3.Session:
    creds = boto3.client("sts").assume_role(RoleArn=f"arn:aws:iam::{account}:role/Audit", RoleSessionName="seed")[
        "Credentials"
    ]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name="ap-northeast-2",
    )


def _listings(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "raw" / "units.jsonl").read_text().splitlines()]


def test_role_is_assumed_in_each_account_and_a_failing_account_does_not_abort(aws: Any, tmp_path: Path) -> None:
    s3 = _session_in(MEMBER_A).client("s3")
    s3.create_bucket(Bucket="member-a-data", CreateBucketConfiguration={"LocationConstraint": "ap-northeast-2"})
    body, headers = error_body("sts", "AccessDenied", "not authorized to assume")

    def refuse_b(request: Any) -> Any:
        raw = request.body or b""
        text = raw.decode() if isinstance(raw, bytes) else str(raw)
        return (403, body, headers) if MEMBER_B in text else None

    scope = clearance.Scope(
        accounts=(MEMBER_A, MEMBER_B), role_name="Audit", regions=("ap-northeast-2",), services=("s3",)
    )
    with intercept("sts", "AssumeRole", refuse_b):
        inventory = clearance.collect(scope, tmp_path / "out")
    assert inventory.summary.accounts == (MEMBER_A, MEMBER_B)
    assert list((tmp_path / "out" / "raw" / "aws" / MEMBER_A).rglob("aws.s3.bucket.jsonl"))
    failed = [x for x in _listings(tmp_path / "out") if x["account"] == MEMBER_B]
    assert failed and all(x["status"] == "failed" and x["region"] == "*" for x in failed)
    assert failed[0]["error"]["permission"] == "sts:AssumeRole"
    results = clearance.evaluate(inventory)
    cov = [c for c in results.coverage() if c["account"] == MEMBER_B]
    assert cov and all(c["status"] == "not_evaluated" for c in cov)
    assert not results.summary.complete


def test_explicit_account_without_role_is_not_evaluated(aws: Any, tmp_path: Path) -> None:
    scope = clearance.Scope(accounts=(MEMBER_A,), regions=("ap-northeast-2",), services=("s3",))
    clearance.collect(scope, tmp_path / "out")
    rows = _listings(tmp_path / "out")
    assert rows and rows[0]["error"]["code"] == "NoRoleToAssume"


def test_all_enabled_regions_are_discovered_and_exclusions_apply(aws: Any, tmp_path: Path) -> None:
    scope = clearance.Scope(services=("s3",), exclude_regions=("us-east-1",))
    inventory = clearance.collect(scope, tmp_path / "out")
    assert "ap-northeast-2" in inventory.summary.regions and "us-east-1" not in inventory.summary.regions
    assert len(inventory.summary.regions) > 10


def test_a_crashing_collector_is_recorded_as_a_gap(aws: Any, tmp_path: Path, monkeypatch: Any) -> None:
    from clearance.providers.aws.collectors import s3

    def boom(self: AwsCollector, unit: Any) -> None:
        raise RuntimeError("unexpected shape")

    monkeypatch.setattr(s3.S3Collector, "collect", boom)
    inventory = clearance.collect(clearance.Scope(regions=("ap-northeast-2",), services=("s3",)), tmp_path / "o")
    assert inventory.summary.failed_units == 1
    row = _listings(tmp_path / "o")[0]
    assert row["status"] == "failed" and row["error"]["code"] == "RuntimeError"


def test_call_log_records_every_call_without_credentials(aws: Any, tmp_path: Path) -> None:
    boto3.client("s3").create_bucket(
        Bucket="logged", CreateBucketConfiguration={"LocationConstraint": "ap-northeast-2"}
    )
    clearance.collect(clearance.Scope(regions=("ap-northeast-2",), services=("s3",)), tmp_path / "o")
    log = (tmp_path / "o" / "logs" / "api-calls.jsonl").read_text()
    calls = [json.loads(line) for line in log.splitlines()]
    assert {c["operation"] for c in calls} >= {"ListBuckets", "GetBucketEncryption", "GetBucketPolicy"}
    assert all(c["request_id"] for c in calls if c["status"] == "ok")
    assert "testing" not in log  # the fake access key never appears


def test_unknown_service_is_a_usage_error() -> None:
    import pytest

    from clearance.errors import UsageError

    with pytest.raises(UsageError, match="unknown AWS service"):
        AwsProvider().collectors(("nosuch",))
