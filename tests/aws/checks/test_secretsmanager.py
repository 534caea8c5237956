"""Secrets Manager check (ENC-01 customer-managed key) on moto."""

from __future__ import annotations

from typing import Any

import boto3

CMK = "aws-secretsmanager-secret-cmk-encryption"


def test_secret_needs_a_customer_managed_key(aws: Any, scan: Any) -> None:
    kms = boto3.client("kms")
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/secrets", TargetKeyId=key["KeyId"])
    sm = boto3.client("secretsmanager")
    sm.create_secret(Name="db/ledger", SecretString="fixture", KmsKeyId="alias/secrets")
    sm.create_secret(Name="db/default-key", SecretString="fixture")
    sm.create_secret(Name="db/aws-alias", SecretString="fixture", KmsKeyId="alias/aws/secretsmanager")
    result = scan(checks=[CMK], services=("secretsmanager", "kms"))
    assert result.verdicts(CMK) == {"db/ledger": "PASS", "db/default-key": "FAIL", "db/aws-alias": "FAIL"}
    assert "aws/secretsmanager" in result.finding(CMK, "db/default-key")["reason"]
