"""DynamoDB checks (ENC-01, ISO-07) through the real scan path on moto."""

from __future__ import annotations

import json
from typing import Any

import boto3

from ..conftest import REGION
from ..fakes import intercept
from .kms_answers import answer_for_keys, aws_managed

CMK = "aws-dynamodb-table-cmk-encryption"
RESIDENCY = "aws-dynamodb-table-data-residency"


def table(name: str, region: str = REGION, **params: Any) -> str:
    described = boto3.client("dynamodb", region_name=region).create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        **params,
    )
    return str(described["TableDescription"]["TableArn"])


def kms_encrypted(key: str) -> dict[str, Any]:
    return {"SSESpecification": {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key}}


def test_table_needs_a_customer_managed_key_the_aws_owned_default_fails(aws: Any, scan: Any) -> None:
    kms = boto3.client("kms")
    table("ledger", **kms_encrypted(kms.create_key()["KeyMetadata"]["Arn"]))
    managed = kms.create_key()["KeyMetadata"]
    table("aws-managed", **kms_encrypted(managed["Arn"]))
    table("aws-owned")
    with answer_for_keys("DescribeKey", {managed["KeyId"]: aws_managed(managed["KeyId"])}):
        result = scan(checks=[CMK], services=("dynamodb", "kms"))
    assert result.verdicts(CMK) == {"ledger": "PASS", "aws-managed": "FAIL", "aws-owned": "FAIL"}
    assert "absent = AWS-owned key" in result.finding(CMK, "aws-owned")["reason"]


def test_regulated_table_and_its_replicas_must_stay_in_korea(aws: Any, scan: Any) -> None:
    unique_id = [{"Key": "data-class", "Value": "unique-id"}]
    table("customers", Tags=unique_id)
    table("replicated", Tags=unique_id)
    table("abroad", region="us-east-1", Tags=unique_id)
    table("untagged-abroad", region="us-east-1")

    # moto keeps no replicas: DescribeTable of the global table answers as AWS does for one.
    described = boto3.client("dynamodb").describe_table(TableName="replicated")["Table"]
    described["Replicas"] = [{"RegionName": "us-west-2", "ReplicaStatus": "ACTIVE"}]
    body = json.dumps({"Table": described}, default=lambda d: d.timestamp()).encode()

    def global_table(request: Any) -> tuple[int, bytes, dict[str, str]] | None:
        if json.loads(request.body).get("TableName") != "replicated":
            return None
        return 200, body, {"content-type": "application/x-amz-json-1.0"}

    with intercept("dynamodb", "DescribeTable", global_table) as seen:
        result = scan(checks=[RESIDENCY], regions=(REGION, "us-east-1"), services=("dynamodb",))
    assert len(seen) == 1
    assert result.verdicts(RESIDENCY) == {
        "customers": "PASS",
        "replicated": "FAIL",
        "abroad": "FAIL",
        "untagged-abroad": "NEEDS_CONTEXT",
    }
    assert "us-west-2" in result.finding(RESIDENCY, "replicated")["reason"]
