"""The KMS collector on moto: what each key record holds, and how AWS's refusals are recorded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3

from clearance.providers.aws.collectors.kms import KmsCollector

from ..checks.kms_answers import refuse_for_keys
from ..conftest import ACCOUNT, REGION
from ..fakes import deny, intercept

_JSON = {"content-type": "application/x-amz-json-1.1"}


def keys_by_name(out: Path) -> dict[str, dict[str, Any]]:
    path = out / "raw" / "aws" / ACCOUNT / REGION / "kms" / "aws.kms.key.jsonl"
    return {r["name"]: r for r in map(json.loads, path.read_text().splitlines())}


def test_every_key_carries_its_own_aliases_tags_policy_and_rotation(aws: Any, scan: Any) -> None:
    kms = boto3.client("kms")
    app = kms.create_key(Tags=[{"TagKey": "data-class", "TagValue": "personal-credit"}])["KeyMetadata"]
    kms.create_alias(AliasName="alias/app", TargetKeyId=app["KeyId"])
    kms.create_alias(AliasName="alias/app-legacy", TargetKeyId=app["KeyId"])
    bare = kms.create_key()["KeyMetadata"]
    records = keys_by_name(scan(checks=["aws-kms-key-rotation-enabled"], services=("kms",)).out)
    assert set(records) == {"alias/app", bare["KeyId"]}
    rec = records["alias/app"]
    assert rec["id"] == app["Arn"] and rec["type"] == "aws.kms.key" and rec["region"] == REGION
    assert [a["AliasName"] for a in rec["data"]["ListAliases"]] == ["alias/app", "alias/app-legacy"]
    assert records[bare["KeyId"]]["data"]["ListAliases"] == []  # moto's alias/aws/* targets are not listed keys
    assert rec["tags"] == {"data-class": "personal-credit"}
    assert rec["data"]["DescribeKey"]["KeyMetadata"]["KeyManager"] == "CUSTOMER"
    assert rec["data"]["GetKeyRotationStatus"]["KeyRotationEnabled"] is False
    assert json.loads(rec["data"]["GetKeyPolicy"]["Policy"])["Statement"]
    assert rec["data"]["ListKeys"] == {"KeyId": app["KeyId"], "KeyArn": app["Arn"]}
    assert rec["errors"] == {} and rec["absent"] == {}


def test_rotation_status_refusal_is_recorded_as_aws_answered_it(aws: Any, scan: Any) -> None:
    kms = boto3.client("kms")
    signing = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    with refuse_for_keys("GetKeyRotationStatus", "UnsupportedOperationException", {signing["KeyId"]}) as seen:
        rec = keys_by_name(scan(checks=["aws-kms-key-rotation-enabled"], services=("kms",)).out)[signing["KeyId"]]
    assert len(seen) == 1
    assert rec["absent"] == {"GetKeyRotationStatus": "UnsupportedOperationException"}
    assert rec["data"]["GetKeyRotationStatus"] is None and "GetKeyRotationStatus" not in rec["errors"]


def test_list_keys_and_list_aliases_are_paginated(aws: Any, scan: Any) -> None:
    kms = boto3.client("kms")
    first, second = (kms.create_key()["KeyMetadata"] for _ in range(2))
    kms.create_alias(AliasName="alias/first", TargetKeyId=first["KeyId"])
    kms.create_alias(AliasName="alias/second", TargetKeyId=second["KeyId"])
    aliases = {a["AliasName"]: a for a in kms.list_aliases()["Aliases"]}

    def two_pages(items: str, one: dict[str, Any], two: dict[str, Any]) -> Any:
        def answer(request: Any) -> tuple[int, bytes, dict[str, str]]:
            marker = json.loads(request.body or b"{}").get("Marker")
            page: dict[str, Any] = {items: [two], "Truncated": False}
            if marker is None:
                page = {items: [one], "Truncated": True, "NextMarker": "page-2"}
            return 200, json.dumps(page).encode(), _JSON

        return answer

    first_item, second_item = ({"KeyId": k["KeyId"], "KeyArn": k["Arn"]} for k in (first, second))
    alias_answer = two_pages("Aliases", aliases["alias/first"], aliases["alias/second"])
    with (
        intercept("kms", "ListKeys", two_pages("Keys", first_item, second_item)) as key_pages,
        intercept("kms", "ListAliases", alias_answer) as alias_pages,
    ):
        result = scan(checks=["aws-kms-key-not-pending-deletion"], services=("kms",))
    assert len(key_pages) == 2 and len(alias_pages) == 2
    assert result.verdicts("aws-kms-key-not-pending-deletion") == {"alias/first": "PASS", "alias/second": "PASS"}
    assert result.coverage[0]["resources"] == 2


def test_bucket_resolves_its_alias_referenced_key_through_the_collected_aliases(aws: Any, scan: Any) -> None:
    kms = boto3.client("kms")
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/ledger", TargetKeyId=key["KeyId"])
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="ledger-data", CreateBucketConfiguration={"LocationConstraint": REGION})
    rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/ledger"}}
    s3.put_bucket_encryption(Bucket="ledger-data", ServerSideEncryptionConfiguration={"Rules": [rule]})
    check = "aws-s3-bucket-cmk-encryption"
    result = scan(checks=[check], services=("s3", "kms"))
    assert result.verdicts(check) == {"ledger-data": "PASS"}
    bucket = json.loads(next(result.out.rglob("aws.s3.bucket.jsonl")).read_text())
    assert bucket["links"]["kms_key"] == [key["Arn"]]
    # Without the aliases the reference cannot be resolved: ERROR, and the key records say why.
    with deny("kms", "ListAliases"):
        denied = scan(checks=[check], services=("s3", "kms"))
    assert denied.verdicts(check) == {"ledger-data": "ERROR"}
    rec = keys_by_name(denied.out)[key["KeyId"]]
    assert rec["errors"]["ListAliases"]["permission"] == "kms:ListAliases"
    assert "ListAliases" not in rec["data"]


def test_declared_operations_are_the_exact_read_only_kms_actions() -> None:
    declared = {(op.name, op.permission) for op in KmsCollector.operations}
    assert declared == {
        ("ListKeys", "kms:ListKeys"),
        ("ListAliases", "kms:ListAliases"),
        ("DescribeKey", "kms:DescribeKey"),
        ("GetKeyRotationStatus", "kms:GetKeyRotationStatus"),
        ("GetKeyPolicy", "kms:GetKeyPolicy"),
        ("ListResourceTags", "kms:ListResourceTags"),
    }
    assert all(op.non_read_reason is None for op in KmsCollector.operations)
