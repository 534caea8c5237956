"""Secrets Manager collector on moto: metadata only (no secret value read or stored), denied listing."""

from __future__ import annotations

from typing import Any

import boto3

from clearance.providers.aws.collectors.secretsmanager import SecretsManagerCollector

from ..fakes import deny
from .test_ec2_collector import calls, records

CMK = "aws-secretsmanager-secret-cmk-encryption"
VALUE = "s3cret-v4lue-never-read-91b2"


def test_secret_record_is_the_listing_item_and_no_value_is_read(aws: Any, scan: Any) -> None:
    key = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
    arn = boto3.client("secretsmanager").create_secret(
        Name="db/ledger", SecretString=VALUE, KmsKeyId=key, Tags=[{"Key": "workload", "Value": "ledger"}]
    )["ARN"]
    out = scan(checks=[CMK], services=("secretsmanager", "kms")).out
    rec = records(out)[arn]
    assert rec["type"] == "aws.secretsmanager.secret" and rec["name"] == "db/ledger"
    assert set(rec["data"]) == {"ListSecrets"} and rec["tags"] == {"workload": "ledger"}
    assert rec["links"]["kms_key"] == [key]
    assert calls(out, "GetSecretValue") == [] and calls(out, "DescribeSecret") == []
    assert not [p for p in out.rglob("*") if p.is_file() and VALUE.encode() in p.read_bytes()]


def test_denied_listing_leaves_the_check_not_evaluated_naming_the_permission(aws: Any, scan: Any) -> None:
    boto3.client("secretsmanager").create_secret(Name="db/ledger", SecretString=VALUE)
    with deny("secretsmanager", "ListSecrets"):
        result = scan(checks=[CMK], services=("secretsmanager",))
    assert result.findings == []
    [entry] = result.coverage
    assert entry["status"] == "not_evaluated" and entry["error"]["permission"] == "secretsmanager:ListSecrets"


def test_only_list_secrets_is_declared_never_get_secret_value() -> None:
    assert [(op.name, op.permission) for op in SecretsManagerCollector.operations] == [
        ("ListSecrets", "secretsmanager:ListSecrets")
    ]
