"""DynamoDB collector on moto: record shape and key link, denied calls, declared operations."""

from __future__ import annotations

from typing import Any

import boto3

from clearance.providers.aws.collectors.dynamodb import DynamoDbCollector

from ..checks.test_dynamodb import kms_encrypted, table
from ..fakes import deny
from .test_ec2_collector import records

CMK = "aws-dynamodb-table-cmk-encryption"


def test_table_record_holds_its_description_backups_tags_and_key_link(aws: Any, scan: Any) -> None:
    key = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
    arn = table("ledger", Tags=[{"Key": "data-class", "Value": "unique-id"}], **kms_encrypted(key))
    rec = records(scan(checks=[CMK], services=("dynamodb",)).out)[arn]
    assert rec["type"] == "aws.dynamodb.table" and rec["name"] == "ledger"
    assert rec["tags"] == {"data-class": "unique-id"}
    assert set(rec["data"]) == {"DescribeTable", "DescribeContinuousBackups", "ListTagsOfResource"}
    assert rec["data"]["DescribeTable"]["Table"]["SSEDescription"]["SSEType"] == "KMS"
    assert rec["data"]["DescribeContinuousBackups"]["ContinuousBackupsDescription"]["ContinuousBackupsStatus"]
    assert rec["links"]["kms_key"] == [key]


def test_denied_describe_table_is_error_naming_the_permission(aws: Any, scan: Any) -> None:
    table("ledger")
    with deny("dynamodb", "DescribeTable"):
        finding = scan(checks=[CMK], services=("dynamodb", "kms")).finding(CMK, "ledger")
    assert finding["verdict"] == "ERROR"
    assert finding["error"]["permission"] == "dynamodb:DescribeTable"


def test_denied_table_listing_leaves_the_checks_not_evaluated(aws: Any, scan: Any) -> None:
    table("ledger")
    with deny("dynamodb", "ListTables"):
        result = scan(checks=[CMK], services=("dynamodb",))
    assert result.findings == []
    [entry] = result.coverage
    assert entry["status"] == "not_evaluated" and entry["error"]["permission"] == "dynamodb:ListTables"


def test_declared_operations_are_the_exact_read_only_dynamodb_actions() -> None:
    assert {(op.name, op.permission) for op in DynamoDbCollector.operations} == {
        ("ListTables", "dynamodb:ListTables"),
        ("DescribeTable", "dynamodb:DescribeTable"),
        ("DescribeContinuousBackups", "dynamodb:DescribeContinuousBackups"),
        ("ListTagsOfResource", "dynamodb:ListTagsOfResource"),
    }
