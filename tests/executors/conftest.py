"""Shared by the executor tests: a two-account estate on moto's server over HTTP, and scans of it.

moto's server (not the in-process mock) because Dask worker processes share no memory with the test: they reach
the estate over loopback HTTP through ``--endpoint-url``, exactly as the driver does.
"""

from __future__ import annotations

import json
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

import clearance
from clearance.executors import ExecutorSpec

from ..conftest import profile_and_checks
from ..test_cli import moto_server  # the module-scoped ThreadedMotoServer fixture, reused

__all__ = ["MEMBER", "OWN", "REGION", "Snapshot", "moto_server", "scan_estate"]

REGION = "ap-northeast-2"
OWN = "123456789012"
"""moto's default account: the caller's own, read with the caller's (or a worker's) own credentials."""
MEMBER = "111111111111"
"""A member account, read through ROLE (assumed on the driver, and again on each worker)."""
ROLE = "Audit"
SERVICES = ("s3", "kms", "iam", "ec2")
REGIONS = (REGION, "us-east-1")


def member_credentials(endpoint: str) -> dict[str, str]:
    """Temporary credentials of ROLE in MEMBER, as environment variables."""
    sts = boto3.client("sts", region_name=REGION, endpoint_url=endpoint)
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{MEMBER}:role/{ROLE}", RoleSessionName="seed")["Credentials"]
    return {
        "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
        "AWS_SESSION_TOKEN": creds["SessionToken"],
        "AWS_SECURITY_TOKEN": creds["SessionToken"],
    }


def _seed(endpoint: str, prefix: str, creds: dict[str, str]) -> None:
    """A CMK-encrypted bucket, an AES256 one, a key with rotation and an IAM user, in the account of ``creds``."""
    kw: dict[str, Any] = {"region_name": REGION, "endpoint_url": endpoint}
    if creds:
        kw.update(
            aws_access_key_id=creds["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=creds["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=creds["AWS_SESSION_TOKEN"],
        )
    kms = boto3.client("kms", **kw)
    key = kms.create_key(Description=f"{prefix} data key")["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key)
    s3 = boto3.client("s3", **kw)
    for name, default in (
        (f"{prefix}-cmk", {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}),
        (f"{prefix}-plain", {"SSEAlgorithm": "AES256"}),
    ):
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_encryption(
            Bucket=name, ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": default}]}
        )
    boto3.client("iam", **kw).create_user(UserName=f"{prefix}-operator")


@pytest.fixture(scope="module")
def estate(moto_server: str) -> str:
    """The server, emptied and seeded with both accounts; scans only read it, so tests of a module share it."""
    request = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    _seed(moto_server, "own", {})
    _seed(moto_server, "member", member_credentials(moto_server))
    return moto_server


@dataclass
class Snapshot:
    """Everything a scan wrote that must not depend on where its units ran (times and durations left out)."""

    raw: dict[str, bytes]
    """Every resource file, byte for byte."""
    units: list[str]
    """``raw/units.jsonl`` rows (sorted: accounts finalise in completion order)."""
    calls: Counter[tuple[str, ...]]
    """The call log as (account, region, service, operation, status) counts."""
    findings: list[dict[str, Any]]
    coverage: list[dict[str, Any]]
    summary: dict[str, Any]


def scan_estate(endpoint: str, out: Path, executor: ExecutorSpec | None = None) -> Snapshot:
    """Scan both accounts (``executor`` None: the Scope's default) and snapshot what was written."""
    prof, checks = profile_and_checks(None, None)
    options: dict[str, Any] = {} if executor is None else {"executor": executor}
    scope = clearance.Scope(
        accounts=(OWN, MEMBER),
        role_name=ROLE,
        regions=REGIONS,
        services=SERVICES,
        endpoint_url=endpoint,
        max_workers=4,
        **options,
    )
    results = clearance.scan(scope, out, profile=prof, checks=checks)
    raw = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted((out / "raw" / "aws").rglob("*.jsonl"))}
    calls = Counter(
        (c["account"], c["region"], c["service"], c["operation"], c["status"])
        for c in map(json.loads, (out / "logs" / "api-calls.jsonl").read_text("utf-8").splitlines())
    )
    meta = json.loads((out / "scan.json").read_text("utf-8"))
    return Snapshot(
        raw,
        sorted((out / "raw" / "units.jsonl").read_text("utf-8").splitlines()),
        calls,
        results.findings(),
        results.coverage(),
        {k: meta[k] for k in ("accounts", "regions", "units", "failed_units", "api_calls")},
    )
